// The Dexie database and its schema versions. Versions are append-only: never edit a
// released `version(n)` block; add `version(n + 1)` with an upgrade and a test for it.
import Dexie, { type Table } from 'dexie';
import type { Attachment, Conversation, KeyRecord, Message, ModelRecord, OutboxEntry, SettingRecord, SyncStateRecord } from './types';

export const DB_NAME = 'hearth';

export class HearthDb extends Dexie {
  conversations!: Table<Conversation, string>;
  messages!: Table<Message, string>;
  attachments!: Table<Attachment, string>;
  settings!: Table<SettingRecord, string>;
  models!: Table<ModelRecord, string>;
  outbox!: Table<OutboxEntry, string>;
  syncState!: Table<SyncStateRecord, string>;
  keys!: Table<KeyRecord, string>;

  constructor(name = DB_NAME, options?: ConstructorParameters<typeof Dexie>[1]) {
    super(name, options);
    this.version(1).stores({
      conversations: 'id, updatedAt, deletedAt',
      messages: 'id, conversationId, parentId, updatedAt',
      attachments: 'id, conversationId, messageId, updatedAt',
      settings: 'key',
    });
    // v2: models the user downloaded from the Hub or loaded from files (their bytes are in Cache
    // Storage; a record says which files, their sizes and hashes, and whether all are verified).
    this.version(2).stores({
      models: 'id, status, updatedAt',
    });
    // v3: sync. `outbox` holds one entry per record changed since its last push (written in the
    // same transaction as the change); `syncState` the sync client's cursor, client id and
    // pending batch; `keys` non-extractable CryptoKeys. Every existing record is queued, so a
    // first sign-in uploads what the device already holds.
    this.version(3)
      .stores({
        outbox: 'key, seq',
        syncState: 'key',
        keys: 'id',
      })
      .upgrade(async (tx) => {
        let seq = 0;
        const queue = (kind: string) => (id: unknown) => ({ key: `${kind}:${String(id)}`, kind, id, seq: ++seq });
        const outbox = tx.table('outbox');
        await outbox.bulkPut((await tx.table('conversations').toCollection().primaryKeys()).map(queue('conversation')));
        await outbox.bulkPut((await tx.table('messages').toCollection().primaryKeys()).map(queue('message')));
        await outbox.bulkPut((await tx.table('attachments').toCollection().primaryKeys()).map(queue('attachment')));
      });
  }
}
