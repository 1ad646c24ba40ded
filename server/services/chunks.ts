// Encrypted attachment chunks (iv + ciphertext, opaque), stored per user: a chunk is addressed by
// (user, attachment id, index), so another user's request never reaches it. Uploads and downloads
// are rate-limited per account; stored bytes count against the account's quota (quota.ts).
import type { ServerConfig } from '../config';
import type { Db, Queryable } from '../db';
import { ApiError } from '../errors';
import { addUsage, ensureRoom, lockUser } from './quota';
import type { MemoryRateLimiter } from './rateLimit';

export class ChunkService {
  constructor(
    private readonly db: Db,
    private readonly config: Pick<ServerConfig, 'quotaBytes' | 'rateLimits'>,
    private readonly limiter: MemoryRateLimiter,
  ) {}

  async put(userId: string, attachmentId: string, index: number, data: Uint8Array): Promise<void> {
    if (data.byteLength === 0) throw new ApiError('invalid-body', 'A chunk cannot be empty.');
    this.limiter.hit(`chunk:${userId}`, this.config.rateLimits.chunk);
    await this.db.transaction(async (tx) => {
      const { used } = await lockUser(tx, userId);
      const [old] = await tx.query<{ n: number }>(
        'SELECT octet_length(data) AS n FROM chunks WHERE user_id = $1 AND attachment_id = $2 AND idx = $3',
        [userId, attachmentId, index],
      );
      const delta = data.byteLength - Number(old?.n ?? 0);
      ensureRoom(used, delta, this.config.quotaBytes);
      await tx.query(
        `INSERT INTO chunks (user_id, attachment_id, idx, data, created_at) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (user_id, attachment_id, idx) DO UPDATE SET data = EXCLUDED.data, created_at = EXCLUDED.created_at`,
        [userId, attachmentId, index, data, Date.now()],
      );
      await addUsage(tx, userId, delta);
    });
  }

  async get(userId: string, attachmentId: string, index: number): Promise<Uint8Array> {
    this.limiter.hit(`chunk:${userId}`, this.config.rateLimits.chunk);
    const [row] = await this.db.query<{ data: Uint8Array }>('SELECT data FROM chunks WHERE user_id = $1 AND attachment_id = $2 AND idx = $3', [
      userId,
      attachmentId,
      index,
    ]);
    if (!row) throw new ApiError('not-found', 'No such chunk.');
    return row.data;
  }

  async deleteAttachment(userId: string, attachmentId: string): Promise<void> {
    await this.db.transaction(async (tx) => {
      await lockUser(tx, userId);
      await deleteChunks(tx, userId, 'attachment_id = $2', [attachmentId]);
    });
  }
}

/**
 * Deletes the user's chunks matching `where` ($1 is the user id) and takes their bytes off the
 * account's usage. Call with the user's row locked.
 */
export async function deleteChunks(tx: Queryable, userId: string, where: string, params: unknown[]): Promise<number> {
  const gone = await tx.query<{ n: number }>(`DELETE FROM chunks WHERE user_id = $1 AND ${where} RETURNING octet_length(data) AS n`, [userId, ...params]);
  await addUsage(tx, userId, -gone.reduce((sum, r) => sum + Number(r.n), 0));
  return gone.length;
}
