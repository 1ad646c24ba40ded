// Sync client state on this device (schema v3 tables `syncState` and `keys`): the signed-in
// account, the account key (a non-extractable CryptoKey, never in localStorage), client id, pull
// cursor, next mutation id, the pending (persisted, not yet acknowledged) push batch, and which
// attachments already have their encrypted chunks on the server. Sign-in and sign-out change all
// of it in one transaction.
import { guard } from './errors';
import { enqueueMany } from './outbox';
import type { HearthDb } from './schema';
import { applyPulled, SYNC_CURSOR_KEY, type ApplyRecord, type ApplyResult } from './syncApply';
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

/** A push batch, stored before it is sent and resent as is until the server acknowledges it. */
export interface PendingBatch {
  clientId: string;
  mutations: Mutation[];
  /** The outbox entries the batch covers, as read (acknowledged only if unchanged since). */
  entries: OutboxEntry[];
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
  nextMutationId: 'nextMutationId',
  pending: 'pendingBatch',
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
   * Sign-in: stores the account and its key, starts a fresh client (new id, cursor 0, mutation
   * ids from 1) and queues every local record, so what this device holds is uploaded.
   */
  begin(account: SyncAccount, key: CryptoKey, keyId: string, clientId: string): Promise<void> {
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
        ]);
        const items: { kind: SyncKind; id: string }[] = [
          ...(await db.conversations.toCollection().primaryKeys()).map((id) => ({ kind: 'conversation' as const, id })),
          ...(await db.messages.toCollection().primaryKeys()).map((id) => ({ kind: 'message' as const, id })),
          ...(await db.attachments.toCollection().primaryKeys()).map((id) => ({ kind: 'attachment' as const, id })),
        ];
        await enqueueMany(db, items);
      }),
    );
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
   * also every conversation, message and attachment on this device.
   */
  end(keepLocal: boolean): Promise<void> {
    const { db } = this;
    return guard(() =>
      db.transaction('rw', [db.syncState, db.keys, db.outbox, db.conversations, db.messages, db.attachments], async () => {
        await db.keys.delete(ACCOUNT_KEY_ID);
        await db.syncState.clear();
        await db.outbox.clear();
        if (!keepLocal) await Promise.all([db.conversations.clear(), db.messages.clear(), db.attachments.clear()]);
      }),
    );
  }

  async cursor(): Promise<number> {
    return guard(async () => (await this.value<number>(K.cursor)) ?? 0);
  }

  clientId(): Promise<string | undefined> {
    return guard(() => this.value<string>(K.clientId));
  }

  async nextMutationId(): Promise<number> {
    return guard(async () => (await this.value<number>(K.nextMutationId)) ?? 1);
  }

  pendingBatch(): Promise<PendingBatch | undefined> {
    return guard(() => this.value<PendingBatch>(K.pending));
  }

  /** Persists a batch before it is sent, with the next free mutation id. */
  savePending(batch: PendingBatch): Promise<void> {
    const last = batch.mutations[batch.mutations.length - 1]?.mutationId ?? 0;
    return guard(async () => {
      await this.db.transaction('rw', this.db.syncState, async () => {
        await this.put(K.pending, batch);
        await this.put(K.nextMutationId, last + 1);
      });
    });
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

  /** Writes pulled records (never into the outbox) and the new cursor in one transaction. */
  apply(records: ApplyRecord[], cursor: number): Promise<ApplyResult> {
    return applyPulled(this.db, records, cursor);
  }

  lastSyncedAt(): Promise<number | undefined> {
    return guard(() => this.value<number>(K.lastSyncedAt));
  }

  setLastSyncedAt(at: number): Promise<void> {
    return guard(async () => {
      await this.put(K.lastSyncedAt, at);
    });
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
    return guard(async () => {
      await this.put(fileKey(attachmentId), info);
    });
  }
}
