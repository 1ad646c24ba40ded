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
});
