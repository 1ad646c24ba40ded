// The sync protocol's building blocks, shared by the app and the sync server (`server/`): the
// protocol version, byte and count limits, KDF parameters, API paths, error codes with their
// statuses and the error body, and the field schemas that request and response bodies are made
// of (canonical base64url bytes, email, ids, KDF parameters, the wrapped account key). The bodies
// are in protocol.ts, which re-exports all of this. Importable by the browser (no Node imports).
import '../zodConfig';
import { z } from 'zod';

export const PROTOCOL_VERSION = 1;

// ---- limits ------------------------------------------------------------------------------------
const KiB = 1024;
const MiB = 1024 * KiB;

/** Largest JSON request body the server accepts (bytes). */
export const MAX_JSON_BODY_BYTES = 8 * MiB;
/** Largest JSON body of the auth routes (params, register, login, password, account delete). */
export const MAX_AUTH_BODY_BYTES = 16 * KiB;
/** Largest record ciphertext (decoded bytes) in one mutation. */
export const MAX_CIPHERTEXT_BYTES = 2 * MiB;
/** Most mutations in one push. */
export const MAX_MUTATIONS_PER_PUSH = 500;
/** Largest attachment chunk body: 1 MiB of ciphertext plus room for iv and tag (bytes). */
export const MAX_CHUNK_BYTES = 1 * MiB + 64;
/** Highest attachment chunk index. */
export const MAX_CHUNK_INDEX = 1_000_000;
export const PULL_DEFAULT_LIMIT = 500;
export const PULL_MAX_LIMIT = 1000;
/** Bytes of the auth key the client derives (the first half of the 512-bit Argon2id output). */
export const AUTH_KEY_BYTES = 32;
/** The Argon2id output length the client derives: auth key (first 32 bytes) + master key (last 32 bytes). */
export const KDF_OUTPUT_BYTES = 64;

/**
 * KDF parameters and salt size for new accounts. Clients should use exactly these: the server's
 * fake parameters for unknown emails use them too, so other values would tell accounts apart.
 */
export const DEFAULT_KDF_PARAMS = { memoryKiB: 65536, iterations: 3, parallelism: 1 } as const;
export const DEFAULT_KDF_SALT_BYTES = 16;
export const KDF_LIMITS = {
  memoryKiB: { min: 8 * 1024, max: 1024 * 1024 },
  iterations: { min: 1, max: 20 },
  parallelism: { min: 1, max: 16 },
  saltBytes: { min: 16, max: 64 },
} as const;

/** API paths (relative to the server's origin). */
export const API_PATHS = {
  health: '/api/health',
  authParams: '/api/auth/params',
  register: '/api/auth/register',
  login: '/api/auth/login',
  logout: '/api/auth/logout',
  password: '/api/auth/password',
  deleteAccount: '/api/account/delete',
  push: '/api/sync/push',
  pull: '/api/sync/pull',
  /** `${chunks}/${attachmentId}/${index}` (PUT, GET) and `${chunks}/${attachmentId}` (DELETE). */
  chunks: '/api/sync/chunks',
} as const;

// ---- errors ------------------------------------------------------------------------------------
export const ERROR_STATUS = {
  'invalid-body': 400,
  unauthorized: 401,
  'bad-credentials': 401,
  forbidden: 403,
  'not-found': 404,
  'method-not-allowed': 405,
  'email-taken': 409,
  /** The server's log no longer holds what the device saw (restored from a backup): reconcile. */
  'history-changed': 409,
  /** A pushed attachment record's chunks are not (or no longer) on the server: upload them again. */
  'missing-chunks': 409,
  /** A record pushed "if absent" (a reconciling device's copy) is on the server already: pull and compare again. */
  conflict: 409,
  'payload-too-large': 413,
  /** The account's storage quota is used up (a push or chunk that would grow it is refused whole). */
  'quota-exceeded': 413,
  'unsupported-media-type': 415,
  'rate-limited': 429,
  internal: 500,
  unavailable: 503,
} as const;
export type ErrorCode = keyof typeof ERROR_STATUS;
export const ERROR_CODES = Object.keys(ERROR_STATUS) as ErrorCode[];

export const ErrorResponse = z.object({
  error: z.object({ code: z.string(), message: z.string() }),
});
export type ErrorResponse = z.infer<typeof ErrorResponse>;

// ---- primitives --------------------------------------------------------------------------------
const BASE64URL = /^[A-Za-z0-9_-]*$/;
const BASE64URL_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** Canonical unpadded base64url: the unused low bits of the last character are zero (so bytes round-trip). */
function canonicalTail(s: string): boolean {
  const rest = s.length % 4;
  if (rest === 0) return true;
  const v = BASE64URL_ALPHABET.indexOf(s[s.length - 1]);
  return rest === 2 ? (v & 0x0f) === 0 : rest === 3 ? (v & 0x03) === 0 : false;
}

/** Characters of unpadded base64url for `bytes` bytes. */
export function base64urlLength(bytes: number): number {
  return Math.ceil((bytes * 4) / 3);
}

/** A base64url string (no padding) decoding to between `min` and `max` bytes. */
export function base64urlBytes(min: number, max: number) {
  return z
    .string()
    .regex(BASE64URL, 'must be base64url without padding')
    .refine(canonicalTail, 'not canonical base64url (bad length or trailing bits)')
    .refine((s) => {
      const n = Math.floor((s.length * 3) / 4);
      return n >= min && n <= max;
    }, `must decode to ${min === max ? `${min}` : `${min}..${max}`} bytes`);
}

/** Trims and lower-cases an email; both sides use it before anything touches the address. */
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

export const Email = z
  .string()
  .max(254)
  .transform(normalizeEmail)
  .pipe(z.email({ error: 'not an email address' }));
export const Uuid = z.uuid();
/**
 * A record, client or attachment id as it travels: a UUID in canonical lower case. The server
 * stores ids in a uuid column (which lower-cases them) and the client binds ids into the
 * authenticated data, so another spelling of the same id could never be opened again.
 */
export const CanonicalUuid = Uuid.regex(/^[0-9a-f-]+$/, 'must be a lower-case UUID');
/** The canonical spelling of an id: anything shaped like a UUID in lower case, other ids unchanged. */
export function canonicalId(id: string): string {
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id) ? id.toLowerCase() : id;
}
/** An opaque token naming the server's history of a user's changes (see PullResponse.epoch). */
export const Epoch = z.string().min(1).max(64);
export const AuthKey = base64urlBytes(AUTH_KEY_BYTES, AUTH_KEY_BYTES);
export const Ciphertext = base64urlBytes(1, MAX_CIPHERTEXT_BYTES);
/** A positive integer that fits in both a JS number and a PostgreSQL bigint. */
export const PositiveInt = z.number().int().min(1).max(Number.MAX_SAFE_INTEGER);

export const KdfParams = z.object({
  algorithm: z.literal('argon2id'),
  salt: base64urlBytes(KDF_LIMITS.saltBytes.min, KDF_LIMITS.saltBytes.max),
  memoryKiB: z.number().int().min(KDF_LIMITS.memoryKiB.min).max(KDF_LIMITS.memoryKiB.max),
  iterations: z.number().int().min(KDF_LIMITS.iterations.min).max(KDF_LIMITS.iterations.max),
  parallelism: z.number().int().min(KDF_LIMITS.parallelism.min).max(KDF_LIMITS.parallelism.max),
  version: z.literal(1),
});
export type KdfParams = z.infer<typeof KdfParams>;

/** The account key wrapped (encrypted) by the master key; opaque to the server. */
export const WrappedKey = z.object({
  keyId: z.string().min(1).max(64).regex(/^[A-Za-z0-9_-]+$/),
  iv: base64urlBytes(12, 32),
  ciphertext: base64urlBytes(16, 1024),
});
export type WrappedKey = z.infer<typeof WrappedKey>;
