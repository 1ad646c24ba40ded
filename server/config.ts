// Server configuration from the environment (see docs/sync-server.md, "Limits and quotas").
import { resolve } from 'node:path';

export interface RateLimit {
  /** Requests allowed per window. */
  max: number;
  windowMs: number;
}

export interface ServerConfig {
  port: number;
  host: string;
  dataDir: string;
  databaseUrl?: string;
  allowedOrigins: string[];
  /**
   * How many reverse proxies in front of the server append to X-Forwarded-For (0: none, use the
   * socket's address). The client address is the entry that many from the right: entries further
   * left were written by the client and are never trusted.
   */
  trustProxy: number;
  sessionTtlMs: number;
  /** Argon2id cost of the server-side hash of the auth key (the auth key is already a 256-bit secret). */
  authHash: { memoryCost: number; timeCost: number; parallelism: number };
  /** Largest pull answer (bytes of JSON); a page always holds at least one record. */
  pullMaxBytes: number;
  /** Bytes of record ciphertexts plus attachment chunks one account may store. */
  quotaBytes: number;
  rateLimits: {
    /** Per client address. */
    register: RateLimit;
    /** Per client address (every attempt). */
    login: RateLimit;
    /** Failed logins per email and client address; password checks per account (password change, delete). */
    account: RateLimit;
    /** Per account. */
    push: RateLimit;
    pull: RateLimit;
    chunk: RateLimit;
  };
  cleanup: {
    /** How often the clean-up runs in the server process (0: never). */
    intervalMs: number;
    /** Chunks of an attachment no record names are deleted once this old. */
    orphanChunkGraceMs: number;
  };
  postgres: {
    /** Connections in the pool. */
    poolMax: number;
    /** Waiting for a pooled connection. */
    connectionTimeoutMs: number;
    /** PostgreSQL's statement_timeout; with PGlite, the longest wait for its one connection. */
    statementTimeoutMs: number;
    lockTimeoutMs: number;
    idleInTransactionTimeoutMs: number;
  };
}

export const DEFAULT_ORIGINS = ['http://127.0.0.1:4173', 'http://localhost:4173', 'http://127.0.0.1:5173'];

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const MiB = 1024 * 1024;
/** A pull page must fit one record of the largest size (2 MiB decoded, ~2.8 MB as base64url). */
export const MIN_PULL_MAX_BYTES = 4 * MiB;

export function defaultConfig(): ServerConfig {
  return {
    port: 8787,
    host: '127.0.0.1',
    dataDir: resolve('data'),
    allowedOrigins: DEFAULT_ORIGINS,
    trustProxy: 0,
    sessionTtlMs: 30 * 24 * 60 * MINUTE,
    authHash: { memoryCost: 19456, timeCost: 2, parallelism: 1 },
    pullMaxBytes: 8 * MiB,
    quotaBytes: 1024 * MiB,
    rateLimits: {
      register: { max: 10, windowMs: 60 * MINUTE },
      login: { max: 30, windowMs: 15 * MINUTE },
      account: { max: 10, windowMs: 15 * MINUTE },
      push: { max: 600, windowMs: MINUTE },
      pull: { max: 600, windowMs: MINUTE },
      chunk: { max: 3000, windowMs: MINUTE },
    },
    cleanup: { intervalMs: 10 * MINUTE, orphanChunkGraceMs: 7 * 24 * HOUR },
    postgres: { poolMax: 10, connectionTimeoutMs: 10_000, statementTimeoutMs: 30_000, lockTimeoutMs: 10_000, idleInTransactionTimeoutMs: 60_000 },
  };
}

function int(name: string, value: string | undefined, fallback: number, min = 0): number {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new Error(`${name} must be an integer of at least ${min}, got ${JSON.stringify(value)}`);
  return n;
}

/** `TRUST_PROXY`: a number of proxies; `true` (older configurations) means one. */
function proxies(value: string | undefined): number {
  if (value === undefined || value === '' || value === 'false') return 0;
  if (value === 'true') return 1;
  return int('TRUST_PROXY', value, 0);
}

export function configFromEnv(env: NodeJS.ProcessEnv = process.env): ServerConfig {
  const base = defaultConfig();
  const origins = env.ALLOWED_ORIGINS?.split(',').map((s) => s.trim().replace(/\/$/, '')).filter(Boolean);
  const perMinute = (name: string, limit: RateLimit): RateLimit => ({ max: int(name, env[name], limit.max, 1), windowMs: MINUTE });
  const pg = base.postgres;
  return {
    ...base,
    port: int('PORT', env.PORT, base.port),
    host: env.HOST || base.host,
    dataDir: resolve(env.DATA_DIR || base.dataDir),
    databaseUrl: env.DATABASE_URL || undefined,
    allowedOrigins: origins?.length ? origins : base.allowedOrigins,
    trustProxy: proxies(env.TRUST_PROXY),
    sessionTtlMs: int('SESSION_TTL_DAYS', env.SESSION_TTL_DAYS, 30, 1) * 24 * 60 * MINUTE,
    pullMaxBytes: int('PULL_MAX_MIB', env.PULL_MAX_MIB, base.pullMaxBytes / MiB, MIN_PULL_MAX_BYTES / MiB) * MiB,
    quotaBytes: int('QUOTA_MIB', env.QUOTA_MIB, base.quotaBytes / MiB, 1) * MiB,
    rateLimits: {
      ...base.rateLimits,
      push: perMinute('PUSH_PER_MINUTE', base.rateLimits.push),
      pull: perMinute('PULL_PER_MINUTE', base.rateLimits.pull),
      chunk: perMinute('CHUNKS_PER_MINUTE', base.rateLimits.chunk),
    },
    cleanup: {
      intervalMs: int('CLEANUP_INTERVAL_MINUTES', env.CLEANUP_INTERVAL_MINUTES, base.cleanup.intervalMs / MINUTE) * MINUTE,
      orphanChunkGraceMs: int('ORPHAN_CHUNK_GRACE_HOURS', env.ORPHAN_CHUNK_GRACE_HOURS, base.cleanup.orphanChunkGraceMs / HOUR, 1) * HOUR,
    },
    postgres: {
      poolMax: int('PG_POOL_MAX', env.PG_POOL_MAX, pg.poolMax, 1),
      connectionTimeoutMs: int('PG_CONNECT_TIMEOUT_MS', env.PG_CONNECT_TIMEOUT_MS, pg.connectionTimeoutMs, 1),
      statementTimeoutMs: int('PG_STATEMENT_TIMEOUT_MS', env.PG_STATEMENT_TIMEOUT_MS, pg.statementTimeoutMs, 1),
      lockTimeoutMs: int('PG_LOCK_TIMEOUT_MS', env.PG_LOCK_TIMEOUT_MS, pg.lockTimeoutMs, 1),
      idleInTransactionTimeoutMs: int('PG_IDLE_IN_TRANSACTION_TIMEOUT_MS', env.PG_IDLE_IN_TRANSACTION_TIMEOUT_MS, pg.idleInTransactionTimeoutMs, 1),
    },
  };
}
