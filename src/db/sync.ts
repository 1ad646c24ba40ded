// Sync client state on this device (schema v3 tables `syncState` and `keys`): the signed-in
// account, the account key (a non-extractable CryptoKey, never in localStorage), client id, pull
// cursor, next mutation id, the pending (persisted, not yet acknowledged) push batch, and which
// attachments already have their encrypted chunks on the server, the server's epoch, whether the
// device is reconciling with the server, and the records set aside. Sign-in and sign-out change
// all of it in one transaction.
import { guard } from './errors';
import { canonicalizeLocalIds } from './idRepair';
import type { HearthDb } from './schema';
import { applyPulled, asideCount, asideRecords, queueAllForReconcile, SYNC_CURSOR_AT_KEY, SYNC_CURSOR_KEY, SYNC_PENDING_KEY } from './syncApply';
import type { ApplyRecord, ApplyResult, AsideRecord, PullCursor } from './syncApply';
import type { Attachment, Conversation, Message, OutboxEntry, SyncKind } from './types';
import type { KdfParams, Mutation, WrappedKey } from '../shared/sync/protocol';

export interface SyncAccount {
  serverUrl: string;
  email: string;
  userId: string;
  token: string;
  expiresAt: number;
  kdf: KdfParams;
  wrappedAccountKey: WrappedKey;
}

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

export interface StoredFileInfo {
  sha256: string;
  size: number;
  chunkCount: number;
}

export type LocalRecord = Conversation | Message | Attachment;

const ACCOUNT_KEY_ID = 'account';
const K = {
  account: 'account',
  keyId: 'keyId',
  clientId: 'clientId',
  cursor: SYNC_CURSOR_KEY,
  cursorAt: SYNC_CURSOR_AT_KEY,
  epoch: 'epoch',
  reconcile: 'reconcile',
  nextMutationId: 'nextMutationId',
  pending: SYNC_PENDING_KEY,
  lastSyncedAt: 'lastSyncedAt',
} as const;
const fileKey = (attachmentId: string) => `file:${attachmentId}`;

export class SyncStateRepo {
  constructor(private readonly db: HearthDb) {}

  private async value<T>(key: string): Promise<T | undefined> {
    return (await this.db.syncState.get(key))?.value as T | undefined;
  }

  private put(key: string, value: unknown) {
    return this.db.syncState.put({ key, value });
  }

  account(): Promise<SyncAccount | undefined> {
    return guard(() => this.value<SyncAccount>(K.account));
  }

  /** The account key and its id, when signed in. */
  accountKey(): Promise<{ key: CryptoKey; keyId: string } | undefined> {
    return guard(async () => {
      const rec = await this.db.keys.get(ACCOUNT_KEY_ID);
      const keyId = await this.value<string>(K.keyId);
      return rec && keyId ? { key: rec.key, keyId } : undefined;
    });
  }

  /**
   * Sign-in: stores the account and its key and starts a fresh client (new id, cursor 0, mutation
   * ids from 1). With `keepLocal` the local records are queued to reconcile (pulled first; pushed
   * only if the server lacks them or holds them older); without, they are removed from this device.
   */
  begin(account: SyncAccount, key: CryptoKey, keyId: string, clientId: string, keepLocal = true): Promise<void> {
    const { db } = this;
    return guard(() =>
      db.transaction('rw', [db.syncState, db.keys, db.outbox, db.conversations, db.messages, db.attachments], async () => {
        await db.syncState.clear();
        await db.keys.put({ id: ACCOUNT_KEY_ID, key, createdAt: Date.now() });
        await db.syncState.bulkPut([
          { key: K.account, value: account },
          { key: K.keyId, value: keyId },
          { key: K.clientId, value: clientId },
          { key: K.cursor, value: 0 },
          { key: K.nextMutationId, value: 1 },
          { key: K.reconcile, value: true },
        ]);
        if (keepLocal) {
          await canonicalizeLocalIds(db);
          await queueAllForReconcile(db, false);
        }
        else await Promise.all([db.outbox.clear(), db.conversations.clear(), db.messages.clear(), db.attachments.clear()]);
      }),
    );
  }

  /** Rewrites local records an older version imported with upper-case ids (src/db/idRepair.ts). */
  repairIds(): Promise<number> {
    return canonicalizeLocalIds(this.db);
  }

  /** Whether the device is reconciling (pull everything first, then push). */
  async reconciling(): Promise<boolean> {
    return guard(async () => (await this.value<boolean>(K.reconcile)) === true);
  }

  /**
   * The server's history changed (restored from a backup): pull everything again from 0 and
   * reconcile every local record with it. A batch not yet acknowledged is dropped (its outbox
   * entries stay, to reconcile); mutation ids go on increasing.
   */
  startReconcile(epoch: string | null): Promise<void> {
    const { db } = this;
    return guard(() =>
      db.transaction('rw', [db.syncState, db.outbox, db.conversations, db.messages, db.attachments], async () => {
        await db.syncState.delete(K.pending);
        await db.syncState.bulkPut([
          { key: K.cursor, value: 0 },
          { key: K.cursorAt, value: null },
          { key: K.reconcile, value: true },
          { key: K.epoch, value: epoch },
        ]);
        await queueAllForReconcile(db, true);
      }),
    );
  }

  /** The pull after a sign-in or restore reached the end: what is still queued is pushed. */
  endReconcile(): Promise<void> {
    return guard(() => this.db.syncState.delete(K.reconcile));
  }

  /** The epoch the server last named (see PullResponse.epoch), or null. */
  async epoch(): Promise<string | null> {
    return guard(async () => (await this.value<string | null>(K.epoch)) ?? null);
  }

  setEpoch(epoch: string): Promise<void> {
    return guard(() => this.put(K.epoch, epoch).then(() => undefined));
  }

  updateAccount(patch: Partial<SyncAccount>): Promise<void> {
    return guard(async () => {
      await this.db.transaction('rw', this.db.syncState, async () => {
        const cur = await this.value<SyncAccount>(K.account);
        if (cur) await this.put(K.account, { ...cur, ...patch });
      });
    });
  }

  /**
   * Sign-out: removes the account key, the sync state and the outbox; with `keepLocal` false
   * also every conversation, message and attachment on this device. With `onlyIfSynced` nothing
   * happens (false) while a change waits in the outbox: checked in the same transaction, so a
   * change another tab makes meanwhile is never removed unsynced.
   */
  end(keepLocal: boolean, onlyIfSynced = false): Promise<boolean> {
    const { db } = this;
    return guard(() =>
      db.transaction('rw', [db.syncState, db.keys, db.outbox, db.conversations, db.messages, db.attachments], async () => {
        if (onlyIfSynced && (await db.outbox.count()) > 0) return false;
        await db.keys.delete(ACCOUNT_KEY_ID);
        await db.syncState.clear();
        await db.outbox.clear();
        if (!keepLocal) await Promise.all([db.conversations.clear(), db.messages.clear(), db.attachments.clear()]);
        return true;
      }),
    );
  }

  async cursor(): Promise<number> {
    return guard(async () => (await this.value<number>(K.cursor)) ?? 0);
  }

  /** The cursor and the id of the record pulled at it (sent so the server can notice a restore). */
  async pullCursor(): Promise<PullCursor> {
    return guard(async () => ({ seq: (await this.value<number>(K.cursor)) ?? 0, at: (await this.value<string | null>(K.cursorAt)) ?? null }));
  }

  clientId(): Promise<string | undefined> {
    return guard(() => this.value<string>(K.clientId));
  }

  pendingBatch(): Promise<PendingBatch | undefined> {
    return guard(() => this.value<PendingBatch>(K.pending));
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
        const existing = await this.value<PendingBatch>(K.pending);
        if (existing) return existing;
        let next = Math.max((await this.value<number>(K.nextMutationId)) ?? 1, after + 1);
        const saved: PendingBatch = { ...batch, sent: false, mutations: batch.mutations.map((m) => ({ ...m, mutationId: next++ })) };
        await this.put(K.pending, saved);
        await this.put(K.nextMutationId, next);
        return saved;
      }),
    );
  }

  /** Marks the pending batch as sent (before it is sent for the first time). */
  markSent(batch: PendingBatch): Promise<void> {
    return guard(async () => {
      await this.db.transaction('rw', this.db.syncState, async () => {
        const cur = await this.value<PendingBatch>(K.pending);
        if (cur && cur.mutations[0]?.mutationId === batch.mutations[0]?.mutationId) await this.put(K.pending, { ...cur, sent: true });
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
        await this.db.syncState.delete(K.pending);
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
        const cur = await this.value<PendingBatch>(K.pending);
        if (cur && cur.clientId === batch.clientId && cur.mutations[0]?.mutationId === batch.mutations[0]?.mutationId) await this.db.syncState.delete(K.pending);
      });
    });
  }

  /** The server applied the batch: acknowledge its outbox entries (unless re-queued) and drop it. */
  finishPending(batch: PendingBatch, at: number): Promise<void> {
    const { db } = this;
    return guard(() =>
      db.transaction('rw', db.syncState, db.outbox, async () => {
        const current = await db.outbox.bulkGet(batch.entries.map((e) => e.key));
        await db.outbox.bulkDelete(batch.entries.filter((e, i) => current[i]?.seq === e.seq).map((e) => e.key));
        await db.syncState.delete(K.pending);
        await this.put(K.lastSyncedAt, at);
      }),
    );
  }

  /** Writes pulled records (never into the outbox), the records set aside and the new cursor in one transaction. */
  apply(records: ApplyRecord[], aside: Omit<AsideRecord, 'appVersion'>[], cursor: PullCursor, appVersion: string): Promise<ApplyResult> {
    return applyPulled(this.db, records, aside, cursor, appVersion);
  }

  /** The records set aside (kept opaque; see src/db/syncApply.ts), oldest first, and how many. */
  aside = (): Promise<AsideRecord[]> => asideRecords(this.db);
  asideCount = (): Promise<number> => asideCount(this.db);

  lastSyncedAt(): Promise<number | undefined> {
    return guard(() => this.value<number>(K.lastSyncedAt));
  }

  setLastSyncedAt(at: number): Promise<void> {
    return guard(() => this.put(K.lastSyncedAt, at).then(() => undefined));
  }

  /** The records behind outbox entries as they are now (tombstones included; undefined if gone). */
  readForPush(entries: OutboxEntry[]): Promise<Array<LocalRecord | undefined>> {
    const { db } = this;
    const table = (kind: SyncKind) => (kind === 'conversation' ? db.conversations : kind === 'message' ? db.messages : db.attachments);
    return guard(() =>
      db.transaction('r', db.conversations, db.messages, db.attachments, () =>
        Promise.all(entries.map((e) => (table(e.kind) as typeof db.conversations).get(e.id) as Promise<LocalRecord | undefined>)),
      ),
    );
  }

  /** The local attachment's size, if this device holds its bytes. */
  async localFileSize(attachmentId: string): Promise<number | undefined> {
    return guard(async () => {
      const a = await this.db.attachments.get(attachmentId);
      return a && a.data instanceof Blob && a.data.size === a.size ? a.size : undefined;
    });
  }

  fileInfo(attachmentId: string): Promise<StoredFileInfo | undefined> {
    return guard(() => this.value<StoredFileInfo>(fileKey(attachmentId)));
  }

  setFileInfo(attachmentId: string, info: StoredFileInfo): Promise<void> {
    return guard(() => this.put(fileKey(attachmentId), info).then(() => undefined));
  }
}
