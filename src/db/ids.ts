// Record ids and clocks: random UUIDs (sync-ready) and a monotonic millisecond clock,
// so two writes in the same millisecond still order correctly, and a change's stamp is always
// later than the version it changed (`after`).

let last = 0;

export function now(): number {
  const t = Date.now();
  last = t > last ? t : last + 1;
  return last;
}

/**
 * The `updatedAt` of a write that changes a record stamped `prev`: now, but always later than
 * `prev`, so a change is newer than the version it changed even when this device's clock is
 * behind the one that wrote that version (sync compares pending changes by it).
 */
export function after(prev: number): number {
  const t = now();
  if (t > prev) return t;
  last = Math.max(last, prev + 1);
  return last;
}

export function newId(): string {
  return crypto.randomUUID();
}
