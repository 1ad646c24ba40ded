// Argon2id key derivation (hash-wasm's WASM build): the 64-byte secret that splitSecret() in
// crypto.ts cuts into the auth key and the master key. Runs in the kdf worker in the browser
// (64 MiB of memory, about a second) so the page never freezes; in-thread in tests.
import { argon2id } from 'hash-wasm';
import { KDF_OUTPUT_BYTES, normalizeEmail, type KdfParams } from '../shared/sync/protocol';

/** The Argon2id salt: SHA-256 over a label, the normalized email and the account's random salt. */
async function saltFor(email: string, salt: string): Promise<Uint8Array> {
  const input = new TextEncoder().encode(`hearth|v1|kdf|${normalizeEmail(email)}|${salt}`);
  return new Uint8Array(await crypto.subtle.digest('SHA-256', input));
}

export async function deriveSecret(password: string, email: string, kdf: KdfParams): Promise<Uint8Array> {
  return argon2id({
    password: password.normalize('NFKC'),
    salt: await saltFor(email, kdf.salt),
    parallelism: kdf.parallelism,
    iterations: kdf.iterations,
    memorySize: kdf.memoryKiB,
    hashLength: KDF_OUTPUT_BYTES,
    outputType: 'binary',
  });
}
