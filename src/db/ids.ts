// Record ids and clocks: random UUIDs (sync-ready) and a monotonic millisecond clock,
// so two writes in the same millisecond still order correctly.

let last = 0;

export function now(): number {
  const t = Date.now();
  last = t > last ? t : last + 1;
  return last;
}

export function newId(): string {
  return crypto.randomUUID();
}
