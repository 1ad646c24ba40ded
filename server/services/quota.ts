// Per-account storage quota: `users.used_bytes` counts the bytes of the account's record
// ciphertexts (as stored, base64url text) and attachment chunks. Every writer of records or chunks
// locks the user's row first (`lockUser`), checks the room it needs and updates the count in the
// same transaction, so the count never drifts and concurrent writers cannot overshoot. A write
// that does not grow the account (a tombstone replacing a record, a delete) is always accepted.
import type { Queryable } from '../db';
import { ApiError } from '../errors';

/** What a writer reads from the user's row as it locks it. */
export interface LockedUser {
  /** Bytes the account stores. */
  used: number;
  lastSeq: number;
  /** The history's epoch (services/sync.ts), null until first used. */
  epoch: string | null;
}

/** Locks the user's row for the transaction and reads it. */
export async function lockUser(tx: Queryable, userId: string): Promise<LockedUser> {
  const [row] = await tx.query<{ used_bytes: string | number; last_seq: string | number; epoch: string | null }>(
    'SELECT used_bytes, last_seq, epoch FROM users WHERE id = $1 FOR UPDATE',
    [userId],
  );
  if (!row) throw new ApiError('unauthorized', 'The account no longer exists.');
  return { used: Number(row.used_bytes), lastSeq: Number(row.last_seq), epoch: row.epoch };
}

/** Throws quota-exceeded when growing by `delta` bytes would pass the quota. */
export function ensureRoom(used: number, delta: number, quotaBytes: number): void {
  if (delta <= 0 || used + delta <= quotaBytes) return;
  const mib = (n: number) => `${Math.round((n / 1024 / 1024) * 10) / 10} MiB`;
  throw new ApiError(
    'quota-exceeded',
    `The account is full: it stores ${mib(used)} of its ${mib(quotaBytes)} and this needs ${mib(delta)} more. Delete conversations or attachments, or ask the server's operator for more room.`,
  );
}

export async function addUsage(tx: Queryable, userId: string, delta: number): Promise<void> {
  if (delta !== 0) await tx.query('UPDATE users SET used_bytes = used_bytes + $2 WHERE id = $1', [userId, delta]);
}
