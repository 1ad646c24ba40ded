// Accounts and sessions. The server stores an Argon2id hash of the client's auth key (never the
// password or the master key), the client's KDF parameters and its wrapped account key (opaque).
// Sessions are random tokens stored as sha256 hashes; they expire and can be revoked.
import { createHash, createHmac, randomBytes, randomUUID } from 'node:crypto';
import { hash as argon2Hash, verify as argon2Verify } from '@node-rs/argon2';
import {
  DEFAULT_KDF_PARAMS,
  DEFAULT_KDF_SALT_BYTES,
  type AuthParamsResponse,
  type ChangePasswordRequest,
  type DeleteAccountRequest,
  type KdfParams,
  type LoginRequest,
  type LoginResponse,
  type RegisterRequest,
  type SessionResponse,
  type WrappedKey,
} from '../../src/shared/sync/protocol';
import type { ServerConfig } from '../config';
import type { Db, Queryable } from '../db';
import { ApiError } from '../errors';
import { check, count, hit } from './rateLimit';

const TOKEN_BYTES = 32;
const TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;

const sha256 = (s: string | Uint8Array) => createHash('sha256').update(s).digest();

interface UserRow {
  id: string;
  auth_hash: string;
  kdf: KdfParams;
  wrapped_key: WrappedKey;
}

/** Reads (or creates, once, race-free) a random server secret kept in the database. */
async function serverSecret(db: Queryable, key: string): Promise<Buffer> {
  await db.query('INSERT INTO server_meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING', [key, randomBytes(32)]);
  const [row] = await db.query<{ value: Uint8Array }>('SELECT value FROM server_meta WHERE key = $1', [key]);
  return Buffer.from(row.value);
}

/** KDF parameters in the protocol's key order, whatever order the database gave. */
function kdfAnswer(k: KdfParams): KdfParams {
  return { algorithm: k.algorithm, salt: k.salt, memoryKiB: k.memoryKiB, iterations: k.iterations, parallelism: k.parallelism, version: k.version };
}

export class AccountService {
  private constructor(
    private readonly db: Db,
    private readonly config: ServerConfig,
    private readonly fakeKdfSecret: Buffer,
    /** Verified against when the email is unknown, so both answers take as long. */
    private readonly dummyHash: string,
  ) {}

  static async create(db: Db, config: ServerConfig): Promise<AccountService> {
    const secret = await serverSecret(db, 'fake-kdf-secret');
    const dummy = await argon2Hash(randomBytes(32).toString('base64url'), config.authHash);
    return new AccountService(db, config, secret, dummy);
  }

  /**
   * The account's KDF parameters, or deterministic fake ones for an unknown email. Both answers
   * are built by `kdfAnswer`, so they have the same keys in the same order (jsonb reorders keys).
   */
  async authParams(email: string): Promise<AuthParamsResponse> {
    const [row] = await this.db.query<{ kdf: KdfParams }>('SELECT kdf FROM users WHERE email = $1', [email]);
    if (row) return { kdf: kdfAnswer(row.kdf) };
    const salt = createHmac('sha256', this.fakeKdfSecret).update(`kdf-salt\0${email}`).digest().subarray(0, DEFAULT_KDF_SALT_BYTES);
    return { kdf: kdfAnswer({ algorithm: 'argon2id', salt: salt.toString('base64url'), ...DEFAULT_KDF_PARAMS, version: 1 }) };
  }

  async register(req: RegisterRequest, clientAddress: string): Promise<SessionResponse> {
    await hit(this.db, `register:ip:${clientAddress}`, this.config.rateLimits.register);
    const authHash = await argon2Hash(req.authKey, this.config.authHash);
    return this.db.transaction(async (tx) => {
      const rows = await tx.query<{ id: string }>(
        `INSERT INTO users (id, email, auth_hash, kdf, wrapped_key, created_at) VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (email) DO NOTHING RETURNING id`,
        [randomUUID(), req.email, authHash, JSON.stringify(req.kdf), JSON.stringify(req.wrappedAccountKey), Date.now()],
      );
      if (rows.length === 0) throw new ApiError('email-taken', 'An account with this email already exists.');
      return this.createSession(tx, rows[0].id);
    });
  }

  /**
   * Every attempt counts against the client address; only FAILED attempts count against the email
   * from that address. So guessing is bounded per address, and nobody can lock the owner out by
   * failing on purpose from elsewhere: a correct key works unless the owner's own address tripped.
   */
  async login(req: LoginRequest, clientAddress: string): Promise<LoginResponse> {
    await hit(this.db, `login:ip:${clientAddress}`, this.config.rateLimits.login);
    const failures = `login:fail:${sha256(`${req.email}\0${clientAddress}`).toString('base64url')}`;
    await check(this.db, failures, this.config.rateLimits.account);
    const [user] = await this.db.query<UserRow>('SELECT id, auth_hash, kdf, wrapped_key FROM users WHERE email = $1', [req.email]);
    const ok = await argon2Verify(user?.auth_hash ?? this.dummyHash, req.authKey);
    if (!user || !ok) {
      await count(this.db, failures, this.config.rateLimits.account);
      throw new ApiError('bad-credentials', 'Wrong email or password.');
    }
    const session = await this.createSession(this.db, user.id);
    return { ...session, kdf: kdfAnswer(user.kdf), wrappedAccountKey: user.wrapped_key };
  }

  /** The user id of a live session; throws unauthorized otherwise. */
  async authenticate(token: string | undefined): Promise<string> {
    if (!token || !TOKEN_PATTERN.test(token)) throw new ApiError('unauthorized', 'Missing or malformed session token.');
    const [row] = await this.db.query<{ user_id: string }>('SELECT user_id FROM sessions WHERE token_hash = $1 AND expires_at > $2', [
      sha256(token),
      Date.now(),
    ]);
    if (!row) throw new ApiError('unauthorized', 'The session has expired or was revoked; log in again.');
    return row.user_id;
  }

  async logout(token: string): Promise<void> {
    await this.db.query('DELETE FROM sessions WHERE token_hash = $1', [sha256(token)]);
  }

  /** Re-keys the account; every session (the caller's too) is revoked and a new one returned. */
  async changePassword(userId: string, req: ChangePasswordRequest): Promise<SessionResponse> {
    await this.verifyAuthKey(userId, req.authKey);
    const newHash = await argon2Hash(req.newAuthKey, this.config.authHash);
    return this.db.transaction(async (tx) => {
      const updated = await tx.query('UPDATE users SET auth_hash = $2, kdf = $3, wrapped_key = $4 WHERE id = $1 RETURNING id', [
        userId,
        newHash,
        JSON.stringify(req.newKdf),
        JSON.stringify(req.newWrappedAccountKey),
      ]);
      if (updated.length === 0) throw new ApiError('unauthorized', 'The account no longer exists.');
      await tx.query('DELETE FROM sessions WHERE user_id = $1', [userId]);
      return this.createSession(tx, userId);
    });
  }

  /** Deletes the account and everything stored for it (sessions, records, client states, chunks). */
  async deleteAccount(userId: string, req: DeleteAccountRequest): Promise<void> {
    await this.verifyAuthKey(userId, req.authKey);
    await this.db.query('DELETE FROM users WHERE id = $1', [userId]);
  }

  private async verifyAuthKey(userId: string, authKey: string): Promise<void> {
    await hit(this.db, `account:${userId}`, this.config.rateLimits.account);
    const [user] = await this.db.query<{ auth_hash: string }>('SELECT auth_hash FROM users WHERE id = $1', [userId]);
    if (!user) throw new ApiError('unauthorized', 'The account no longer exists.');
    if (!(await argon2Verify(user.auth_hash, authKey))) throw new ApiError('bad-credentials', 'The current password is wrong.');
  }

  private async createSession(db: Queryable, userId: string): Promise<SessionResponse> {
    const token = randomBytes(TOKEN_BYTES).toString('base64url');
    const now = Date.now();
    const expiresAt = now + this.config.sessionTtlMs;
    await db.query('INSERT INTO sessions (token_hash, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)', [sha256(token), userId, now, expiresAt]);
    return { token, userId, expiresAt };
  }
}
