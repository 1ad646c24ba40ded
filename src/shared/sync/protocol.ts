// The sync protocol between the app and the end-to-end-encrypted sync server (`server/`).
// Shared by both sides: the zod schema and TypeScript type of every request and response body.
// Limits, error codes and field schemas are in primitives.ts and re-exported here, so both sides
// import everything from this module. Importable by the browser (no Node imports here).
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
//   GET  /api/sync/pull?since=<seq>&limit=<n>[&at=&mark=&pushed=&pushedAt=&pushedMark=] (Bearer) -> PullResponse
//   PUT  /api/sync/chunks/:attachmentId/:index  raw bytes (Bearer)       -> 204
//   GET  /api/sync/chunks/:attachmentId/:index  (Bearer)                 -> raw bytes
//   DELETE /api/sync/chunks/:attachmentId       (Bearer)                 -> 204
//   GET  /api/health                                                     -> HealthResponse (503 when the database is down)
//
// Every error is `{error: {code, message}}` (ErrorResponse) with the status in ERROR_STATUS.
import { z } from 'zod';
import { API_PATHS, AuthKey, CanonicalUuid, Ciphertext, Email, Epoch, KdfParams, MAX_CHUNK_INDEX, MAX_MUTATIONS_PER_PUSH, PositiveInt, PULL_DEFAULT_LIMIT, PULL_MAX_LIMIT, WrappedKey } from './primitives';

export * from './primitives';

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
  /**
   * An attachment record: how many chunks (indexes 0..chunks-1 under its id) must be on the
   * server; a push that carries one whose chunks are missing is refused whole (409 missing-chunks).
   */
  chunks: z.number().int().min(1).max(MAX_CHUNK_INDEX + 1).optional(),
  /**
   * Apply only if the server holds no version of this record. A reconciling device pushes what
   * the server lacked when it pulled; if another device pushed the record since (a delete, say),
   * the push is refused whole (409 conflict, nothing applied) and the device pulls and compares
   * again, so a stale copy never replaces what it did not see.
   */
  ifAbsent: z.literal(true).optional(),
});
export type Mutation = z.infer<typeof Mutation>;

/** Mutation ids increase strictly within a push and across a client's pushes. */
export const PushRequest = z
  .object({
    clientId: CanonicalUuid,
    mutations: z.array(Mutation).max(MAX_MUTATIONS_PER_PUSH),
    /** What the device last pulled (its cursor, the record and the push mark at it), checked as in PullQuery. */
    seen: z
      .object({ seq: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER), at: CanonicalUuid.nullable(), mark: CanonicalUuid.nullable().optional() })
      .optional(),
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
  /** The mark of this push (see PullQuery.mark), when it was given seqs. */
  mark: CanonicalUuid.optional(),
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
  /**
   * The mark of the push that wrote seq `since` (PullResponse.mark). Every push gets a random
   * mark, so a seq the server gave again after a restore (to another push, maybe for the same
   * record) no longer matches it: 409 history-changed. The server keeps the marks of recent
   * pushes; for an older one only `at` is checked.
   */
  mark: CanonicalUuid.optional(),
  /**
   * The highest seq a push of this device was given, the record it was given to, and that push's
   * mark (checked like since/at/mark: a server restored from a backup taken before that push
   * answers 409 history-changed).
   */
  pushed: QueryInt(0, Number.MAX_SAFE_INTEGER, 0),
  pushedAt: CanonicalUuid.optional(),
  pushedMark: CanonicalUuid.optional(),
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
  /** The mark of the push that wrote seq `cursor`, when there are changes (and the server still knows it). */
  mark: CanonicalUuid.optional(),
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
