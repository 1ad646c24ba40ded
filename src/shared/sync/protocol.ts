// The sync protocol between the app and the end-to-end-encrypted sync server (`server/`).
// Shared by both sides: zod schemas for every request and response body, their TypeScript types,
// the limits and the error codes. Importable by the browser (no Node imports here).
//
// The server never sees plaintext or keys. Binary fields are base64url strings without padding.
// Times are milliseconds since the epoch. Server sequence numbers are positive integers.
//
//   POST /api/auth/params     {email}                                   -> AuthParamsResponse
//   POST /api/auth/register   RegisterRequest                            -> 201 SessionResponse
//   POST /api/auth/login      LoginRequest                               -> LoginResponse
//   POST /api/auth/logout     (Authorization: Bearer <token>)            -> 204
//   POST /api/auth/password   ChangePasswordRequest (Bearer)             -> SessionResponse (other sessions revoked)
//   POST /api/account/delete  DeleteAccountRequest (Bearer)              -> 204
//   POST /api/sync/push       PushRequest (Bearer)                       -> PushResponse
//   GET  /api/sync/pull?since=<seq>&limit=<n>[&at=<record id>] (Bearer)  -> PullResponse
//   PUT  /api/sync/chunks/:attachmentId/:index  raw bytes (Bearer)       -> 204
//   GET  /api/sync/chunks/:attachmentId/:index  (Bearer)                 -> raw bytes
//   DELETE /api/sync/chunks/:attachmentId       (Bearer)                 -> 204
//   GET  /api/health                                                     -> HealthResponse (503 when the database is down)
//
// Every error is `{error: {code, message}}` (ErrorResponse) with the status in ERROR_STATUS.
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
const PositiveInt = z.number().int().min(1).max(Number.MAX_SAFE_INTEGER);

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

// ---- auth --------------------------------------------------------------------------------------
export const AuthParamsRequest = z.object({ email: Email });
export type AuthParamsRequest = z.input<typeof AuthParamsRequest>;
/** Unknown emails get deterministic fake parameters, so the answer does not tell whether an account exists. */
export const AuthParamsResponse = z.object({ kdf: KdfParams });
export type AuthParamsResponse = z.infer<typeof AuthParamsResponse>;

export const RegisterRequest = z.object({
  email: Email,
  authKey: AuthKey,
  kdf: KdfParams,
  wrappedAccountKey: WrappedKey,
});
export type RegisterRequest = z.input<typeof RegisterRequest>;

/** Register (201) and change password answer with a new session. */
export const SessionResponse = z.object({
  token: z.string(),
  userId: z.string(),
  expiresAt: z.number(),
});
export type SessionResponse = z.infer<typeof SessionResponse>;

export const LoginRequest = z.object({ email: Email, authKey: AuthKey });
export type LoginRequest = z.input<typeof LoginRequest>;
export const LoginResponse = SessionResponse.extend({ kdf: KdfParams, wrappedAccountKey: WrappedKey });
export type LoginResponse = z.infer<typeof LoginResponse>;

export const ChangePasswordRequest = z.object({
  authKey: AuthKey,
  newAuthKey: AuthKey,
  newKdf: KdfParams,
  newWrappedAccountKey: WrappedKey,
});
export type ChangePasswordRequest = z.input<typeof ChangePasswordRequest>;

export const DeleteAccountRequest = z.object({ authKey: AuthKey });
export type DeleteAccountRequest = z.input<typeof DeleteAccountRequest>;

// ---- sync --------------------------------------------------------------------------------------
/**
 * One record version. `ciphertext` holds everything about the record (kind, conversation id,
 * content, tombstone flag), encrypted and padded by the client; the server stores the newest one.
 */
export const Mutation = z.object({
  mutationId: PositiveInt,
  recordId: CanonicalUuid,
  ciphertext: Ciphertext,
});
export type Mutation = z.infer<typeof Mutation>;

/** Mutation ids increase strictly within a push and across a client's pushes. */
export const PushRequest = z
  .object({
    clientId: CanonicalUuid,
    mutations: z.array(Mutation).max(MAX_MUTATIONS_PER_PUSH),
    /** What the device last pulled (its cursor and the record at it), checked as in PullQuery. */
    seen: z.object({ seq: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER), at: CanonicalUuid.nullable() }).optional(),
  })
  .refine((b) => b.mutations.every((m, i) => i === 0 || m.mutationId > b.mutations[i - 1].mutationId), {
    message: 'mutation ids must increase',
    path: ['mutations'],
  });
export type PushRequest = z.infer<typeof PushRequest>;

/**
 * `seq` is the server sequence number the mutation got, or null when the server had already
 * applied that mutation id (a retried push changes nothing). `lastMutationId` is the highest
 * mutation id the server has applied for this client (0 when none).
 */
export const PushResponse = z.object({
  lastMutationId: z.number().int().min(0),
  results: z.array(z.object({ mutationId: z.number().int(), seq: z.number().int().nullable() })),
  epoch: Epoch.optional(),
});
export type PushResponse = z.infer<typeof PushResponse>;

const QueryInt = (min: number, max: number, fallback: number) =>
  z
    .string()
    .regex(/^\d{1,16}$/, 'must be a non-negative integer')
    .transform(Number)
    .pipe(z.number().int().min(min).max(max))
    .optional()
    .transform((n) => n ?? fallback);

/**
 * Query string of GET /api/sync/pull (strings in, numbers out). `at` is the id of the record the
 * device pulled at seq `since`: the server checks that its log still holds it there or later (and
 * that its newest seq is not below `since`); when not, it was restored from an earlier backup, so
 * it changes the user's epoch and answers 409 history-changed.
 */
export const PullQuery = z.object({
  since: QueryInt(0, Number.MAX_SAFE_INTEGER, 0),
  limit: QueryInt(1, PULL_MAX_LIMIT, PULL_DEFAULT_LIMIT),
  at: CanonicalUuid.optional(),
});
export type PullQuery = z.output<typeof PullQuery>;

export const Change = z.object({
  seq: z.number().int(),
  recordId: z.string(),
  ciphertext: z.string(),
  receivedAt: z.number(),
});
export type Change = z.infer<typeof Change>;

/**
 * The newest version of every record whose seq is > since, ordered by seq. Pass `cursor` as the
 * next `since`; pull again while `hasMore`.
 */
export const PullResponse = z.object({
  changes: z.array(Change),
  cursor: z.number().int().min(0),
  hasMore: z.boolean(),
  /**
   * Names the server's history of this user's changes; it changes when the server notices it was
   * restored from a backup. A device that sees another epoch than the one it stored reconciles:
   * pulls everything again and pushes what the server lacks or holds older.
   */
  epoch: Epoch.optional(),
});
export type PullResponse = z.infer<typeof PullResponse>;

/** Path parameters of the chunk routes. */
export const ChunkParams = z.object({
  attachmentId: CanonicalUuid,
  index: z
    .string()
    .regex(/^\d{1,7}$/, 'must be a non-negative integer')
    .transform(Number)
    .pipe(z.number().int().min(0).max(MAX_CHUNK_INDEX))
    .optional(),
});
export type ChunkParams = z.output<typeof ChunkParams>;

export function chunkPath(attachmentId: string, index?: number): string {
  return index === undefined ? `${API_PATHS.chunks}/${attachmentId}` : `${API_PATHS.chunks}/${attachmentId}/${index}`;
}

// ---- health ------------------------------------------------------------------------------------
export const HealthResponse = z.object({
  ok: z.literal(true),
  version: z.string(),
  protocol: z.number(),
  database: z.enum(['pglite', 'postgres']),
});
export type HealthResponse = z.infer<typeof HealthResponse>;
