// Sync loses nothing in ordinary use (issue 30, items 1-5 and the second-account question): the
// app's real sync client on fake-indexeddb against the real sync server (server/, in-process on
// PGlite in memory). Each test is a scenario that lost data before its fix.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../server/db';
import { defaultConfig } from '../../server/config';
import { openDb } from '../../server/db';
import { changePassword, createAccount, reauthenticate, signIn, signOut } from '../../src/sync/account';
import { memoryLock } from '../../src/sync/lock';
import { testApp } from '../server/helpers';
import { device, type Device, type DeviceOptions } from './syncHelpers';

let db: Db;
let app: Awaited<ReturnType<typeof testApp>>['app'];
let emails = 0;

beforeAll(async () => {
  db = await openDb({});
  // Many accounts from one address: no registration or login limits here.
  const rateLimits = Object.fromEntries(Object.entries(defaultConfig().rateLimits).map(([k, v]) => [k, { ...v, max: 1_000_000 }]));
  ({ app } = await testApp(db, { rateLimits: rateLimits as ReturnType<typeof defaultConfig>['rateLimits'] }));
}, 600_000); // PGlite starts in seconds on an idle machine, minutes on a loaded one

afterAll(async () => {
  await db?.close();
});

/** A fetch into the in-process server; `hook` may hold or change an answer. */
function serverFetch(hook?: (path: string, res: Response) => Promise<Response>): typeof fetch & { down: boolean; log: string[] } {
  const f = Object.assign(
    async (input: RequestInfo | URL, init?: RequestInit) => {
      if (f.down) throw new TypeError('Failed to fetch');
      const req = new Request(input, init);
      const path = new URL(req.url).pathname;
      f.log.push(path);
      const res = await app.fetch(req);
      return hook ? hook(path, res) : res;
    },
    { down: false, log: [] as string[] },
  );
  return f;
}

const plain = serverFetch();
const dev = (opts: DeviceOptions = {}) => device(plain, opts);

async function account(...devices: Device[]): Promise<string> {
  const email = `loss${++emails}@example.org`;
  await createAccount(devices[0].deps, devices[0].creds(email));
  for (const d of devices.slice(1)) await signIn(d.deps, d.creds(email));
  return email;
}

const titles = async (d: Device) => (await d.storage.conversations.list()).map((c) => c.title).sort();

describe('signing in again', () => {
  it("a device signing in again does not revert other devices' renames and deletes", async () => {
    const a = dev();
    const b = dev();
    const email = await account(a, b);
    const keep = await a.storage.conversations.create({ title: 'Draft' });
    const gone = await a.storage.conversations.create({ title: 'To delete' });
    await a.client.syncOnce();
    await b.client.syncOnce();
    expect(await titles(b)).toEqual(['Draft', 'To delete']);

    await signOut(b.deps, true); // e.g. its session expired: B keeps its (now stale) copies
    await a.storage.conversations.rename(keep.id, 'Final');
    await a.storage.conversations.remove(gone.id);
    await a.client.syncOnce();

    await signIn(b.deps, b.creds(email));
    const report = await b.client.syncOnce();
    await a.client.syncOnce();
    for (const d of [a, b]) expect(await titles(d)).toEqual(['Final']);
    expect(report.pushed).toBe(0); // the server had everything B holds, newer
  });

  it('a fresh sign-in pushes what the server lacks or holds older, and only that', async () => {
    const a = dev();
    const b = dev();
    const email = await account(a, b);
    const c = await a.storage.conversations.create({ title: 'Shared' });
    await a.client.syncOnce();
    await b.client.syncOnce();
    await signOut(b.deps, true);
    await b.storage.conversations.rename(c.id, 'Renamed on B while signed out');
    await b.storage.conversations.create({ title: 'Made on B while signed out' });

    await signIn(b.deps, b.creds(email));
    expect((await b.client.syncOnce()).pushed).toBe(2);
    await a.client.syncOnce();
    expect(await titles(a)).toEqual(['Made on B while signed out', 'Renamed on B while signed out']);
  });

  it('after the password changed elsewhere, signing in again in place keeps the client id, cursor and outbox', async () => {
    const a = dev();
    const b = dev();
    const email = await account(a, b);
    await a.storage.conversations.create({ title: 'Before' });
    await a.client.syncOnce();
    await b.client.syncOnce();
    const clientId = await b.storage.sync.clientId();
    const cursor = await b.storage.sync.cursor();

    await changePassword(a.deps, a.creds(email).password, 'another password 42');
    const offline = await b.storage.conversations.create({ title: 'Written while the session was over' });
    await expect(b.client.syncOnce()).rejects.toMatchObject({ code: 'unauthorized' });
    await expect(reauthenticate(b.deps, 'not the password')).rejects.toMatchObject({ code: 'bad-credentials' });
    await reauthenticate(b.deps, 'another password 42');
    expect(await b.storage.sync.clientId()).toBe(clientId);
    expect(await b.storage.sync.cursor()).toBe(cursor);
    expect((await b.storage.outbox.list()).map((e) => e.id)).toEqual([offline.id]);

    expect((await b.client.syncOnce()).pushed).toBe(1);
    await a.client.syncOnce();
    expect(await titles(a)).toEqual(['Before', 'Written while the session was over']);
  });
});

describe('records that cannot be applied', () => {
  it('an import with upper-case ids syncs under its canonical ids, and the server refuses other spellings', async () => {
    const a = dev();
    const b = dev();
    await account(a, b);
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
    const a = dev();
    const b = dev();
    await account(a, b);
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
    const { encryptRecord, encodeJson } = await import('../../src/sync/crypto');
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

  it('a record that does not fit local data (another kind under a known id) is set aside; later records arrive', async () => {
    const a = dev();
    const b = dev();
    await account(a, b);
    const c = await a.storage.conversations.create({ title: 'Known' });
    await a.client.syncOnce();
    await b.client.syncOnce();
    const { encryptRecord, encodeJson } = await import('../../src/sync/crypto');
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
    const saved = await db.query<{ user_id: string; attachment_id: string; idx: number; data: Uint8Array; created_at: number }>('SELECT * FROM chunks WHERE idx = 1');
    await db.query('DELETE FROM chunks WHERE idx = 1 AND attachment_id = $1', [att.id]);
    await a.storage.conversations.create({ title: 'After the file' });
    await a.client.syncOnce();

    expect((await b.client.syncOnce()).setAside).toBe(1);
    expect(await titles(b)).toEqual(['After the file', 'With a file']);
    expect(await b.storage.db.attachments.get(att.id)).toBeUndefined();

    const row = saved.find((r) => r.attachment_id === att.id)!;
    await db.query('INSERT INTO chunks (user_id, attachment_id, idx, data, created_at) VALUES ($1, $2, $3, $4, $5)', [row.user_id, row.attachment_id, row.idx, row.data, row.created_at]);
    const updated = b.tab(plain, { chunkBytes: 1000, appVersion: '1.1' });
    expect((await updated.client.syncOnce()).setAside).toBe(0);
    expect(new Uint8Array(await (await updated.storage.attachments.get(att.id))!.data.arrayBuffer())).toEqual(bytes);
    expect(await updated.storage.sync.aside()).toEqual([]);
  });
});

describe('signing out', () => {
  it('"Remove from this device" pushes first, and asks (with a count) when changes cannot be pushed', async () => {
    const net = serverFetch();
    const a = device(net);
    const b = dev();
    await account(a, b);
    await a.storage.conversations.create({ title: 'Not pushed yet' });
    const second = await a.storage.conversations.create({ title: 'Also not pushed' });
    net.down = true;
    await expect(signOut(a.deps, false, { client: a.client })).rejects.toMatchObject({ code: 'unsynced', message: expect.stringMatching(/^2 changes/) });
    expect(await a.storage.sync.account()).toBeDefined();
    expect(await titles(a)).toEqual(['Also not pushed', 'Not pushed yet']);

    net.down = false;
    await signOut(a.deps, false, { client: a.client });
    expect(await a.storage.conversations.list()).toEqual([]);
    await b.client.syncOnce();
    expect(await titles(b)).toEqual(['Also not pushed', 'Not pushed yet']);
    expect((await b.storage.conversations.get(second.id))?.title).toBe('Also not pushed');
  });

  it('removing anyway (forced) deletes what could not be pushed, as the user chose', async () => {
    const net = serverFetch();
    const a = device(net);
    await account(a);
    await a.storage.conversations.create({ title: 'Discarded' });
    net.down = true;
    await signOut(a.deps, false, { client: a.client, force: true });
    expect(await a.storage.conversations.list()).toEqual([]);
  });
});

describe('another account', () => {
  it("signing in to a second account asks before uploading the first account's kept conversations", async () => {
    const a = dev();
    const first = await account(a);
    await a.storage.conversations.create({ title: 'Private to the first account' });
    await a.client.syncOnce();
    await signOut(a.deps, true);

    const other = dev();
    const second = await account(other);
    await expect(signIn(a.deps, a.creds(second))).rejects.toMatchObject({ code: 'confirm-merge', message: expect.stringMatching(new RegExp(`1 conversation from ${first}`)) });
    expect(await a.storage.sync.account()).toBeUndefined();

    await signIn(a.deps, { ...a.creds(second), localData: 'discard' });
    await a.client.syncOnce();
    await other.client.syncOnce();
    expect(await titles(other)).toEqual([]);
    expect(await titles(a)).toEqual([]);

    // The same account again: no question, and the kept conversations are its own.
    const c = dev();
    await signIn(c.deps, c.creds(first));
    await c.client.syncOnce();
    expect(await titles(c)).toEqual(['Private to the first account']);
  });

  it('choosing to add them uploads them to the second account', async () => {
    const a = dev();
    await account(a);
    await a.storage.conversations.create({ title: 'Moving over' });
    await a.client.syncOnce();
    await signOut(a.deps, true);
    const other = dev();
    const second = await account(other);
    await signIn(a.deps, { ...a.creds(second), localData: 'merge' });
    await a.client.syncOnce();
    await other.client.syncOnce();
    expect(await titles(other)).toEqual(['Moving over']);
  });
});

describe('two tabs', () => {
  it('one tab syncs at a time: runs that share the lock never interleave', async () => {
    const log: string[] = [];
    const tagged = (tag: string) => serverFetch(async (path, res) => (log.push(`${tag} ${path}`), res));
    const lock = memoryLock();
    const t1 = device(tagged('1'), { lock });
    await account(t1);
    const t2 = t1.tab(tagged('2'), { lock });
    await t1.storage.conversations.create({ title: 'x' });
    log.length = 0;
    await Promise.all([t1.client.syncOnce(), t2.client.syncOnce(), t1.client.syncOnce()]);
    const tags = log.map((l) => l[0]);
    const runs = tags.filter((t, i) => i === 0 || t !== tags[i - 1]);
    expect(runs).toEqual(['1', '2', '1']);
  });

  it('a slow tab does not apply an older page over a newer one', async () => {
    let hold: Promise<void> | null = null;
    let arrived!: () => void;
    const reached = new Promise<void>((r) => (arrived = r));
    const slow = serverFetch(async (path, res) => {
      if (path === '/api/sync/pull' && hold) {
        arrived();
        await hold;
      }
      return res;
    });
    const noLock = <T,>(work: () => Promise<T>) => work(); // as in a browser without Web Locks
    const a = dev();
    const t1 = dev({ lock: noLock });
    await account(a, t1);
    const t2 = t1.tab(plain, { lock: noLock });
    const c = await a.storage.conversations.create({ title: 'Old title' });
    await a.client.syncOnce();

    let release!: () => void;
    hold = new Promise((r) => (release = r));
    const t1slow = t1.tab(slow, { lock: noLock });
    const pending = t1slow.client.syncOnce();
    await reached; // t1 holds a page with the old title
    hold = null;
    await a.storage.conversations.rename(c.id, 'New title');
    await a.client.syncOnce();
    await t2.client.syncOnce();
    expect((await t2.storage.conversations.get(c.id))?.title).toBe('New title');
    release();
    await pending;
    expect((await t1.storage.conversations.get(c.id))?.title).toBe('New title');
  });

  it('mutation ids used before (another tab, the same counter) are not taken as applied: the edit reaches the server', async () => {
    const a = dev();
    const b = dev();
    await account(a, b);
    await a.storage.conversations.create({ title: 'First' });
    await a.client.syncOnce();
    // Another tab read the counter before this push stored it, and now numbers from it again.
    await a.storage.db.syncState.put({ key: 'nextMutationId', value: 1 });
    await a.storage.conversations.create({ title: 'Second' });
    await a.client.syncOnce();
    expect(await a.storage.outbox.count()).toBe(0);
    await b.client.syncOnce();
    expect(await titles(b)).toEqual(['First', 'Second']);
  });
});

describe('a server restored from a backup', () => {
  const TABLES = ['records', 'client_states', 'chunks'];
  async function backup() {
    for (const t of [...TABLES, 'users']) await db.query(`CREATE TABLE bk_${t} AS SELECT * FROM ${t}`);
  }
  async function restore() {
    for (const t of TABLES) {
      await db.query(`DELETE FROM ${t}`);
      await db.query(`INSERT INTO ${t} SELECT * FROM bk_${t}`);
    }
    await db.query('UPDATE users u SET last_seq = b.last_seq, epoch = b.epoch FROM bk_users b WHERE b.id = u.id');
    for (const t of [...TABLES, 'users']) await db.query(`DROP TABLE bk_${t}`);
  }

  it('devices notice, reconcile, and every change reaches every device and the server again', async () => {
    const a = dev();
    const b = dev();
    await account(a, b);
    const early = await a.storage.conversations.create({ title: 'Before the backup' });
    await a.client.syncOnce();
    await b.client.syncOnce();
    await backup();

    const lost = await a.storage.conversations.create({ title: 'After the backup' });
    await a.storage.conversations.rename(early.id, 'Renamed after the backup');
    await a.client.syncOnce();
    await b.client.syncOnce();
    expect(await titles(b)).toEqual(['After the backup', 'Renamed after the backup']);
    await restore();

    // A device the restore did not affect writes enough to carry the server's seq past B's cursor.
    const c = dev();
    await signIn(c.deps, c.creds((await a.storage.sync.account())!.email));
    for (let i = 0; i < 4; i++) await c.storage.conversations.create({ title: `New ${i}` });
    await c.client.syncOnce();
    const [{ last_seq }] = await db.query<{ last_seq: number }>('SELECT max(last_seq)::int AS last_seq FROM users');
    expect(last_seq).toBeGreaterThanOrEqual(await b.storage.sync.cursor());

    await b.client.syncOnce();
    await a.client.syncOnce();
    await c.client.syncOnce();
    await b.client.syncOnce();
    const all = ['After the backup', 'New 0', 'New 1', 'New 2', 'New 3', 'Renamed after the backup'];
    for (const d of [a, b, c]) expect(await titles(d)).toEqual(all);
    expect((await c.storage.conversations.get(lost.id))?.title).toBe('After the backup');
  });
});
