// Deletes sync as tombstones without content (src/sync/records.ts envelopeOf), against the real
// server in process: what the server stores for a deleted conversation, and for its messages and
// attachments once the delete is final, decrypts to {v, kind, id, deleted, updatedAt} and
// structural nulls only; the other device keeps nothing of the conversation's content; an undo
// on the deleting device brings all of it back everywhere.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAccount, signIn } from '../../src/sync/account';
import { decodeJson, decryptRecord } from '../../src/sync/crypto';
import { device, type Device } from './syncHelpers';
import { inProcessServer, type InProcessServer } from './syncServer';

let server: InProcessServer;
let fetchFn: typeof fetch;

beforeAll(async () => {
  server = await inProcessServer();
  fetchFn = server.fetch;
}, 600_000);

afterAll(async () => {
  await server?.close();
});

/** Every record the server stores, decrypted with the device's account key. */
async function serverPlaintexts(d: Device): Promise<Map<string, Record<string, unknown>>> {
  const key = (await d.storage.sync.accountKey())!;
  const rows = await server.db.query<{ record_id: string; ciphertext: string }>('SELECT record_id, ciphertext FROM records');
  const out = new Map<string, Record<string, unknown>>();
  for (const r of rows) out.set(r.record_id, decodeJson(await decryptRecord(key, r.record_id, r.ciphertext), r.record_id) as Record<string, unknown>);
  return out;
}

const TOMBSTONE_KEYS = ['conversationId', 'deleted', 'id', 'kind', 'record', 'updatedAt', 'v'];

describe('tombstones', () => {
  it('carry no title, text or file name; the other device keeps nothing of them; chunks go once final', async () => {
    const a = device(fetchFn, { chunkBytes: 1000 });
    const b = device(fetchFn, { chunkBytes: 1000 });
    await createAccount(a.deps, a.creds('tomb@example.org'));
    await signIn(b.deps, b.creds('tomb@example.org'));
    const c = await a.storage.conversations.create({ title: 'Secret trip' });
    const { message, attachments } = await a.storage.attachments.addMessageWithFiles(
      a.storage.messages,
      { conversationId: c.id, parentId: null, role: 'user', content: 'my passport number' },
      [{ name: 'passport.pdf', type: 'application/pdf', data: new Blob([new Uint8Array(2500).fill(7)]) }],
    );
    await a.client.syncOnce();
    await b.client.syncOnce();
    expect((await b.storage.messages.get(message.id))?.content).toBe('my passport number');

    await a.storage.conversations.remove(c.id);
    await a.client.syncOnce();
    const conv = (await serverPlaintexts(a)).get(c.id)!;
    expect(Object.keys(conv).sort()).toEqual(TOMBSTONE_KEYS);
    expect(conv).toMatchObject({ v: 1, kind: 'conversation', id: c.id, deleted: true, record: null, conversationId: null });
    expect(typeof conv.updatedAt).toBe('number');
    expect(JSON.stringify(conv)).not.toMatch(/Secret/);

    await b.client.syncOnce();
    // Hidden on the other device at once; its messages and files stay there until the delete is final.
    expect((await b.storage.db.conversations.get(c.id))?.deletedAt).not.toBeNull();

    // The delete becomes final (undo window over): messages and attachments follow as tombstones.
    expect(await a.storage.attachments.purgeDeleted(Date.now() + 1000)).toBe(2);
    await a.client.syncOnce();
    const stored = await serverPlaintexts(a);
    expect(JSON.stringify([...stored.values()])).not.toMatch(/Secret|passport/);
    expect(Object.keys(stored.get(message.id)!).sort()).toEqual(TOMBSTONE_KEYS);
    expect(Object.keys(stored.get(attachments[0].id)!).sort()).toEqual([...TOMBSTONE_KEYS, 'file'].sort());
    const [{ n }] = await server.db.query<{ n: number }>('SELECT count(*)::int AS n FROM chunks');
    expect(n).toBe(0);
    await b.client.syncOnce();
    // The other device keeps them as deleted rows with nothing in them (so a stale copy pulled later loses).
    const [m, f] = [await b.storage.db.messages.get(message.id), await b.storage.db.attachments.get(attachments[0].id)];
    expect(m).toMatchObject({ content: '', deletedAt: expect.any(Number) });
    expect(f).toMatchObject({ name: '', deletedAt: expect.any(Number) });
    expect(f?.data.size).toBe(0);
    expect(f?.text).toBeUndefined();
    for (const d of [a, b]) expect(await d.storage.messages.listByConversation(c.id)).toEqual([]);
  });

  it('an undo on the deleting device brings the conversation, its messages and files back on the other', async () => {
    const a = device(fetchFn, { chunkBytes: 1000 });
    const b = device(fetchFn, { chunkBytes: 1000 });
    await createAccount(a.deps, a.creds('undo@example.org'));
    await signIn(b.deps, b.creds('undo@example.org'));
    const c = await a.storage.conversations.create({ title: 'Keep me' });
    const bytes = new Uint8Array(2500).map((_, i) => i % 251);
    const { message, attachments } = await a.storage.attachments.addMessageWithFiles(
      a.storage.messages,
      { conversationId: c.id, parentId: null, role: 'user', content: 'still here' },
      [{ name: 'notes.bin', type: 'application/octet-stream', data: new Blob([bytes]) }],
    );
    await a.client.syncOnce();
    await b.client.syncOnce();
    await a.storage.conversations.remove(c.id);
    await a.client.syncOnce(); // A also pulls its own tombstone: its deleted copy stays, for the undo
    await b.client.syncOnce();
    expect((await b.storage.db.conversations.get(c.id))?.deletedAt).not.toBeNull();

    await a.storage.conversations.restore(c.id);
    await a.client.syncOnce();
    await b.client.syncOnce();
    expect((await b.storage.conversations.get(c.id))?.title).toBe('Keep me');
    expect((await b.storage.messages.get(message.id))?.content).toBe('still here');
    expect(new Uint8Array(await (await b.storage.attachments.get(attachments[0].id))!.data.arrayBuffer())).toEqual(bytes);
    expect((await a.storage.conversations.get(c.id))?.title).toBe('Keep me');
  });
});
