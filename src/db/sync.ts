// Sync client state on this device (schema v3 tables `syncState` and `keys`): the signed-in
// account, the account key (a non-extractable CryptoKey, never in localStorage), client id, pull
// cursor, the push batch state (src/db/syncBatch.ts), which
// attachments already have their encrypted chunks on the server, the server's epoch, whether the
// device is reconciling with the server, and the records set aside. Sign-in and sign-out change
// all of it in one transaction.
import { guard } from './errors';
import { canonicalizeLocalIds } from './idRepair';
import { applyPulled, asideCount, asideRecords, queueAllForReconcile, SYNC_CURSOR_AT_KEY, SYNC_CURSOR_KEY, SYNC_CURSOR_MARK_KEY } from './syncApply';
import { BATCH_KEYS, PushBatchState } from './syncBatch';
import type { ApplyRecord, ApplyResult, AsideRecord, PullCursor } from './syncApply';
import type { Attachment, Conversation, Message, OutboxEntry, SyncKind } from './types';
import type { KdfParams, WrappedKey } from '../shared/sync/protocol';

export type { PendingBatch } from './syncBatch';

export interface SyncAccount {
  serverUrl: string;
  email: string;
  userId: string;
  token: string;
  expiresAt: number;
  kdf: KdfParams;
  wrappedAccountKey: WrappedKey;
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
  cursorMark: SYNC_CURSOR_MARK_KEY,
  epoch: 'epoch',
  reconcile: 'reconcile',
  ...BATCH_KEYS,
} as const;
const fileKey = (attachmentId: string) => `file:${attachmentId}`;

export class SyncStateRepo extends PushBatchState {

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
        await db.syncState.bulkDelete([K.pending, K.pushedAt]);
        await db.syncState.bulkPut([
          { key: K.cursor, value: 0 },
          { key: K.cursorAt, value: null },
          { key: K.cursorMark, value: null },
          { key: K.reconcile, value: true },
          { key: K.epoch, value: epoch },
        ]);
        await queueAllForReconcile(db, true);
      }),
    );
  }

  /**
   * Pull everything again from 0, keeping every local record (each pulled one is compared with
   * them as usual): for a push conflict that what others pushed since cannot explain.
   */
  rewindCursor(): Promise<void> {
    return guard(async () => {
      await this.db.syncState.bulkPut([
        { key: K.cursor, value: 0 },
        { key: K.cursorAt, value: null },
        { key: K.cursorMark, value: null },
      ]);
    });
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

  /** The cursor, the id of the record pulled at it and its push's mark (sent so the server can notice a restore). */
  async pullCursor(): Promise<PullCursor> {
    return guard(async () => ({
      seq: (await this.value<number>(K.cursor)) ?? 0,
      at: (await this.value<string | null>(K.cursorAt)) ?? null,
      mark: (await this.value<string | null>(K.cursorMark)) ?? null,
    }));
  }

  clientId(): Promise<string | undefined> {
    return guard(() => this.value<string>(K.clientId));
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

  /** Forgets that these attachments' chunks are on the server (the next push uploads them). */
  forgetFiles(attachmentIds: string[]): Promise<void> {
    return guard(() => this.db.syncState.bulkDelete(attachmentIds.map(fileKey)));
  }

  setFileInfo(attachmentId: string, info: StoredFileInfo): Promise<void> {
    return guard(() => this.put(fileKey(attachmentId), info).then(() => undefined));
  }
}
