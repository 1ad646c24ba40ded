// Fixed-window rate limits. The auth limits (register, login, password checks) keep their counters
// in the database, so every instance behind a load balancer counts the same attempts (old windows
// are deleted by the clean-up, maintenance.ts); the per-account limits on sync traffic are counted
// in memory (MemoryRateLimiter), so they cost no database write.
import type { RateLimit } from '../config';
import type { Queryable } from '../db';
import { ApiError } from '../errors';

const windowOf = (limit: RateLimit, now: number) => now - (now % limit.windowMs);

function refuse(limit: RateLimit, windowStart: number, now: number): never {
  const retryAfter = Math.max(1, Math.ceil((windowStart + limit.windowMs - now) / 1000));
  throw new ApiError('rate-limited', 'Too many attempts; try again later.', retryAfter);
}

/** Adds one to the count under `key` in the current window; returns the new count. */
export async function count(db: Queryable, key: string, limit: RateLimit, now = Date.now()): Promise<number> {
  const [row] = await db.query<{ count: number }>(
    `INSERT INTO rate_limits (key, window_start, count) VALUES ($1, $2, 1)
     ON CONFLICT (key) DO UPDATE SET
       count = CASE WHEN rate_limits.window_start = EXCLUDED.window_start THEN rate_limits.count + 1 ELSE 1 END,
       window_start = EXCLUDED.window_start
     RETURNING count`,
    [key, windowOf(limit, now)],
  );
  return Number(row.count);
}

/** Counts one request under `key`; throws rate-limited (with Retry-After) beyond `limit.max`. */
export async function hit(db: Queryable, key: string, limit: RateLimit, now = Date.now()): Promise<void> {
  if ((await count(db, key, limit, now)) > limit.max) refuse(limit, windowOf(limit, now), now);
}

/** Throws rate-limited when `key` already reached `limit.max` in this window; counts nothing. */
export async function check(db: Queryable, key: string, limit: RateLimit, now = Date.now()): Promise<void> {
  const windowStart = windowOf(limit, now);
  const [row] = await db.query<{ count: number }>('SELECT count FROM rate_limits WHERE key = $1 AND window_start = $2', [key, windowStart]);
  if (row && Number(row.count) >= limit.max) refuse(limit, windowStart, now);
}

/**
 * The per-account limits on sync traffic (push, pull, chunks), counted in this process's memory:
 * a database counter would turn every pull into a write and serialize an account's requests on
 * one row. With several instances an account may reach each instance's limit (the auth limits,
 * which guard accounts, stay in the database and are shared).
 */
export class MemoryRateLimiter {
  private readonly windows = new Map<string, { start: number; count: number }>();

  constructor(private readonly maxKeys = 100_000) {}

  /** Keys counted now (at most `maxKeys`). */
  get size(): number {
    return this.windows.size;
  }

  hit(key: string, limit: RateLimit, now = Date.now()): void {
    const start = windowOf(limit, now);
    let w = this.windows.get(key);
    if (!w || w.start !== start) {
      if (this.windows.size >= this.maxKeys) this.prune(now, limit.windowMs);
      w = { start, count: 0 };
      this.windows.set(key, w);
    }
    if (++w.count > limit.max) refuse(limit, start, now);
  }

  /** Forgets windows that ended; if every window is current, the oldest half. */
  private prune(now: number, windowMs: number): void {
    for (const [key, w] of this.windows) if (w.start + windowMs <= now) this.windows.delete(key);
    if (this.windows.size < this.maxKeys) return;
    let n = this.windows.size / 2;
    for (const key of this.windows.keys()) {
      if (n-- <= 0) break;
      this.windows.delete(key);
    }
  }
}
