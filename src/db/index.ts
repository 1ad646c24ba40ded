// The storage module's public face: repositories over one Dexie database and a live-query
// helper, so the rest of the app never imports Dexie (design rule 3).
import { liveQuery } from 'dexie';
import { AttachmentRepo } from './attachments';
import { ConversationRepo } from './conversations';
import { ImportRepo } from './importer';
import { MessageRepo } from './messages';
import { OutboxRepo } from './outbox';
import { ModelRepo } from './models';
import { HearthDb } from './schema';
import { searchConversations } from './search';
import { SettingsRepo } from './settings';
import { SyncStateRepo } from './sync';

export { titleFrom, sortConversations, UNTITLED } from './conversations';
export { StorageError, toStorageError, type StorageErrorCode } from './errors';
export type { SearchHit } from './search';
export type * from './types';
export type { NewMessage, MessagePatch } from './messages';
export type { NewAttachment } from './attachments';
export type { NewModelRecord } from './models';
export type { ImportBundle, ImportWriteResult } from './importer';
export type { SyncAccount, PendingBatch, StoredFileInfo, LocalRecord } from './sync';
export type { ApplyRecord, ApplyResult, AsideRecord, PullCursor } from './syncApply';

export interface Storage {
  db: HearthDb;
  conversations: ConversationRepo;
  messages: MessageRepo;
  attachments: AttachmentRepo;
  settings: SettingsRepo;
  models: ModelRepo;
  outbox: OutboxRepo;
  /** Writes imported conversations in one transaction (src/db/importer.ts). */
  imports: ImportRepo;
  sync: SyncStateRepo;
  search(query: string): ReturnType<typeof searchConversations>;
  close(): void;
  /**
   * Calls `fn` when the database goes away under the app: another tab deletes or upgrades it
   * (`versionchange`; this connection closes so that it can proceed) or the browser closes it.
   */
  onLost(fn: (reason: 'deleted' | 'upgraded') => void): void;
}

export function openStorage(name?: string, options?: ConstructorParameters<typeof HearthDb>[1]): Storage {
  const db = new HearthDb(name, options);
  return {
    db,
    conversations: new ConversationRepo(db),
    messages: new MessageRepo(db),
    attachments: new AttachmentRepo(db),
    settings: new SettingsRepo(db),
    models: new ModelRepo(db),
    outbox: new OutboxRepo(db),
    imports: new ImportRepo(db),
    sync: new SyncStateRepo(db),
    search: (query) => searchConversations(db, query),
    close: () => db.close(),
    onLost(fn) {
      db.on('versionchange', (e: IDBVersionChangeEvent) => {
        db.close();
        fn(e.newVersion === null ? 'deleted' : 'upgraded');
        return false;
      });
      // Closed by the browser (storage cleared); a versionchange, which says more, reports first.
      db.on('close', () => setTimeout(() => fn('deleted'), 0));
    },
  };
}

export interface Subscription {
  unsubscribe(): void;
}

/** Re-runs `query` whenever the data it read changes, in this tab or another one. */
export function observe<T>(query: () => Promise<T>, next: (value: T) => void, error?: (e: unknown) => void): Subscription {
  return liveQuery(query).subscribe({ next, error: error ?? ((e) => console.error(e)) });
}
