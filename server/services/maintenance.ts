// Periodic clean-up, run by every server process (startServer) and safe to run on several
// instances at once: expired sessions, rate-limit windows that ended long ago, and orphan chunks
// (chunks of an attachment id no record of the account carries, older than a grace period: the
// client uploads chunks before it pushes the record that describes them, so young ones wait).
import type { ServerConfig } from '../config';
import type { Db } from '../db';
import { deleteChunks } from './chunks';

/** Rate-limit windows are at most an hour; their counters are kept a day. */
const RATE_LIMIT_KEEP_MS = 24 * 3600_000;

export interface CleanupReport {
  sessions: number;
  rateLimits: number;
  orphanChunks: number;
}

export class MaintenanceService {
  constructor(
    private readonly db: Db,
    private readonly config: Pick<ServerConfig, 'cleanup'>,
  ) {}

  async cleanup(now = Date.now()): Promise<CleanupReport> {
    const sessions = await this.db.query('DELETE FROM sessions WHERE expires_at <= $1 RETURNING user_id', [now]);
    const rateLimits = await this.db.query('DELETE FROM rate_limits WHERE window_start < $1 RETURNING key', [now - RATE_LIMIT_KEEP_MS]);
    return { sessions: sessions.length, rateLimits: rateLimits.length, orphanChunks: await this.orphanChunks(now - this.config.cleanup.orphanChunkGraceMs) };
  }

  /** Per account, with its row locked like every writer of chunks, so usage stays exact. */
  private async orphanChunks(cutoff: number): Promise<number> {
    const orphan = `created_at < $2 AND NOT EXISTS (
      SELECT 1 FROM records r WHERE r.user_id = chunks.user_id AND r.record_id = chunks.attachment_id)`;
    const users = await this.db.query<{ user_id: string }>(`SELECT DISTINCT user_id FROM chunks WHERE ${orphan.replace('$2', '$1')}`, [cutoff]);
    let deleted = 0;
    for (const { user_id } of users) {
      deleted += await this.db.transaction(async (tx) => {
        // Lock as every chunk writer does (quota.ts); an account deleted meanwhile took its chunks along.
        const locked = await tx.query('SELECT id FROM users WHERE id = $1 FOR UPDATE', [user_id]);
        return locked.length ? deleteChunks(tx, user_id, orphan, [cutoff]) : 0;
      });
    }
    return deleted;
  }
}

/** Runs the clean-up every `intervalMs` (first run right away); returns a stop function. */
export function scheduleCleanup(service: MaintenanceService, intervalMs: number): () => void {
  if (intervalMs <= 0) return () => undefined;
  const run = () =>
    void service.cleanup().catch((err: unknown) => console.error('[server] clean-up failed:', err instanceof Error ? err.message : err));
  run();
  const timer = setInterval(run, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
