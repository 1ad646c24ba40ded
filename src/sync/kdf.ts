// Key derivation as the app calls it: Argon2id in a short-lived worker (the page stays
// responsive), or in-thread where there are no workers (unit tests in Node).
import * as Comlink from 'comlink';
import type { KdfParams } from '../shared/sync/protocol';

export type DeriveSecret = (password: string, email: string, kdf: KdfParams) => Promise<Uint8Array>;

export const deriveInWorker: DeriveSecret = async (password, email, kdf) => {
  // Argon2id (hash-wasm) stays out of the page's bundle: only the worker, or this fallback, loads it.
  if (typeof Worker === 'undefined') return (await import('./kdfCore')).deriveSecret(password, email, kdf);
  const worker = new Worker(new URL('./kdf.worker.ts', import.meta.url), { type: 'module', name: 'hearth-kdf' });
  try {
    const remote = Comlink.wrap<{ deriveSecret: DeriveSecret }>(worker);
    const failed = new Promise<never>((_, reject) =>
      worker.addEventListener('error', (e) => reject(new Error(e.message || 'The key derivation worker failed to start.'))),
    );
    return await Promise.race([remote.deriveSecret(password, email, kdf), failed]);
  } finally {
    worker.terminate();
  }
};
