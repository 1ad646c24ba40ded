// End-to-end encryption primitives: the Argon2id split into auth key and master key, account key
// wrap/unwrap, record and chunk sealing with bound authenticated data, and padding. Tampering of
// any kind (ciphertext, nonce, authenticated data, swapped records, reordered chunks) is refused.
import { describe, expect, it } from 'vitest';
import {
  decryptChunk,
  decryptRecord,
  encryptChunk,
  encryptRecord,
  fromBase64url,
  generateAccountKey,
  pad,
  paddedSize,
  splitSecret,
  toBase64url,
  unpad,
  unwrapAccountKey,
  wrapAccountKey,
  type AccountKey,
} from '../../src/sync/crypto';
import { deriveSecret } from '../../src/sync/kdfCore';
import { KDF_LIMITS, type KdfParams } from '../../src/shared/sync/protocol';

const kdf = (salt = 'c2FsdHNhbHRzYWx0c2FsdA'): KdfParams => ({
  algorithm: 'argon2id',
  salt,
  memoryKiB: KDF_LIMITS.memoryKiB.min,
  iterations: 1,
  parallelism: 1,
  version: 1,
});
const text = (s: string) => new TextEncoder().encode(s);
const str = (b: Uint8Array) => new TextDecoder().decode(b);
const RID = '7b0c1f2e-8d3a-4c5b-9e6f-0a1b2c3d4e5f';
const RID2 = '0f1e2d3c-4b5a-4968-8776-5a4b3c2d1e0f';

async function deviceKey(): Promise<AccountKey> {
  const { key, keyId } = await generateAccountKey();
  return { key, keyId };
}

/** Flips one bit of a base64url ciphertext at byte `at` (negative: from the end). */
function flip(ct: string, at: number): string {
  const b = fromBase64url(ct);
  b[at < 0 ? b.length + at : at] ^= 1;
  return toBase64url(b);
}

describe('key derivation', () => {
  it('splits a 512-bit Argon2id output into an auth key and a non-extractable master key', async () => {
    const secret = await deriveSecret('correct horse', 'Ann@Example.org ', kdf());
    expect(secret).toHaveLength(64);
    const first32 = toBase64url(secret.slice(0, 32));
    const { authKey, masterKey } = await splitSecret(secret);
    expect(authKey).toBe(first32);
    expect(fromBase64url(authKey)).toHaveLength(32);
    expect(masterKey.extractable).toBe(false);
    expect(masterKey.usages.sort()).toEqual(['unwrapKey', 'wrapKey']);
    expect(secret.every((b) => b === 0)).toBe(true); // wiped
  });

  it('is stable for the same inputs (email normalized) and differs for another password, email or salt', async () => {
    const a = toBase64url(await deriveSecret('pw-one-1', 'ann@example.org', kdf()));
    expect(toBase64url(await deriveSecret('pw-one-1', ' ANN@example.org', kdf()))).toBe(a);
    expect(toBase64url(await deriveSecret('pw-one-2', 'ann@example.org', kdf()))).not.toBe(a);
    expect(toBase64url(await deriveSecret('pw-one-1', 'bob@example.org', kdf()))).not.toBe(a);
    expect(toBase64url(await deriveSecret('pw-one-1', 'ann@example.org', kdf('b3RoZXJzYWx0b3RoZXJzYQ')))).not.toBe(a);
  });
});

describe('account key', () => {
  it('wraps under the master key and unwraps (non-extractable) to the same key', async () => {
    const { masterKey } = await splitSecret(await deriveSecret('pw-secret', 'a@b.co', kdf()));
    const account = await generateAccountKey();
    const wrapped = await wrapAccountKey(account.key, account.keyId, masterKey);
    expect(wrapped.keyId).toBe(account.keyId);
    const device = await unwrapAccountKey(wrapped, masterKey);
    expect(device.key.extractable).toBe(false);
    const ct = await encryptRecord({ key: account.key, keyId: account.keyId }, RID, text('hello'));
    expect(str(await decryptRecord(device, RID, ct))).toBe('hello');
  });

  it('refuses to unwrap with another password, a changed key id or a tampered wrap', async () => {
    const { masterKey } = await splitSecret(await deriveSecret('pw-secret', 'a@b.co', kdf()));
    const { masterKey: other } = await splitSecret(await deriveSecret('pw-other!', 'a@b.co', kdf()));
    const account = await generateAccountKey();
    const wrapped = await wrapAccountKey(account.key, account.keyId, masterKey);
    await expect(unwrapAccountKey(wrapped, other)).rejects.toMatchObject({ code: 'wrong-key' });
    await expect(unwrapAccountKey({ ...wrapped, keyId: 'ak1-other' }, masterKey)).rejects.toMatchObject({ code: 'wrong-key' });
    await expect(unwrapAccountKey({ ...wrapped, ciphertext: flip(wrapped.ciphertext, 3) }, masterKey)).rejects.toMatchObject({ code: 'wrong-key' });
  });
});

describe('records', () => {
  it('round-trips, with a fresh nonce each time', async () => {
    const k = await deviceKey();
    const a = await encryptRecord(k, RID, text('{"title":"Trip"}'));
    const b = await encryptRecord(k, RID, text('{"title":"Trip"}'));
    expect(a).not.toBe(b);
    expect(str(await decryptRecord(k, RID, a))).toBe('{"title":"Trip"}');
  });

  it('pads so that sizes say little', async () => {
    const k = await deviceKey();
    const short = await encryptRecord(k, RID, text('a'));
    const longer = await encryptRecord(k, RID, text('a'.repeat(200)));
    expect(short.length).toBe(longer.length);
    expect([paddedSize(1), paddedSize(300), paddedSize(70_000)]).toEqual([256, 512, 131_072]);
    expect(str(unpad(pad(text('xyz'))))).toBe('xyz');
  });

  it('refuses a tampered ciphertext, nonce, header, or a record moved to another id (authenticated data)', async () => {
    const k = await deviceKey();
    const ct = await encryptRecord(k, RID, text('secret'));
    const headerLen = 2 + k.keyId.length;
    await expect(decryptRecord(k, RID, flip(ct, -1))).rejects.toMatchObject({ code: 'refused' }); // tag / ciphertext
    await expect(decryptRecord(k, RID, flip(ct, headerLen + 1))).rejects.toMatchObject({ code: 'refused' }); // nonce
    await expect(decryptRecord(k, RID, flip(ct, 0))).rejects.toMatchObject({ code: 'refused' }); // format version
    await expect(decryptRecord(k, RID, flip(ct, 3))).rejects.toMatchObject({ code: 'refused' }); // key id
    await expect(decryptRecord(k, RID2, ct)).rejects.toThrow(/Refused record .*failed to decrypt/);
    await expect(decryptRecord(await deviceKey(), RID, ct)).rejects.toMatchObject({ code: 'refused' }); // another account
  });

  it('refuses two records whose ciphertexts were swapped', async () => {
    const k = await deviceKey();
    const a = await encryptRecord(k, RID, text('A'));
    const b = await encryptRecord(k, RID2, text('B'));
    await expect(decryptRecord(k, RID, b)).rejects.toMatchObject({ code: 'refused' });
    await expect(decryptRecord(k, RID2, a)).rejects.toMatchObject({ code: 'refused' });
  });
});

describe('attachment chunks', () => {
  it('round-trip and bind attachment id, index and the last-chunk flag', async () => {
    const k = await deviceKey();
    const c0 = await encryptChunk(k, RID, 0, false, text('first'));
    const c1 = await encryptChunk(k, RID, 1, true, text('last'));
    expect(str(await decryptChunk(k, RID, 0, false, c0))).toBe('first');
    expect(str(await decryptChunk(k, RID, 1, true, c1))).toBe('last');
    await expect(decryptChunk(k, RID, 1, true, c0)).rejects.toMatchObject({ code: 'refused' }); // reordered
    await expect(decryptChunk(k, RID, 0, true, c0)).rejects.toMatchObject({ code: 'refused' }); // truncated: not the last
    await expect(decryptChunk(k, RID, 1, false, c1)).rejects.toMatchObject({ code: 'refused' }); // last flag
    await expect(decryptChunk(k, RID2, 0, false, c0)).rejects.toMatchObject({ code: 'refused' }); // another attachment
  });

  it('a full 1 MiB chunk stays within the protocol limit', async () => {
    const { MAX_CHUNK_BYTES } = await import('../../src/shared/sync/protocol');
    const { CHUNK_BYTES } = await import('../../src/sync/files');
    const k = await deviceKey();
    const box = await encryptChunk(k, RID, 0, true, new Uint8Array(CHUNK_BYTES));
    expect(box.length).toBeLessThanOrEqual(MAX_CHUNK_BYTES);
  });
});
