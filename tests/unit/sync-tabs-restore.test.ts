// Two tabs and a restored server (issue 30, items 4 and 5): one tab syncs at a time, a slow tab
// never applies an older page, reused mutation ids are noticed, and devices reconcile with a server
// restored from a backup. The app's real sync client on fake-indexeddb against the real sync
// server in-process on PGlite. Each test is a scenario that lost data before its fix.
import { describe, expect, it } from 'vitest';
import { signIn, signOut } from '../../src/sync/account';
import { memoryLock } from '../../src/sync/lock';
import { device } from './syncHelpers';
import { realServer, titles } from './syncRealServer';

const { db, serverFetch, plain, dev, account, pair } = realServer();

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
    const { a, b } = await pair();
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
  const TABLES = ['records', 'client_states', 'chunks', 'pushes'];
  async function backup() {
    for (const t of [...TABLES, 'users']) await db().query(`CREATE TABLE bk_${t} AS SELECT * FROM ${t}`);
  }
  async function restore() {
    for (const t of TABLES) {
      await db().query(`DELETE FROM ${t}`);
      await db().query(`INSERT INTO ${t} SELECT * FROM bk_${t}`);
    }
    await db().query('UPDATE users u SET last_seq = b.last_seq, epoch = b.epoch FROM bk_users b WHERE b.id = u.id');
    for (const t of [...TABLES, 'users']) await db().query(`DROP TABLE bk_${t}`);
  }

  /** Devices A (whose first pull after a push is lost, `meanwhile` run first) and B, synced, then a backup. */
  async function backedUpWithLostPull(meanwhile?: () => Promise<void>) {
    const a = device(losePullAfterPush(meanwhile));
    const b = dev();
    await account(a, b);
    await a.client.syncOnce();
    await backup();
    return { a, b };
  }

  function losePullAfterPush(meanwhile?: () => Promise<void>): typeof fetch {
    let pushed = false;
    let lose = true;
    return (async (input: RequestInfo | URL, init?: RequestInit) => {
      const path = new URL(new Request(input, init).url).pathname;
      if (path.endsWith('/sync/push')) pushed = true;
      else if (path.endsWith('/sync/pull') && pushed && lose) {
        lose = false;
        await meanwhile?.();
        throw new TypeError('Failed to fetch');
      }
      return plain(input, init);
    }) as typeof fetch;
  }

  it('devices notice, reconcile, and every change reaches every device and the server again', async () => {
    const { a, b } = await pair();
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
    const [{ last_seq }] = await db().query<{ last_seq: number }>('SELECT max(last_seq)::int AS last_seq FROM users');
    expect(last_seq).toBeGreaterThanOrEqual(await b.storage.sync.cursor());

    await b.client.syncOnce();
    await a.client.syncOnce();
    await c.client.syncOnce();
    await b.client.syncOnce();
    const all = ['After the backup', 'New 0', 'New 1', 'New 2', 'New 3', 'Renamed after the backup'];
    for (const d of [a, b, c]) expect(await titles(d)).toEqual(all);
    expect((await c.storage.conversations.get(lost.id))?.title).toBe('After the backup');
  });

  it("a device notices a restore though another device's push since gave the same seq to the same record", async () => {
    const { a, b } = await pair();
    const conv = await a.storage.conversations.create({ title: 'Before the backup' });
    await a.client.syncOnce();
    await b.client.syncOnce();
    await backup();
    await a.storage.conversations.rename(conv.id, 'Renamed by A, then restored away');
    await a.client.syncOnce(); // A's cursor: this rename's seq, at the conversation
    await restore();
    // B renames it too: its push gets the seq A's rename had, for the same record.
    await b.storage.conversations.rename(conv.id, 'Renamed by B after the restore');
    await b.client.syncOnce();

    for (const d of [a, b, a]) await d.client.syncOnce();
    for (const d of [a, b]) expect(await titles(d)).toEqual(['Renamed by B after the restore']);
  });

  it('an attachment sent after the backup reaches every device after the restore: its chunks go up again', async () => {
    const { a, b } = await pair();
    const conv = await a.storage.conversations.create({ title: 'Files' });
    await a.client.syncOnce();
    await b.client.syncOnce();
    await backup();
    const bytes = 'the file sent after the backup\n'.repeat(2000);
    const { attachments } = await a.storage.attachments.addMessageWithFiles(a.storage.messages, { conversationId: conv.id, parentId: null, role: 'user', content: 'see file' }, [
      { name: 'late.txt', type: 'text/plain', data: new Blob([bytes]) },
    ]);
    await a.client.syncOnce();
    await restore(); // the record and its chunks are gone from the server; A still thinks the chunks are there

    for (const d of [a, b, a, b]) await d.client.syncOnce();
    const got = await b.storage.attachments.get(attachments[0].id);
    expect(await got?.data.text()).toBe(bytes);
    expect(await b.storage.sync.asideCount()).toBe(0);
  });

  it("a push the server acknowledged and then lost to a restore is pushed again, though the device's cursor never passed it", async () => {
    const { a, b } = await backedUpWithLostPull(); // the pull after the push never happens
    const lost = await a.storage.conversations.create({ title: 'Acknowledged, then restored away' });
    await expect(a.client.syncOnce()).rejects.toMatchObject({ code: 'network' });
    expect(await a.storage.outbox.count()).toBe(0); // the push was acknowledged
    await restore();

    await a.client.syncOnce();
    await b.client.syncOnce();
    expect((await b.storage.conversations.get(lost.id))?.title).toBe('Acknowledged, then restored away');
  });

  it('"Remove from this device" removes nothing until the server confirms it holds it: a push lost to a restore goes up again first', async () => {
    // The operator restores the server right after it acknowledged the push, and the pull that
    // would have told is lost.
    const { a, b } = await backedUpWithLostPull(restore);
    const kept = await a.storage.conversations.create({ title: 'Pushed just before the restore' });
    await expect(signOut(a.deps, false, { client: a.client })).rejects.toMatchObject({ code: 'unsynced', message: expect.stringMatching(/could not confirm/) });
    expect(await a.storage.outbox.count()).toBe(0); // the push was acknowledged...
    expect(await titles(a)).toEqual(['Pushed just before the restore']); // ...but nothing is removed

    await signOut(a.deps, false, { client: a.client }); // notices the restore, pushes again, then removes
    expect(await titles(a)).toEqual([]);
    await b.client.syncOnce();
    expect((await b.storage.conversations.get(kept.id))?.title).toBe('Pushed just before the restore');
  });

  /** Devices A and B (each with its own lock); `meanwhile(run)` runs `run` once B has pulled, before B's push is sent. */
  async function aPushesBeforeB() {
    const a = dev({ lock: memoryLock() });
    let other: (() => Promise<unknown>) | null = null;
    const b = device((async (input: RequestInfo | URL, init?: RequestInit) => {
      const run = other;
      if (run && new Request(input, init).url.endsWith('/sync/push')) {
        other = null;
        await run();
      }
      return plain(input, init);
    }) as typeof fetch);
    await account(a, b);
    return { a, b, meanwhile: (run: () => Promise<unknown>) => void (other = run) };
  }

  /** After a backup, A makes a conversation with a message, both devices sync, and A deletes it for good. */
  async function finalDeleteAfterBackup() {
    const { a, b, meanwhile } = await aPushesBeforeB();
    await backup();
    const c = await a.storage.conversations.create({ title: 'Deleted for good' });
    const m = await a.storage.messages.add({ conversationId: c.id, parentId: null, role: 'user', content: 'gone' });
    await a.client.syncOnce();
    await b.client.syncOnce();
    await a.storage.conversations.remove(c.id);
    await a.storage.attachments.purgeDeleted(Date.now() + 1); // the final delete: the message is a tombstone too
    return { a, b, meanwhile, m };
  }

  it("a stale copy pushed late by another reconciling device does not bring back a final delete's messages", async () => {
    const { a, b, meanwhile, m } = await finalDeleteAfterBackup();
    await a.client.syncOnce();
    await restore(); // the server lost both the message and its tombstone; B never pulled the tombstone
    meanwhile(() => a.client.syncOnce());
    await b.client.syncOnce(); // pushes its live copy of the message after A's tombstone
    for (let i = 0; i < 2; i++) for (const d of [a, b]) await d.client.syncOnce();
    for (const d of [a, b]) expect((await d.storage.db.messages.get(m.id))?.deletedAt).toBeGreaterThan(0);
  });

  it('a stale copy pushed late by a reconciling device does not bring back a final delete whose device has since removed its data', async () => {
    const { a, b, meanwhile, m } = await finalDeleteAfterBackup();
    const email = (await a.storage.sync.account())!.email;
    await restore();
    // A reconciles and pushes its tombstones after B pulled, then signs out removing its data: no
    // device holds them but the server, when B pushes the live copy the server lacked at its pull.
    meanwhile(async () => {
      await a.client.syncOnce();
      await signOut(a.deps, false, { client: a.client });
    });
    await b.client.syncOnce();
    await b.client.syncOnce();
    const d = dev();
    await signIn(d.deps, d.creds(email));
    await d.client.syncOnce();
    for (const x of [b, d]) {
      expect(await titles(x)).toEqual([]);
      expect((await x.storage.db.messages.get(m.id))?.deletedAt ?? 'never pulled').not.toBeNull();
    }
  });

  it('a stale version pushed late by another reconciling device does not bring a deleted conversation back', async () => {
    const { a, b, meanwhile } = await aPushesBeforeB();
    await backup();
    const x = await a.storage.conversations.create({ title: 'Deleted during the reconcile' });
    await a.client.syncOnce();
    await b.client.syncOnce();
    await restore(); // X is gone from the server; both devices hold it
    await a.storage.conversations.remove(x.id);
    meanwhile(() => a.client.syncOnce());
    await b.client.syncOnce(); // pushes its older copy of X after A's delete
    await a.client.syncOnce();
    await b.client.syncOnce();
    for (const d of [a, b]) expect(await titles(d)).toEqual([]);
  });
});

