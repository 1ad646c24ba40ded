// Fixed-window rate limits with the counters in the database, so every instance behind a load
// balancer counts the same requests.
import type { RateLimit } from '../config';
import type { Queryable } from '../db';
import { ApiError } from '../errors';

/** Counts one request under `key`; throws rate-limited (with Retry-After) beyond `limit.max`. */
export async function hit(db: Queryable, key: string, limit: RateLimit, now = Date.now()): Promise<void> {
  const windowStart = now - (now % limit.windowMs);
  const [row] = await db.query<{ count: number }>(
    `INSERT INTO rate_limits (key, window_start, count) VALUES ($1, $2, 1)
     ON CONFLICT (key) DO UPDATE SET
       count = CASE WHEN rate_limits.window_start = EXCLUDED.window_start THEN rate_limits.count + 1 ELSE 1 END,
       window_start = EXCLUDED.window_start
     RETURNING count`,
    [key, windowStart],
  );
  if (Number(row.count) > limit.max) {
    const retryAfter = Math.max(1, Math.ceil((windowStart + limit.windowMs - now) / 1000));
    throw new ApiError('rate-limited', 'Too many attempts; try again later.', retryAfter);
  }
  // Now and then, forget windows that ended long ago.
  if (Math.random() < 0.01) await db.query('DELETE FROM rate_limits WHERE window_start < $1', [now - 24 * 3600_000]);
}
