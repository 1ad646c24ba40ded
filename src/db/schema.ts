// The Dexie database and its schema versions. Versions are append-only: never edit a
// released `version(n)` block; add `version(n + 1)` with an upgrade and a test for it.
import Dexie, { type Table } from 'dexie';
import type { Attachment, Conversation, Message, ModelRecord, SettingRecord } from './types';

export const DB_NAME = 'hearth';

export class HearthDb extends Dexie {
  conversations!: Table<Conversation, string>;
  messages!: Table<Message, string>;
  attachments!: Table<Attachment, string>;
  settings!: Table<SettingRecord, string>;
  models!: Table<ModelRecord, string>;

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
  }
}
