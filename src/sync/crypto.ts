// End-to-end encryption of synced data (WebCrypto only; Argon2id runs in src/sync/kdf.ts).
//
// Key hierarchy (after Standard Notes protocol 004 and Etebase):
//   Argon2id(password, salt(email, account salt)) -> 64 bytes = authKey (first 32, sent to the
//   server as a login secret) | masterKey (last 32, never leaves the device, AES-256-GCM).
//   accountKey: a random AES-256-GCM key that encrypts every record and chunk; the server only
//   keeps it wrapped by the masterKey, so a password change re-wraps 32 bytes and nothing else.
//
// Ciphertext layout (records and chunks):  [format 1][keyId length][keyId][iv 12][AES-GCM ct+tag]
// Authenticated data binds the format version, the key id and the record id (chunks: attachment
// id, chunk index and a last-chunk flag), so the server cannot swap, reorder or truncate anything.
// Plaintexts are padded ([u32 length][bytes][zeros]) to 256 B, then powers of two up to 64 KiB,
// then multiples of 64 KiB, so sizes say little.
import { AUTH_KEY_BYTES, KDF_OUTPUT_BYTES, type WrappedKey } from '../shared/sync/protocol';
import { refused, SyncError } from './errors';

export const FORMAT_VERSION = 1;
const IV_BYTES = 12;
const enc = new TextEncoder();
const dec = new TextDecoder('utf-8', { fatal: true });

// ---- encoding ------------------------------------------------------------------------------------

export function toBase64url(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

export function fromBase64url(s: string): Uint8Array {
  if (!/^[A-Za-z0-9_-]*$/.test(s) || s.length % 4 === 1) throw new SyncError('invalid', 'Not base64url data.', false);
  const bin = atob(s.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (s.length % 4)) % 4));
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

export const randomBytes = (n: number): Uint8Array => crypto.getRandomValues(new Uint8Array(n));

export async function sha256Hex(data: Uint8Array | ArrayBuffer): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', data as BufferSource));
  return [...digest].map((b) => b.toString(16).padStart(2, '0')).join('');
}

// ---- padding -------------------------------------------------------------------------------------

const PAD_MIN = 256;
const PAD_STEP = 64 * 1024;

export function paddedSize(n: number): number {
  if (n <= PAD_MIN) return PAD_MIN;
  if (n <= PAD_STEP) return 2 ** Math.ceil(Math.log2(n));
  return Math.ceil(n / PAD_STEP) * PAD_STEP;
}

export function pad(data: Uint8Array): Uint8Array {
  const out = new Uint8Array(paddedSize(data.length + 4));
  new DataView(out.buffer).setUint32(0, data.length);
  out.set(data, 4);
  return out;
}

export function unpad(padded: Uint8Array): Uint8Array {
  if (padded.length < 4) throw new SyncError('invalid', 'padding is missing', false);
  const n = new DataView(padded.buffer, padded.byteOffset, padded.byteLength).getUint32(0);
  if (n > padded.length - 4) throw new SyncError('invalid', 'padding is damaged', false);
  return padded.subarray(4, 4 + n);
}

// ---- keys ----------------------------------------------------------------------------------------

export interface DerivedKeys {
  /** base64url, the only thing the server sees. */
  authKey: string;
  /** Wraps and unwraps the account key; non-extractable; never leaves the device. */
  masterKey: CryptoKey;
}

/** Splits the 64-byte Argon2id output into the auth key and the master key (and wipes it). */
export async function splitSecret(secret: Uint8Array): Promise<DerivedKeys> {
  if (secret.length !== KDF_OUTPUT_BYTES) throw new Error(`The key derivation gave ${secret.length} bytes, not ${KDF_OUTPUT_BYTES}.`);
  const authKey = toBase64url(secret.slice(0, AUTH_KEY_BYTES));
  const masterKey = await crypto.subtle.importKey('raw', secret.slice(AUTH_KEY_BYTES), 'AES-GCM', false, ['wrapKey', 'unwrapKey']);
  secret.fill(0);
  return { authKey, masterKey };
}

/** The account key as this device keeps it: a non-extractable AES-GCM key and its id. */
export interface AccountKey {
  key: CryptoKey;
  keyId: string;
}

const wrapAad = (keyId: string) => enc.encode(`hearth|v${FORMAT_VERSION}|account-key|${keyId}`);

/** A fresh random account key (extractable only so it can be wrapped once) and its id. */
export async function generateAccountKey(): Promise<{ key: CryptoKey; keyId: string }> {
  const key = await crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, true, ['encrypt', 'decrypt']);
  return { key, keyId: `ak1-${toBase64url(randomBytes(12))}` };
}

export async function wrapAccountKey(accountKey: CryptoKey, keyId: string, masterKey: CryptoKey): Promise<WrappedKey> {
  const iv = randomBytes(IV_BYTES);
  const ct = await crypto.subtle.wrapKey('raw', accountKey, masterKey, { name: 'AES-GCM', iv: iv as BufferSource, additionalData: wrapAad(keyId) });
  return { keyId, iv: toBase64url(iv), ciphertext: toBase64url(new Uint8Array(ct)) };
}

/** Unwraps the account key; `extractable` only for a password change (re-wrap), never stored. */
export async function unwrapAccountKey(wrapped: WrappedKey, masterKey: CryptoKey, extractable = false): Promise<AccountKey> {
  try {
    const key = await crypto.subtle.unwrapKey(
      'raw',
      fromBase64url(wrapped.ciphertext) as BufferSource,
      masterKey,
      { name: 'AES-GCM', iv: fromBase64url(wrapped.iv) as BufferSource, additionalData: wrapAad(wrapped.keyId) },
      { name: 'AES-GCM', length: 256 },
      extractable,
      ['encrypt', 'decrypt'],
    );
    return { key, keyId: wrapped.keyId };
  } catch {
    throw new SyncError('wrong-key', 'The account key could not be unlocked with this password (or the server sent a damaged key).', false);
  }
}

// ---- sealing -------------------------------------------------------------------------------------

const recordAad = (recordId: string, keyId: string) => enc.encode(`hearth|v${FORMAT_VERSION}|record|${recordId}|${keyId}`);
const chunkAad = (attachmentId: string, keyId: string, index: number, last: boolean) =>
  enc.encode(`hearth|v${FORMAT_VERSION}|chunk|${attachmentId}|${keyId}|${index}|${last ? 'last' : 'more'}`);

async function seal(k: AccountKey, aad: Uint8Array, plaintext: Uint8Array): Promise<Uint8Array> {
  const id = enc.encode(k.keyId);
  const iv = randomBytes(IV_BYTES);
  const ct = new Uint8Array(
    await crypto.subtle.encrypt({ name: 'AES-GCM', iv: iv as BufferSource, additionalData: aad as BufferSource }, k.key, pad(plaintext) as BufferSource),
  );
  const out = new Uint8Array(2 + id.length + IV_BYTES + ct.length);
  out[0] = FORMAT_VERSION;
  out[1] = id.length;
  out.set(id, 2);
  out.set(iv, 2 + id.length);
  out.set(ct, 2 + id.length + IV_BYTES);
  return out;
}

/** Opens a sealed box; throws refused(...) naming `what` when anything does not check out. */
async function open(k: AccountKey, aad: (keyId: string) => Uint8Array, box: Uint8Array, what: string): Promise<Uint8Array> {
  if (box.length < 2 + IV_BYTES + 16 || box[0] !== FORMAT_VERSION) throw refused(what, 'unknown format');
  const idLen = box[1];
  let keyId: string;
  try {
    keyId = dec.decode(box.subarray(2, 2 + idLen));
  } catch {
    throw refused(what, 'damaged header');
  }
  if (keyId !== k.keyId) throw refused(what, 'it was encrypted with a key this account does not use');
  const iv = box.subarray(2 + idLen, 2 + idLen + IV_BYTES);
  try {
    const plain = await crypto.subtle.decrypt(
      { name: 'AES-GCM', iv: iv as BufferSource, additionalData: aad(keyId) as BufferSource },
      k.key,
      box.subarray(2 + idLen + IV_BYTES) as BufferSource,
    );
    return unpad(new Uint8Array(plain));
  } catch (e) {
    throw e instanceof SyncError && e.code === 'refused' ? e : refused(what, 'it failed to decrypt (tampered, swapped or damaged)');
  }
}

export async function encryptRecord(k: AccountKey, recordId: string, plaintext: Uint8Array): Promise<string> {
  return toBase64url(await seal(k, recordAad(recordId, k.keyId), plaintext));
}

export async function decryptRecord(k: AccountKey, recordId: string, ciphertext: string): Promise<Uint8Array> {
  let box: Uint8Array;
  try {
    box = fromBase64url(ciphertext);
  } catch {
    throw refused(`record ${recordId}`, 'it is not base64url');
  }
  return open(k, (keyId) => recordAad(recordId, keyId), box, `record ${recordId}`);
}

export function encryptChunk(k: AccountKey, attachmentId: string, index: number, last: boolean, data: Uint8Array): Promise<Uint8Array> {
  return seal(k, chunkAad(attachmentId, k.keyId, index, last), data);
}

export function decryptChunk(k: AccountKey, attachmentId: string, index: number, last: boolean, box: Uint8Array): Promise<Uint8Array> {
  return open(k, (keyId) => chunkAad(attachmentId, keyId, index, last), box, `chunk ${index} of attachment ${attachmentId}`);
}

export const encodeJson = (value: unknown): Uint8Array => enc.encode(JSON.stringify(value));

export function decodeJson(bytes: Uint8Array, what: string): unknown {
  try {
    return JSON.parse(dec.decode(bytes));
  } catch {
    throw refused(what, 'its content is not valid JSON');
  }
}
