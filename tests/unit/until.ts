// Test helper: waits (polling every 5 ms) until `cond` holds, or fails naming it.
export async function until(cond: () => boolean, ms = 8000): Promise<void> {
  const t = Date.now();
  while (!cond()) {
    if (Date.now() - t > ms) throw new Error(`timed out waiting for ${cond.toString()}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}
