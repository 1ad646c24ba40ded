// The push batch state of the sync client (syncState rows): the pending batch (persisted before it
// is sent, resent as is until the server acknowledges it), the next mutation id, and when the last
// batch was acknowledged. SyncStateRepo (src/db/sync.ts) extends it with the rest of the state.
import { guard } from './errors';
import type { HearthDb } from './schema';
import { SYNC_PENDING_KEY, type PullCursor } from './syncApply';
import type { OutboxEntry } from './types';
import type { Mutation } from '../shared/sync/protocol';

/**
 * A push batch, stored before it is sent and resent as is until the server acknowledges it (less
 * a record a newer pulled version replaced meanwhile: src/db/syncApply.ts).
 */
export interface PendingBatch {
  clientId: string;
  mutations: Mutation[];
  /** The outbox entries the batch covers, as read (acknowledged only if unchanged since). */
  entries: OutboxEntry[];
  /** Set (and stored) before the batch is first sent: a server answer "already applied" is then expected. */
  sent?: boolean;
}

/** The highest seq a push of this device was given, the record it was given to, and the push's mark. */
export type PushedAt = PullCursor;

export const BATCH_KEYS = {
  nextMutationId: 'nextMutationId',
  pending: SYNC_PENDING_KEY,
  lastSyncedAt: 'lastSyncedAt',
  /** The highest seq the server gave a push of this device, its record and the push's mark (see PullQuery.pushed). */
  pushedAt: 'pushedAt',
} as const;

export class PushBatchState {
  constructor(protected readonly db: HearthDb) {}

  protected async value<T>(key: string): Promise<T | undefined> {
    return (await this.db.syncState.get(key))?.value as T | undefined;
  }

  protected put(key: string, value: unknown) {
    return this.db.syncState.put({ key, value });
  }

  pendingBatch(): Promise<PendingBatch | undefined> {
    return guard(() => this.value<PendingBatch>(BATCH_KEYS.pending));
  }

  /**
   * Persists a batch before it is sent, numbering its mutations from the next free mutation id
   * in the same transaction (so two tabs never number two batches alike). If a batch is already
   * pending (another tab saved one), that one is returned instead and must be sent first.
   * `after` (the server's last applied mutation id) raises the numbering above it.
   */
  savePending(batch: PendingBatch, after = 0): Promise<PendingBatch> {
    return guard(() =>
      this.db.transaction('rw', this.db.syncState, async () => {
        const existing = await this.value<PendingBatch>(BATCH_KEYS.pending);
        if (existing) return existing;
        let next = Math.max((await this.value<number>(BATCH_KEYS.nextMutationId)) ?? 1, after + 1);
        const saved: PendingBatch = { ...batch, sent: false, mutations: batch.mutations.map((m) => ({ ...m, mutationId: next++ })) };
        await this.put(BATCH_KEYS.pending, saved);
        await this.put(BATCH_KEYS.nextMutationId, next);
        return saved;
      }),
    );
  }

  /** Marks the pending batch as sent (before it is sent for the first time). */
  markSent(batch: PendingBatch): Promise<void> {
    return guard(async () => {
      await this.db.transaction('rw', this.db.syncState, async () => {
        const cur = await this.value<PendingBatch>(BATCH_KEYS.pending);
        if (cur && cur.mutations[0]?.mutationId === batch.mutations[0]?.mutationId) await this.put(BATCH_KEYS.pending, { ...cur, sent: true });
      });
    });
  }

  /**
   * The server answered a batch's first sending with "already applied" for some mutations: their
   * ids were used before (by another tab or a restored server state). Those are renumbered above
   * `after` and kept pending; the rest is done.
   */
  async renumberPending(batch: PendingBatch, reused: Set<number>, after: number): Promise<PendingBatch> {
    return guard(() =>
      this.db.transaction('rw', this.db.syncState, async () => {
        await this.db.syncState.delete(BATCH_KEYS.pending);
        return this.savePending({ ...batch, mutations: batch.mutations.filter((m) => reused.has(m.mutationId)) }, after);
      }),
    );
  }

  /**
   * The server refused the batch whole and applied none of it (its account is full): forget the
   * batch, so the next one is built afresh from the outbox (whose entries stay) and carries what
   * changed since, such as the deletes that make room. Its mutation ids are simply never used.
   */
  dropPending(batch: PendingBatch): Promise<void> {
    return guard(async () => {
      await this.db.transaction('rw', this.db.syncState, async () => {
        const cur = await this.value<PendingBatch>(BATCH_KEYS.pending);
        if (cur && cur.clientId === batch.clientId && cur.mutations[0]?.mutationId === batch.mutations[0]?.mutationId) await this.db.syncState.delete(BATCH_KEYS.pending);
      });
    });
  }

  /** The highest seq the server gave a push of this device, its record and the push's mark (seq 0 when none). */
  async pushedAt(): Promise<PushedAt> {
    return guard(async () => (await this.value<PushedAt>(BATCH_KEYS.pushedAt)) ?? { seq: 0, at: null, mark: null });
  }

  /**
   * The server applied the batch: acknowledge its outbox entries (unless re-queued) and drop it;
   * `top` is the highest seq the answer gave (kept if above the one stored).
   */
  finishPending(batch: PendingBatch, at: number, top: PushedAt = { seq: 0, at: null, mark: null }): Promise<void> {
    const { db } = this;
    return guard(() =>
      db.transaction('rw', db.syncState, db.outbox, async () => {
        const current = await db.outbox.bulkGet(batch.entries.map((e) => e.key));
        await db.outbox.bulkDelete(batch.entries.filter((e, i) => current[i]?.seq === e.seq).map((e) => e.key));
        await db.syncState.delete(BATCH_KEYS.pending);
        await this.put(BATCH_KEYS.lastSyncedAt, at);
        const before = await this.value<{ seq: number }>(BATCH_KEYS.pushedAt);
        if (top.seq > (before?.seq ?? 0)) await this.put(BATCH_KEYS.pushedAt, top);
      }),
    );
  }
}
