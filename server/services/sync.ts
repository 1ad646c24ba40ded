// Record sync: push stores the newest ciphertext per record with the next per-user sequence
// number; pull pages through the changes after a cursor, bounded in rows and in bytes.
//
// Ordering: a push locks the user's row (quota.ts lockUser) for its whole transaction, so one
// user's pushes serialize and commit in seq order; a pull therefore never sees seq n+1 before
// seq n has committed, and a cursor never skips a change. Idempotence: the client's last mutation
// id is stored in the same transaction, and mutation ids at or below it are skipped, so a retried
// push changes nothing. Both routes are rate-limited per account; a push that would grow the
// account past its quota is refused whole (nothing of it is stored), and so is one carrying an
// attachment record whose chunks the server does not hold (409 missing-chunks), or a record sent
// "if absent" (a reconciling device's copy) that the server holds already (409 conflict).
//
// History: a server restored from a backup has gone back in time: its seqs are below what devices
// have pulled or been given for their pushes, and the next pushes get those seqs again. Each push
// gets a random mark (table pushes: its seqs and mark; the newest PUSH_MARKS_KEPT per user). Each
// push and pull carries what the device last pulled (seq, record id and the mark of the push that
// wrote it), and the highest seq its pushes were given (record, mark); when the log's newest seq
// is below it, or the push that holds that seq has another mark (a seq given again), or, for a
// push whose mark is no longer kept, the log no longer holds that record at that seq or later, the
// user's epoch changes and the answer is 409 history-changed. Every answer names the epoch, so
// every device of the user (also those whose own check would pass) notices and reconciles. See
// docs/sync-server.md "Restore from backup".
import { randomUUID } from 'node:crypto';
import type { Change, PullQuery, PullResponse, PushRequest, PushResponse } from '../../src/shared/sync/protocol';
import type { ServerConfig } from '../config';
import type { Db, Queryable } from '../db';
import { ApiError } from '../errors';
import { ensureRoom, lockUser } from './quota';
import type { MemoryRateLimiter } from './rateLimit';

/**
 * JSON bytes of one change besides its ciphertext, rounded up: `{"seq":…,"recordId":"<uuid>",
 * "ciphertext":"","receivedAt":…},` is at most ~125 bytes. The page's own keys get the same.
 */
export const CHANGE_OVERHEAD_BYTES = 160;

/**
 * Push marks kept per user: a device whose cursor is older than that many pushes is checked by
 * its record id only. About 80 bytes a row: bounded storage whatever the push rate.
 */
export const PUSH_MARKS_KEPT = 1000;

/** What the device last pulled: its cursor, the record at it and its push's mark (null when unknown). */
type Seen = { seq: number; at: string | null; mark?: string | null };

export class SyncService {
  constructor(
    private readonly db: Db,
    private readonly config: Pick<ServerConfig, 'quotaBytes' | 'pullMaxBytes' | 'rateLimits'>,
    private readonly limiter: MemoryRateLimiter,
  ) {}

  async push(userId: string, req: PushRequest): Promise<PushResponse> {
    this.limiter.hit(`push:${userId}`, this.config.rateLimits.push);
    return historyKept(await this.db.transaction(async (tx): Promise<PushResponse | Lost> => {
      // The user's row lock first: everything below runs one push at a time per user. The client
      // state is read by a later statement, whose snapshot sees what the previous holder committed.
      const { used, lastSeq, epoch: stored } = await lockUser(tx, userId);
      const epoch = await this.checkHistory(tx, userId, { last_seq: lastSeq, epoch: stored }, req.seen);
      if (epoch === LOST) return LOST; // the new epoch commits; nothing of the push is applied
      const [state] = await tx.query<{ last_mutation_id: string | number }>(
        'SELECT last_mutation_id FROM client_states WHERE user_id = $1 AND client_id = $2',
        [userId, req.clientId],
      );
      const lastApplied = Number(state?.last_mutation_id ?? 0);
      const fresh = req.mutations.filter((m) => m.mutationId > lastApplied);
      if (fresh.length === 0) {
        return { lastMutationId: lastApplied, results: req.mutations.map((m) => ({ mutationId: m.mutationId, seq: null })), epoch };
      }
      await requireChunks(tx, userId, fresh);
      await requireAbsent(tx, userId, fresh);
      // One row per record: when a push holds several versions of a record, the last one wins.
      // Ciphertexts stay base64url text: both drivers parse text far faster than bytea.
      const newest = new Map<string, { index: number; ciphertext: string }>();
      fresh.forEach((m, i) => newest.set(m.recordId, { index: i, ciphertext: m.ciphertext }));
      let added = 0;
      for (const v of newest.values()) added += v.ciphertext.length;
      // One statement allocates the seqs and moves the usage by what the push adds minus what the
      // versions it replaces held; past the quota, the throw rolls all of it back.
      const [{ last_seq, replaced }] = await tx.query<{ last_seq: string | number; replaced: string | number }>(
        `WITH old AS (
           SELECT coalesce(sum(octet_length(ciphertext)), 0) AS n FROM records WHERE user_id = $1 AND record_id = ANY($4::uuid[])
         )
         UPDATE users SET last_seq = last_seq + $2, used_bytes = used_bytes + $3 - (SELECT n FROM old)
         WHERE id = $1 RETURNING last_seq, (SELECT n FROM old) AS replaced`,
        [userId, fresh.length, added, [...newest.keys()]],
      );
      ensureRoom(used, added - Number(replaced), this.config.quotaBytes);
      const firstSeq = Number(last_seq) - fresh.length + 1;
      const seqOf = new Map(fresh.map((m, i) => [m.mutationId, firstSeq + i]));
      const now = Date.now();
      const params: unknown[] = [userId, now];
      const values: string[] = [];
      for (const [recordId, v] of newest) {
        params.push(recordId, firstSeq + v.index, v.ciphertext);
        const n = params.length;
        values.push(`($1, $${n - 2}::uuid, $${n - 1}::bigint, $${n}, $2::bigint)`);
      }
      await tx.query(
        `INSERT INTO records (user_id, record_id, seq, ciphertext, received_at) VALUES ${values.join(', ')}
         ON CONFLICT (user_id, record_id) DO UPDATE
           SET seq = EXCLUDED.seq, ciphertext = EXCLUDED.ciphertext, received_at = EXCLUDED.received_at`,
        params,
      );
      // This push's mark, and the oldest marks past the kept number dropped (the subquery does
      // not see the new row: one more than kept stays until the next push).
      const mark = randomUUID();
      await tx.query(
        `WITH added AS (INSERT INTO pushes (user_id, first_seq, last_seq, mark) VALUES ($1, $2, $3, $4))
         DELETE FROM pushes WHERE user_id = $1 AND last_seq < (
           SELECT last_seq FROM pushes WHERE user_id = $1 ORDER BY last_seq DESC OFFSET $5 LIMIT 1)`,
        [userId, firstSeq, Number(last_seq), mark, PUSH_MARKS_KEPT - 1],
      );
      const lastMutationId = fresh[fresh.length - 1].mutationId;
      await tx.query(
        `INSERT INTO client_states (user_id, client_id, last_mutation_id, updated_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (user_id, client_id) DO UPDATE SET last_mutation_id = EXCLUDED.last_mutation_id, updated_at = EXCLUDED.updated_at`,
        [userId, req.clientId, lastMutationId, now],
      );
      return { lastMutationId, results: req.mutations.map((m) => ({ mutationId: m.mutationId, seq: seqOf.get(m.mutationId) ?? null })), epoch, mark };
    }));
  }

  /**
   * At most `limit` changes and `pullMaxBytes` bytes of JSON, but always at least one change (the
   * largest record fits the smallest allowed cap). The database sums the sizes in seq order and
   * returns the ciphertexts that fit, plus the first row that does not (without its ciphertext)
   * to say there is more.
   */
  async pull(userId: string, q: PullQuery): Promise<PullResponse> {
    this.limiter.hit(`pull:${userId}`, this.config.rateLimits.pull);
    const epoch = historyKept(await this.db.transaction(async (tx) => {
      const [user] = await tx.query<{ last_seq: string | number; epoch: string | null }>('SELECT last_seq, epoch FROM users WHERE id = $1', [userId]);
      if (!user) throw new ApiError('unauthorized', 'The account no longer exists.');
      return this.checkHistory(tx, userId, user, { seq: q.since, at: q.at ?? null, mark: q.mark }, { seq: q.pushed, at: q.pushedAt ?? null, mark: q.pushedMark });
    }));
    const budget = this.config.pullMaxBytes - CHANGE_OVERHEAD_BYTES;
    // `total` is the page's bytes up to and including the row. Returned: the rows that start
    // within the budget (those that fit and the first that does not) and at least two rows.
    const rows = await this.db.query<{ seq: string | number; record_id: string; ciphertext: string | null; received_at: string | number }>(
      `SELECT seq, record_id, received_at, CASE WHEN n = 1 OR total <= $5 THEN ciphertext END AS ciphertext
       FROM (
         SELECT seq, record_id, received_at, ciphertext, row_number() OVER w AS n,
                sum(octet_length(ciphertext) + $4) OVER w AS total, octet_length(ciphertext) + $4 AS size
         FROM records WHERE user_id = $1 AND seq > $2
         WINDOW w AS (ORDER BY seq ROWS UNBOUNDED PRECEDING)
         ORDER BY seq LIMIT $3
       ) page
       WHERE total - size <= $5 OR n <= 2
       ORDER BY seq`,
      [userId, q.since, q.limit + 1, CHANGE_OVERHEAD_BYTES, budget],
    );
    const fitting = rows.filter((r) => r.ciphertext !== null);
    const hasMore = fitting.length < rows.length || fitting.length > q.limit;
    const changes: Change[] = fitting.slice(0, q.limit).map((r) => ({
      seq: Number(r.seq),
      recordId: r.record_id,
      ciphertext: r.ciphertext as string,
      receivedAt: Number(r.received_at),
    }));
    const cursor = changes.length ? changes[changes.length - 1].seq : q.since;
    const mark = changes.length ? await markOf(this.db, userId, cursor) : null;
    return { changes, cursor, hasMore, epoch, ...(mark ? { mark } : {}) };
  }

  /** The user's epoch (made on first use), or LOST (with a new epoch) when the log lost what the device saw. */
  private async checkHistory(tx: Queryable, userId: string, user: { last_seq: string | number; epoch: string | null }, ...seen: (Seen | undefined)[]): Promise<string | Lost> {
    let lost = false;
    for (const s of seen) {
      if (lost || !s || s.seq <= 0) continue;
      lost = Number(user.last_seq) < s.seq;
      const mark = lost || !s.mark ? null : await markOf(tx, userId, s.seq);
      if (mark) lost = mark !== s.mark;
      else if (!lost && s.at) {
        const [row] = await tx.query<{ seq: string | number }>('SELECT seq FROM records WHERE user_id = $1 AND record_id = $2', [userId, s.at]);
        lost = !row || Number(row.seq) < s.seq;
      }
    }
    if (!lost && user.epoch) return user.epoch;
    const [{ epoch }] = await tx.query<{ epoch: string }>(
      // Two requests at once may both make one; the first committed stays unless history was lost.
      lost ? 'UPDATE users SET epoch = $2 WHERE id = $1 RETURNING epoch' : 'UPDATE users SET epoch = COALESCE(epoch, $2) WHERE id = $1 RETURNING epoch',
      [userId, randomUUID()],
    );
    return lost ? LOST : epoch;
  }
}

/** The mark of the push that was given `seq` (null when not kept, or written before marks). */
async function markOf(db: Queryable, userId: string, seq: number): Promise<string | null> {
  const [row] = await db.query<{ first_seq: string | number; mark: string }>(
    'SELECT first_seq, mark FROM pushes WHERE user_id = $1 AND last_seq >= $2 ORDER BY last_seq LIMIT 1',
    [userId, seq],
  );
  return row && Number(row.first_seq) <= seq ? row.mark : null;
}

const LOST = Symbol('history lost');
type Lost = typeof LOST;

/** Throws history-changed for LOST (after its transaction committed the new epoch). */
function historyKept<T>(v: T | Lost): T {
  if (v === LOST) throw new ApiError('history-changed', 'The sync server no longer holds changes this device has seen (it was restored from a backup); this device will reconcile.');
  return v;
}

/** A mutation pushed "if absent" is refused (the whole push) when the server holds that record already. */
async function requireAbsent(tx: Queryable, userId: string, mutations: PushRequest['mutations']): Promise<void> {
  const ids = mutations.filter((m) => m.ifAbsent).map((m) => m.recordId);
  if (!ids.length) return;
  const rows = await tx.query('SELECT record_id FROM records WHERE user_id = $1 AND record_id = ANY($2::uuid[])', [userId, ids]);
  if (rows.length) throw new ApiError('conflict', `${rows.length} record(s) this push carries as new reached the server from another device meanwhile; pull and compare again.`);
}

/**
 * An attachment record is accepted only with its chunks on the server (`chunks` of a mutation):
 * the client uploads them first, but a restore from a backup or the orphan clean-up may have
 * removed them since. Refused whole (nothing applied); the client uploads them again.
 */
async function requireChunks(tx: Queryable, userId: string, mutations: PushRequest['mutations']): Promise<void> {
  const needed = mutations.filter((m) => m.chunks);
  if (!needed.length) return;
  const rows = await tx.query<{ id: string; have: string | number; n: number }>(
    `SELECT w.id, w.n, (SELECT count(*) FROM chunks c WHERE c.user_id = $1 AND c.attachment_id = w.id AND c.idx < w.n) AS have
     FROM unnest($2::uuid[], $3::int[]) AS w(id, n)`,
    [userId, needed.map((m) => m.recordId), needed.map((m) => m.chunks)],
  );
  const missing = rows.filter((r) => Number(r.have) < r.n).length;
  if (missing) throw new ApiError('missing-chunks', `${missing} attachment(s) in this push miss chunks on the server; upload them again.`);
}

