// One tab syncs at a time: every sync run (and every account action) holds the lock
// "hearth-sync". In the browser that is a Web Lock (navigator.locks), shared by every tab of the
// origin; where Web Locks are missing (Node tests, old browsers) a lock inside this page. Tests
// that play several tabs in one process pass one `memoryLock()` to all of them.

export type SyncLock = <T>(work: () => Promise<T>) => Promise<T>;

export const SYNC_LOCK_NAME = 'hearth-sync';

/** A lock held by one caller at a time, in this JavaScript realm only. */
export function memoryLock(): SyncLock {
  let tail: Promise<unknown> = Promise.resolve();
  return <T>(work: () => Promise<T>) => {
    const run = tail.then(work, work);
    tail = run.catch(() => undefined);
    return run;
  };
}

const pageLock = memoryLock();

/** The Web Lock "hearth-sync" when the browser has Web Locks, else a lock inside this page. */
export function webLock(name = SYNC_LOCK_NAME): SyncLock {
  const locks = typeof navigator !== 'undefined' ? (navigator as Navigator & { locks?: LockManager }).locks : undefined;
  if (!locks?.request) return pageLock;
  return <T>(work: () => Promise<T>) => locks.request(name, work) as Promise<T>;
}
