// Fixed-window rate limits with the counters in the database, so every instance behind a load
// balancer counts the same requests. Old windows are deleted by the clean-up (maintenance.ts).
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
