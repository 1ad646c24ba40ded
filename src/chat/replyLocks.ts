// Web Locks that mark a reply as live while it streams: a tab that starts up (or recovers
// after a crash) treats a 'streaming' reply as interrupted only when no tab holds its lock.
// Without Web Locks (old browsers, Node) replies simply run unlocked.

export const LOCK_PREFIX = 'hearth-reply:';

/** The browser's lock manager, or null where there is none. */
export function defaultLocks(): LockManager | null {
  return typeof navigator !== 'undefined' ? navigator.locks ?? null : null;
}

/** Runs `work` while holding the lock `name` (or plainly, when locks are unavailable). */
export async function withLock(locks: LockManager | null, name: string, work: () => Promise<void>): Promise<void> {
  if (!locks) return work();
  try {
    await locks.request(name, work);
  } catch (e) {
    if (e instanceof DOMException && e.name === 'NotSupportedError') await work();
    else throw e;
  }
}

/** Ids of the replies some tab is streaming right now (by their held locks). */
export async function liveReplyIds(locks: LockManager | null): Promise<Set<string>> {
  try {
    const snapshot = locks ? await locks.query() : null;
    return new Set(
      (snapshot?.held ?? [])
        .map((l) => l.name ?? '')
        .filter((n) => n.startsWith(LOCK_PREFIX))
        .map((n) => n.slice(LOCK_PREFIX.length)),
    );
  } catch {
    return new Set(); // no Web Locks: treat nothing as live
  }
}
