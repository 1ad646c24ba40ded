// Key derivation as the app calls it: Argon2id in a short-lived worker (the page stays
// responsive), or in-thread where there are no workers (unit tests in Node). Also the floor under
// the KDF parameters the client accepts: the parameters come from the server (/api/auth/params,
// the login answer), so a malicious server could ask for cheap ones and get an auth key that is
// cheap to brute-force; the client refuses anything below what it uses for new accounts.
import * as Comlink from 'comlink';
import { DEFAULT_KDF_PARAMS, type KdfParams } from '../shared/sync/protocol';
import { SyncError } from './errors';

export type DeriveSecret = (password: string, email: string, kdf: KdfParams) => Promise<Uint8Array>;

export interface KdfFloor {
  memoryKiB: number;
  iterations: number;
}

/** The weakest parameters the app derives with: what it uses for new accounts (64 MiB, 3 passes). */
export const MIN_KDF: KdfFloor = { memoryKiB: DEFAULT_KDF_PARAMS.memoryKiB, iterations: DEFAULT_KDF_PARAMS.iterations };

/**
 * Throws a 'refused' SyncError when `kdf` is weaker than `floor`. The floor is the app's own
 * (code, never a server's answer); only tests lower it, through AccountDeps.kdfMemoryKiB.
 */
export function checkKdfStrength(kdf: KdfParams, floor: KdfFloor = MIN_KDF): void {
  if (kdf.memoryKiB >= floor.memoryKiB && kdf.iterations >= floor.iterations) return;
  throw new SyncError(
    'refused',
    `The sync server asks for weaker password protection (Argon2id with ${Math.floor(kdf.memoryKiB / 1024)} MiB, ${kdf.iterations} ${kdf.iterations === 1 ? 'pass' : 'passes'}) than this app accepts (at least ${Math.floor(floor.memoryKiB / 1024)} MiB, ${floor.iterations} passes). Your password was not used; check the server address.`,
    false,
  );
}

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
