// Encrypted attachment chunks (iv + ciphertext, opaque), stored per user: a chunk is addressed by
// (user, attachment id, index), so another user's request never reaches it.
import type { Db } from '../db';
import { ApiError } from '../errors';

export class ChunkService {
  constructor(private readonly db: Db) {}

  async put(userId: string, attachmentId: string, index: number, data: Uint8Array): Promise<void> {
    if (data.byteLength === 0) throw new ApiError('invalid-body', 'A chunk cannot be empty.');
    await this.db.query(
      `INSERT INTO chunks (user_id, attachment_id, idx, data, created_at) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (user_id, attachment_id, idx) DO UPDATE SET data = EXCLUDED.data, created_at = EXCLUDED.created_at`,
      [userId, attachmentId, index, data, Date.now()],
    );
  }

  async get(userId: string, attachmentId: string, index: number): Promise<Uint8Array> {
    const [row] = await this.db.query<{ data: Uint8Array }>('SELECT data FROM chunks WHERE user_id = $1 AND attachment_id = $2 AND idx = $3', [
      userId,
      attachmentId,
      index,
    ]);
    if (!row) throw new ApiError('not-found', 'No such chunk.');
    return row.data;
  }

  async deleteAttachment(userId: string, attachmentId: string): Promise<void> {
    await this.db.query('DELETE FROM chunks WHERE user_id = $1 AND attachment_id = $2', [userId, attachmentId]);
  }
}
