// The sync client against the real sync server (server/, in-process on PGlite in memory): two
// devices converge (records and attachment bytes), a push whose answer is lost is resent as the
// same batch and applied once, and pulled records are not queued again.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../server/db';
import { openDb } from '../../server/db';
import { createAccount, signIn } from '../../src/sync/account';
import { testApp } from '../server/helpers';
import { device } from './syncHelpers';

let db: Db;
let fetchFn: typeof fetch;
let loseNextPushAnswer = false;

beforeAll(async () => {
  db = await openDb({});
  const { app } = await testApp(db);
  fetchFn = async (input, init) => {
    const req = new Request(input, init);
    const res = await app.fetch(req);
    if (loseNextPushAnswer && new URL(req.url).pathname === '/api/sync/push') {
      loseNextPushAnswer = false;
      throw new TypeError('Failed to fetch (answer lost)');
    }
    return res;
  };
}, 600_000); // PGlite starts in seconds on an idle machine, minutes on a loaded one

afterAll(async () => {
  await db?.close();
});

describe('sync client with the real server', () => {
  it('two devices converge; a lost push answer is resent once; nothing pulled is re-queued', async () => {
    const a = device(fetchFn, { chunkBytes: 4096 });
    const b = device(fetchFn, { chunkBytes: 4096 });
    await createAccount(a.deps, a.creds('real@example.org'));
    await signIn(b.deps, b.creds('real@example.org'));

    const c = await a.storage.conversations.create({ title: 'Real server' });
    const m = await a.storage.messages.add({ conversationId: c.id, parentId: null, role: 'user', content: 'Hello server' });
    const bytes = new Uint8Array(10_000).map((_, i) => (i * 31) % 251);
    const att = await a.storage.attachments.add(c.id, { name: 'data.bin', type: 'application/octet-stream', data: new Blob([bytes]) });

    loseNextPushAnswer = true;
    await expect(a.client.syncOnce()).rejects.toMatchObject({ code: 'network', retryable: true });
    const pending = await a.storage.sync.pendingBatch();
    expect(pending?.mutations.length).toBe(3);
    const report = await a.client.syncOnce();
    expect(report.pushed).toBe(3);
    expect(await a.storage.outbox.count()).toBe(0);

    await b.client.syncOnce();
    expect((await b.storage.conversations.get(c.id))?.title).toBe('Real server');
    expect((await b.storage.messages.get(m.id))?.content).toBe('Hello server');
    const got = await b.storage.attachments.get(att.id);
    expect(new Uint8Array(await got!.data.arrayBuffer())).toEqual(bytes);
    expect(await b.storage.outbox.count()).toBe(0);

    // Each record once on the server, even though the first batch was sent twice.
    const rows = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM records');
    expect(rows[0].n).toBe(3);

    await b.storage.conversations.rename(c.id, 'Renamed on B');
    await b.storage.conversations.remove(c.id);
    await b.client.syncOnce();
    await a.client.syncOnce();
    const onA = await a.storage.db.conversations.get(c.id); // hidden; a tombstone carries no title
    expect(onA?.deletedAt).not.toBeNull();
    expect(onA?.title).not.toBe('Renamed on B');
    expect(await a.storage.conversations.list()).toEqual([]);
  });
});
