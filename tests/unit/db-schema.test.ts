import Dexie from 'dexie';
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { describe, expect, it } from 'vitest';
import { HearthDb } from '../../src/db/schema';

// Released schema versions, append-only. When adding version N+1, add its row here and a test
// that opens a database written at version N and checks the upgrade kept and reshaped its data.
const RELEASED: Record<number, Record<string, string>> = {
  1: {
    conversations: 'id, updatedAt, deletedAt',
    messages: 'id, conversationId, parentId, updatedAt',
    attachments: 'id, conversationId, messageId, updatedAt',
    settings: 'key',
  },
  2: {
    conversations: 'id, updatedAt, deletedAt',
    messages: 'id, conversationId, parentId, updatedAt',
    attachments: 'id, conversationId, messageId, updatedAt',
    settings: 'key',
    models: 'id, status, updatedAt',
  },
  3: {
    conversations: 'id, updatedAt, deletedAt',
    messages: 'id, conversationId, parentId, updatedAt',
    attachments: 'id, conversationId, messageId, updatedAt',
    settings: 'key',
    models: 'id, status, updatedAt',
    outbox: 'key, seq',
    syncState: 'key',
    keys: 'id',
  },
};

describe('schema', () => {
  it('declares exactly the released versions, unchanged', async () => {
    const db = new HearthDb('schema-check', { indexedDB: new IDBFactory(), IDBKeyRange });
    await db.open();
    const latest = Math.max(...Object.keys(RELEASED).map(Number));
    expect(db.verno).toBe(latest);
    for (const [table, spec] of Object.entries(RELEASED[latest])) {
      const schema = db.table(table).schema;
      const declared = [schema.primKey.src, ...schema.indexes.map((i) => i.src)].join(', ');
      expect(declared).toBe(spec);
    }
    expect(db.tables.map((t) => t.name).sort()).toEqual(Object.keys(RELEASED[latest]).sort());
    db.close();
  });

  it('reopens an existing database without losing data', async () => {
    const idb = new IDBFactory();
    const first = new HearthDb('reopen', { indexedDB: idb, IDBKeyRange });
    await first.settings.put({ key: 'theme', value: 'dark', updatedAt: 1 });
    first.close();
    const second = new HearthDb('reopen', { indexedDB: idb, IDBKeyRange });
    expect(await second.settings.get('theme')).toMatchObject({ value: 'dark' });
    second.close();
  });

  it('upgrades a version 1 database to version 2 keeping its data, with an empty models table', async () => {
    const idb = new IDBFactory();
    // A database as version 1 wrote it (the released v1 schema, declared on its own).
    const v1 = new Dexie('upgrade-1-2', { indexedDB: idb, IDBKeyRange });
    v1.version(1).stores(RELEASED[1]);
    await v1.open();
    await v1.table('conversations').put({ id: 'c1', title: 'Kept', createdAt: 1, updatedAt: 2, pinned: true, systemPrompt: 'Be brief.', settings: null, currentLeafId: 'm1', deletedAt: null });
    await v1.table('messages').put({ id: 'm1', conversationId: 'c1', parentId: null, role: 'user', content: 'Hello', status: 'complete', createdAt: 1, updatedAt: 1, deletedAt: null, metadata: {}, attachmentIds: [] });
    await v1.table('settings').put({ key: 'backend', value: 'wasm', updatedAt: 3 });
    v1.close();

    const v2 = new Dexie('upgrade-1-2', { indexedDB: idb, IDBKeyRange });
    v2.version(1).stores(RELEASED[1]);
    v2.version(2).stores({ models: RELEASED[2].models });
    await v2.open();
    expect(v2.verno).toBe(2);
    const db = v2 as unknown as HearthDb;
    expect(await db.conversations.get('c1')).toMatchObject({ title: 'Kept', pinned: true, systemPrompt: 'Be brief.', currentLeafId: 'm1' });
    expect(await db.messages.where('conversationId').equals('c1').toArray()).toHaveLength(1);
    expect(await db.settings.get('backend')).toMatchObject({ value: 'wasm' });
    expect(await db.models.count()).toBe(0);
    await db.models.put({
      id: 'hub:a/b@main', name: 'b', source: 'hub', cacheName: 'c', dtype: 'q8', files: [], totalBytes: 0, status: 'installed', createdAt: 1, updatedAt: 1,
    });
    expect(await db.models.where('status').equals('installed').count()).toBe(1);
    db.close();
  });

  it('upgrades a version 2 database to version 3, queueing every existing record for sync', async () => {
    const idb = new IDBFactory();
    const v2 = new Dexie('upgrade-2-3', { indexedDB: idb, IDBKeyRange });
    v2.version(1).stores(RELEASED[1]);
    v2.version(2).stores({ models: RELEASED[2].models });
    await v2.open();
    await v2.table('conversations').put({ id: 'c1', title: 'Kept', createdAt: 1, updatedAt: 2, pinned: false, systemPrompt: '', settings: null, currentLeafId: 'm2', deletedAt: null });
    await v2.table('messages').bulkPut([
      { id: 'm1', conversationId: 'c1', parentId: null, role: 'user', content: 'Hi', status: 'complete', createdAt: 1, updatedAt: 1, deletedAt: null, metadata: {}, attachmentIds: ['a1'] },
      { id: 'm2', conversationId: 'c1', parentId: 'm1', role: 'assistant', content: 'Hello', status: 'complete', createdAt: 2, updatedAt: 2, deletedAt: null, metadata: {}, attachmentIds: [] },
    ]);
    await v2.table('attachments').put({ id: 'a1', conversationId: 'c1', messageId: 'm1', name: 'a.txt', type: 'text/plain', size: 1, data: new Blob(['x']), createdAt: 1, updatedAt: 1, deletedAt: null });
    await v2.table('models').put({ id: 'x', name: 'x', source: 'hub', cacheName: 'c', dtype: 'q8', files: [], totalBytes: 0, status: 'installed', createdAt: 1, updatedAt: 1 });
    v2.close();

    const db = new HearthDb('upgrade-2-3', { indexedDB: idb, IDBKeyRange });
    await db.open();
    expect(db.verno).toBe(3);
    expect(await db.messages.count()).toBe(2);
    expect(await db.models.count()).toBe(1);
    const queued = (await db.outbox.orderBy('seq').toArray()).map((e) => e.key);
    expect(queued).toEqual(['conversation:c1', 'message:m1', 'message:m2', 'attachment:a1']);
    expect(await db.syncState.count()).toBe(0);
    expect(await db.keys.count()).toBe(0);
    db.close();
  });
});
