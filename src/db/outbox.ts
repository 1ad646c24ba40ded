// The sync outbox: which records changed since they were last pushed. Every repository write of
// a record that syncs (conversations, messages, attachments) puts an entry here in the same
// Dexie transaction as the change (design rule 4), so a crash can never leave a change unsent.
// Entries are keyed by record, so the outbox holds at most one entry per record: the sync client
// reads the record as it is at push time, and acknowledges an entry only if it was not re-queued
// meanwhile (its `seq` is unchanged).
import { guard } from './errors';
import { now } from './ids';
import type { HearthDb } from './schema';
import type { OutboxEntry, SyncKind } from './types';

export const outboxKey = (kind: SyncKind, id: string): string => `${kind}:${id}`;

/** Queue a record for the next push. Call inside a transaction that includes `db.outbox`. */
export function enqueue(db: HearthDb, kind: SyncKind, id: string): Promise<string> {
  return db.outbox.put({ key: outboxKey(kind, id), kind, id, seq: now() });
}

/**
 * Queue many records at once (imports; `reconcile` for records to compare with the server's
 * version first). Call inside a transaction that includes `db.outbox`.
 */
export function enqueueMany(db: HearthDb, items: { kind: SyncKind; id: string }[], reconcile = false): Promise<string> {
  return db.outbox.bulkPut(items.map(({ kind, id }) => ({ key: outboxKey(kind, id), kind, id, seq: now(), ...(reconcile ? { reconcile: true as const } : {}) })));
}

export class OutboxRepo {
  constructor(private readonly db: HearthDb) {}

  /** Oldest first. */
  list(limit = 500): Promise<OutboxEntry[]> {
    return guard(() => this.db.outbox.orderBy('seq').limit(limit).toArray());
  }

  count(): Promise<number> {
    return guard(() => this.db.outbox.count());
  }

  /** The keys of the entries queued to reconcile (compared with the server's version before a push). */
  reconcileKeys(): Promise<Set<string>> {
    return guard(async () => new Set(await this.db.outbox.filter((e) => e.reconcile === true).primaryKeys()));
  }

  /** Remove entries that were pushed, unless the record changed again since they were read. */
  ack(entries: OutboxEntry[]): Promise<void> {
    return guard(() =>
      this.db.transaction('rw', this.db.outbox, async () => {
        const current = await this.db.outbox.bulkGet(entries.map((e) => e.key));
        const done = entries.filter((e, i) => current[i]?.seq === e.seq).map((e) => e.key);
        await this.db.outbox.bulkDelete(done);
      }),
    );
  }

  /** Queue every record (a first sign-in uploads everything the device holds). */
  enqueueAll(): Promise<void> {
    return guard(() =>
      this.db.transaction('rw', [this.db.conversations, this.db.messages, this.db.attachments, this.db.outbox], async () => {
        const items: { kind: SyncKind; id: string }[] = [
          ...(await this.db.conversations.toCollection().primaryKeys()).map((id) => ({ kind: 'conversation' as const, id })),
          ...(await this.db.messages.toCollection().primaryKeys()).map((id) => ({ kind: 'message' as const, id })),
          ...(await this.db.attachments.toCollection().primaryKeys()).map((id) => ({ kind: 'attachment' as const, id })),
        ];
        await enqueueMany(this.db, items);
      }),
    );
  }

  clear(): Promise<void> {
    return guard(() => this.db.outbox.clear());
  }
}
