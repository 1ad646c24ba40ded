import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { describe, expect, it } from 'vitest';
import { HearthDb } from '../../src/db/schema';

// Released schema versions, append-only. When adding version N+1, add its row here and a test
// that writes a database as version N left it (writeReleased) and opens it through the app's
// HearthDb, checking the upgrade kept and reshaped its data.
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
    expect(db.verno).toBe(LATEST);
    for (const [table, spec] of Object.entries(RELEASED[LATEST])) {
      const schema = db.table(table).schema;
      const declared = [schema.primKey.src, ...schema.indexes.map((i) => i.src)].join(', ');
      expect(declared).toBe(spec);
    }
    expect(db.tables.map((t) => t.name).sort()).toEqual(Object.keys(RELEASED[LATEST]).sort());
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

  it('upgrades a version 1 database through HearthDb, keeping its data, with empty models and every record queued', async () => {
    const idb = new IDBFactory();
    await writeReleased(idb, 'upgrade-1', 1, {
      conversations: [{ id: 'c1', title: 'Kept', createdAt: 1, updatedAt: 2, pinned: true, systemPrompt: 'Be brief.', settings: null, currentLeafId: 'm1', deletedAt: null }],
      messages: [{ id: 'm1', conversationId: 'c1', parentId: null, role: 'user', content: 'Hello', status: 'complete', createdAt: 1, updatedAt: 1, deletedAt: null, metadata: {}, attachmentIds: [] }],
      settings: [{ key: 'backend', value: 'wasm', updatedAt: 3 }],
    });

    const db = new HearthDb('upgrade-1', { indexedDB: idb, IDBKeyRange });
    await db.open();
    expect(db.verno).toBe(LATEST);
    expect(await db.conversations.get('c1')).toMatchObject({ title: 'Kept', pinned: true, systemPrompt: 'Be brief.', currentLeafId: 'm1' });
    expect(await db.messages.where('conversationId').equals('c1').toArray()).toMatchObject([{ id: 'm1', content: 'Hello' }]);
    expect(await db.settings.get('backend')).toMatchObject({ value: 'wasm' });
    expect(await db.models.count()).toBe(0);
    await db.models.put({
      id: 'hub:a/b@main', name: 'b', source: 'hub', cacheName: 'c', dtype: 'q8', files: [], totalBytes: 0, status: 'installed', createdAt: 1, updatedAt: 1,
    });
    expect(await db.models.where('status').equals('installed').count()).toBe(1);
    expect((await db.outbox.orderBy('seq').toArray()).map((e) => e.key)).toEqual(['conversation:c1', 'message:m1']);
    db.close();
  });

  it('upgrades a version 2 database through HearthDb, queueing every existing record for sync', async () => {
    const idb = new IDBFactory();
    await writeReleased(idb, 'upgrade-2', 2, {
      conversations: [{ id: 'c1', title: 'Kept', createdAt: 1, updatedAt: 2, pinned: false, systemPrompt: '', settings: null, currentLeafId: 'm2', deletedAt: null }],
      messages: [
        { id: 'm1', conversationId: 'c1', parentId: null, role: 'user', content: 'Hi', status: 'complete', createdAt: 1, updatedAt: 1, deletedAt: null, metadata: {}, attachmentIds: ['a1'] },
        { id: 'm2', conversationId: 'c1', parentId: 'm1', role: 'assistant', content: 'Hello', status: 'complete', createdAt: 2, updatedAt: 2, deletedAt: null, metadata: {}, attachmentIds: [] },
      ],
      attachments: [{ id: 'a1', conversationId: 'c1', messageId: 'm1', name: 'a.txt', type: 'text/plain', size: 1, data: new Blob(['x']), createdAt: 1, updatedAt: 1, deletedAt: null }],
      models: [{ id: 'x', name: 'x', source: 'hub', cacheName: 'c', dtype: 'q8', files: [], totalBytes: 0, status: 'installed', createdAt: 1, updatedAt: 1 }],
    });

    const db = new HearthDb('upgrade-2', { indexedDB: idb, IDBKeyRange });
    await db.open();
    expect(db.verno).toBe(LATEST);
    expect(await db.messages.count()).toBe(2);
    expect(await db.models.count()).toBe(1);
    const queued = (await db.outbox.orderBy('seq').toArray()).map((e) => e.key);
    expect(queued).toEqual(['conversation:c1', 'message:m1', 'message:m2', 'attachment:a1']);
    expect(await db.syncState.count()).toBe(0);
    expect(await db.keys.count()).toBe(0);
    db.close();
  });

  it('opens a version 3 database through HearthDb with its outbox, sync state and keys as they were', async () => {
    const idb = new IDBFactory();
    await writeReleased(idb, 'open-3', 3, {
      conversations: [{ id: 'c1', title: 'Synced', createdAt: 1, updatedAt: 2, pinned: false, systemPrompt: '', settings: null, currentLeafId: null, deletedAt: null }],
      outbox: [{ key: 'conversation:c1', kind: 'conversation', id: 'c1', seq: 7 }],
      syncState: [{ key: 'cursor', value: 42 }],
      keys: [{ id: 'vault', wrapped: 'k' }],
    });

    const db = new HearthDb('open-3', { indexedDB: idb, IDBKeyRange });
    await db.open();
    expect(db.verno).toBe(LATEST);
    expect(await db.conversations.get('c1')).toMatchObject({ title: 'Synced' });
    // Opening again queues nothing new: the outbox is exactly what version 3 left.
    expect(await db.outbox.toArray()).toEqual([{ key: 'conversation:c1', kind: 'conversation', id: 'c1', seq: 7 }]);
    expect(await db.syncState.get('cursor')).toEqual({ key: 'cursor', value: 42 });
    expect(await db.keys.get('vault')).toEqual({ id: 'vault', wrapped: 'k' });
    db.close();
  });
});

const LATEST = Math.max(...Object.keys(RELEASED).map(Number));

/**
 * Writes a database as release `version` of the app left it on disk, with IndexedDB itself (not
 * Dexie): Dexie stores version n as IndexedDB version n * 10, one object store per table keyed by
 * the spec's first field, an index per other field.
 */
function writeReleased(idb: IDBFactory, name: string, version: number, rows: Record<string, unknown[]>): Promise<void> {
  const stores = RELEASED[version];
  return new Promise((resolve, reject) => {
    const req = idb.open(name, version * 10);
    req.onupgradeneeded = () => {
      for (const [table, spec] of Object.entries(stores)) {
        const [key, ...indexes] = spec.split(',').map((f) => f.trim());
        const store = req.result.createObjectStore(table, { keyPath: key });
        for (const index of indexes) store.createIndex(index, index);
      }
    };
    req.onerror = () => reject(req.error);
    req.onsuccess = () => {
      const db = req.result;
      const tx = db.transaction(Object.keys(rows), 'readwrite');
      for (const [table, list] of Object.entries(rows)) for (const row of list) tx.objectStore(table).put(row);
      tx.oncomplete = () => {
        db.close();
        resolve();
      };
      tx.onerror = () => reject(tx.error);
    };
  });
}
