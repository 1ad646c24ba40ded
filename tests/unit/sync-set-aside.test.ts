// Records that cannot be applied are set aside, not a stop (issue 30, item 2), and ids are
// canonical: the app's real sync client on fake-indexeddb against the real sync server in-process
// on PGlite. Each test is a scenario that stopped sync for good before its fix.
import { describe, expect, it } from 'vitest';
import { encodeJson, encryptRecord } from '../../src/sync/crypto';
import { realServer, titles } from './syncRealServer';

const { db, plain, dev, account, pair } = realServer();

describe('records that cannot be applied', () => {
  it('an import with upper-case ids syncs under its canonical ids, and the server refuses other spellings', async () => {
    const { a, b } = await pair();
    const upper = 'F47AC10B-58CC-4372-A567-0E02B2C3D479';
    const msg = 'AB0C5A52-4A3B-4C57-9D0E-2F7E5A1D3C11';
    const t = Date.now();
    const written = await a.storage.imports.write([
      {
        conversation: { id: upper, title: 'Imported', createdAt: t, updatedAt: t, pinned: false, systemPrompt: '', settings: null, currentLeafId: msg, deletedAt: null },
        messages: [{ id: msg, conversationId: upper, parentId: null, role: 'user', content: 'Hi', status: 'complete', createdAt: t, updatedAt: t, deletedAt: null, metadata: {}, attachmentIds: [] }],
        attachments: [],
      },
    ]);
    expect(written.skipped).toEqual([]);
    expect(await a.storage.conversations.get(upper.toLowerCase())).toBeDefined();
    await a.client.syncOnce();
    await b.client.syncOnce();
    expect((await b.storage.conversations.get(upper.toLowerCase()))?.currentLeafId).toBe(msg.toLowerCase());
    expect((await b.storage.messages.get(msg.toLowerCase()))?.content).toBe('Hi');

    const s = (await a.client.session())!;
    const clientId = (await a.storage.sync.clientId())!;
    const res = await s.transport.push({ clientId, mutations: [{ mutationId: 999, recordId: upper, ciphertext: 'AAAA' }] });
    expect(res).toMatchObject({ ok: false, error: { code: 'invalid', message: expect.stringMatching(/lower-case UUID/) } });
  });

  it('records an older version imported with upper-case ids are rewritten to canonical ids and sync', async () => {
    const { a, b } = await pair();
    const conv = crypto.randomUUID().toUpperCase();
    const msg = crypto.randomUUID().toUpperCase();
    const t = Date.now();
    // As an import before this fix wrote them: the records and their outbox entries, ids as in the file.
    const db0 = a.storage.db;
    await db0.transaction('rw', [db0.conversations, db0.messages, db0.outbox], async () => {
      await db0.conversations.add({ id: conv, title: 'Old import', createdAt: t, updatedAt: t, pinned: false, systemPrompt: '', settings: null, currentLeafId: msg, deletedAt: null });
      await db0.messages.add({ id: msg, conversationId: conv, parentId: null, role: 'user', content: 'Old', status: 'complete', createdAt: t, updatedAt: t, deletedAt: null, metadata: {}, attachmentIds: [] });
      await db0.outbox.bulkPut([
        { key: `conversation:${conv}`, kind: 'conversation', id: conv, seq: t },
        { key: `message:${msg}`, kind: 'message', id: msg, seq: t + 1 },
      ]);
    });
    const report = await a.client.syncOnce();
    expect(report.skipped).toEqual([]);
    expect(await a.storage.db.conversations.get(conv)).toBeUndefined();
    expect((await a.storage.conversations.get(conv.toLowerCase()))?.currentLeafId).toBe(msg.toLowerCase());
    expect(await a.storage.outbox.count()).toBe(0);
    await b.client.syncOnce();
    expect((await b.storage.messages.get(msg.toLowerCase()))?.conversationId).toBe(conv.toLowerCase());
  });

  it('a record from a newer app version is set aside; the records after it still arrive', async () => {
    const a = dev();
    const b = dev({ appVersion: '1.0' });
    await account(a, b);
    const s = (await a.client.session())!;
    const future = crypto.randomUUID();
    const ciphertext = await encryptRecord(s.key, future, encodeJson({ v: 2, kind: 'folder', id: future, name: 'From the future' }));
    const clientId = (await a.storage.sync.clientId())!;
    expect((await s.transport.push({ clientId, mutations: [{ mutationId: 500, recordId: future, ciphertext }] })).ok).toBe(true);
    await a.storage.conversations.create({ title: 'After the future record' });
    await a.client.syncOnce();

    const report = await b.client.syncOnce();
    expect(report.setAside).toBe(1);
    expect(await titles(b)).toEqual(['After the future record']);
    expect(await b.storage.sync.aside()).toEqual([expect.objectContaining({ recordId: future, appVersion: '1.0', reason: expect.stringMatching(/newer version of Hearth/) })]);
    // Further syncs go on; the record stays set aside (kept opaque) until an app can read it.
    await a.storage.conversations.create({ title: 'Later still' });
    await a.client.syncOnce();
    await b.client.syncOnce();
    expect(await titles(b)).toEqual(['After the future record', 'Later still']);
    expect(await b.storage.sync.aside()).toHaveLength(1);
  });

  it('a local copy queued to reconcile with a record set aside is not pushed over it, and the run ends well', async () => {
    const a = dev();
    const b = dev({ appVersion: '1.0' });
    await account(a, b);
    const s = (await a.client.session())!;
    const id = crypto.randomUUID();
    const ciphertext = await encryptRecord(s.key, id, encodeJson({ v: 2, kind: 'conversation', id, record: { future: true } }));
    expect((await s.transport.push({ clientId: crypto.randomUUID(), mutations: [{ mutationId: 1, recordId: id, ciphertext }] })).ok).toBe(true);
    const t = Date.now();
    const conversation = { id, title: 'Imported under that id', createdAt: t, updatedAt: t, pinned: false, systemPrompt: '', settings: null, currentLeafId: null, deletedAt: null };
    await b.storage.imports.write([{ conversation, messages: [], attachments: [] }]); // queued to reconcile

    expect((await b.client.syncOnce()).setAside).toBe(1); // not a conflict the run cannot end
    expect(await b.storage.outbox.count()).toBe(0);
    expect(await titles(b)).toEqual(['Imported under that id']); // kept here
    const rows = await db().query<{ ciphertext: string }>('SELECT ciphertext FROM records WHERE record_id = $1', [id]);
    expect(rows.map((r) => r.ciphertext)).toEqual([ciphertext]); // and the newer app's record on the server
  });

  it('a copy queued to reconcile with a record this device pulled long ago but no longer holds is compared with it, not pushed forever', async () => {
    const { a, b } = await pair();
    const c = await a.storage.conversations.create({ title: 'Renamed on A' });
    await a.client.syncOnce();
    await b.client.syncOnce();
    const old = { ...(await b.storage.db.conversations.get(c.id))!, title: 'An older copy', updatedAt: c.updatedAt - 1000 };
    await b.storage.db.conversations.delete(c.id); // gone from B, below B's cursor on the server
    await b.storage.imports.write([{ conversation: old, messages: [], attachments: [] }]);

    await b.client.syncOnce(); // refused as present, then compared with a pull from the start
    expect(await titles(b)).toEqual(['Renamed on A']);
    expect(await b.storage.outbox.count()).toBe(0);
  });

  it('a record that does not fit local data (another kind under a known id) is set aside; later records arrive', async () => {
    const { a, b } = await pair();
    const c = await a.storage.conversations.create({ title: 'Known' });
    await a.client.syncOnce();
    await b.client.syncOnce();
    const s = (await a.client.session())!;
    const t = Date.now();
    const message = { id: c.id, conversationId: c.id, parentId: null, role: 'user', content: 'x', status: 'complete', createdAt: t, updatedAt: t, deletedAt: null, metadata: {}, attachmentIds: [] };
    const ciphertext = await encryptRecord(s.key, c.id, encodeJson({ v: 1, kind: 'message', id: c.id, conversationId: c.id, record: message }));
    expect((await s.transport.push({ clientId: crypto.randomUUID(), mutations: [{ mutationId: 1, recordId: c.id, ciphertext }] })).ok).toBe(true);
    await a.storage.conversations.create({ title: 'After the misfit' });
    expect((await a.client.syncOnce()).setAside).toBe(1); // A holds the conversation too
    expect((await b.client.syncOnce()).setAside).toBe(1);
    expect(await titles(b)).toEqual(['After the misfit', 'Known']);
    expect(await b.storage.sync.aside()).toEqual([expect.objectContaining({ recordId: c.id, reason: expect.stringMatching(/does not fit.*as a conversation/) })]);
  });

  it('an attachment whose chunks are missing is set aside and applied when a newer app version retries it', async () => {
    const a = dev({ chunkBytes: 1000 });
    const b = dev({ chunkBytes: 1000, appVersion: '1.0' });
    await account(a, b);
    const c = await a.storage.conversations.create({ title: 'With a file' });
    const bytes = new Uint8Array(2500).map((_, i) => i % 251);
    const att = await a.storage.attachments.add(c.id, { name: 'f.bin', type: 'application/octet-stream', data: new Blob([bytes]) });
    await a.client.syncOnce();
    const saved = await db().query<{ user_id: string; attachment_id: string; idx: number; data: Uint8Array; created_at: number }>('SELECT * FROM chunks WHERE idx = 1');
    await db().query('DELETE FROM chunks WHERE idx = 1 AND attachment_id = $1', [att.id]);
    await a.storage.conversations.create({ title: 'After the file' });
    await a.client.syncOnce();

    expect((await b.client.syncOnce()).setAside).toBe(1);
    expect(await titles(b)).toEqual(['After the file', 'With a file']);
    expect(await b.storage.db.attachments.get(att.id)).toBeUndefined();

    const row = saved.find((r) => r.attachment_id === att.id)!;
    await db().query('INSERT INTO chunks (user_id, attachment_id, idx, data, created_at) VALUES ($1, $2, $3, $4, $5)', [row.user_id, row.attachment_id, row.idx, row.data, row.created_at]);
    const updated = b.tab(plain, { chunkBytes: 1000, appVersion: '1.1' });
    expect((await updated.client.syncOnce()).setAside).toBe(0);
    expect(new Uint8Array(await (await updated.storage.attachments.get(att.id))!.data.arrayBuffer())).toEqual(bytes);
    expect(await updated.storage.sync.aside()).toEqual([]);
  });
});
