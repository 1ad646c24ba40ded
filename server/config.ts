// Server configuration from the environment (see docs/sync-server.md).
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
  /** Use the first X-Forwarded-For address as the client address (behind a reverse proxy). */
  trustProxy: boolean;
  sessionTtlMs: number;
  /** Argon2id cost of the server-side hash of the auth key (the auth key is already a 256-bit secret). */
  authHash: { memoryCost: number; timeCost: number; parallelism: number };
  rateLimits: {
    /** Per client address. */
    register: RateLimit;
    /** Per client address. */
    login: RateLimit;
    /** Per email address (login) or account (password change, delete). */
    account: RateLimit;
  };
}

export const DEFAULT_ORIGINS = ['http://127.0.0.1:4173', 'http://localhost:4173', 'http://127.0.0.1:5173'];

const MINUTE = 60_000;

export function defaultConfig(): ServerConfig {
  return {
    port: 8787,
    host: '127.0.0.1',
    dataDir: resolve('data'),
    allowedOrigins: DEFAULT_ORIGINS,
    trustProxy: false,
    sessionTtlMs: 30 * 24 * 60 * MINUTE,
    authHash: { memoryCost: 19456, timeCost: 2, parallelism: 1 },
    rateLimits: {
      register: { max: 10, windowMs: 60 * MINUTE },
      login: { max: 30, windowMs: 15 * MINUTE },
      account: { max: 10, windowMs: 15 * MINUTE },
    },
  };
}

function int(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new Error(`${name} must be a non-negative integer, got ${JSON.stringify(value)}`);
  return n;
}

export function configFromEnv(env: NodeJS.ProcessEnv = process.env): ServerConfig {
  const base = defaultConfig();
  const origins = env.ALLOWED_ORIGINS?.split(',').map((s) => s.trim().replace(/\/$/, '')).filter(Boolean);
  return {
    ...base,
    port: int('PORT', env.PORT, base.port),
    host: env.HOST || base.host,
    dataDir: resolve(env.DATA_DIR || base.dataDir),
    databaseUrl: env.DATABASE_URL || undefined,
    allowedOrigins: origins?.length ? origins : base.allowedOrigins,
    trustProxy: env.TRUST_PROXY === '1' || env.TRUST_PROXY === 'true',
    sessionTtlMs: int('SESSION_TTL_DAYS', env.SESSION_TTL_DAYS, 30) * 24 * 60 * MINUTE,
  };
}
