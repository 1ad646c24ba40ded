// Sync loses nothing around accounts (issue 30, items 1 and 3 and the second-account question):
// the app's real sync client on fake-indexeddb against the real sync server in-process on PGlite.
// Each test is a scenario that lost data before its fix.
import { describe, expect, it } from 'vitest';
import { changePassword, reauthenticate, signIn, signOut } from '../../src/sync/account';
import { device, exportOf, importInto, type Device } from './syncHelpers';
import { realServer, titles } from './syncRealServer';

const { serverFetch, dev, account, pair } = realServer();

describe('signing in again', () => {
  it("a device signing in again does not revert other devices' renames and deletes", async () => {
    const { a, b, email } = await pair();
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
    const { a, b, email } = await pair();
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
    const { a, b, email } = await pair();
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

  // Another tab saves a conversation while this tab signs out: after its push (during the last
  // pull), or while the server hears of the sign-out.
  const signOutWhileAnotherTabSaves = async (when: 'after the push' | 'during the logout') => {
    let other: Device | undefined;
    let pushed = false;
    let saved = false;
    const net = serverFetch(async (path, res) => {
      if (path.endsWith('/sync/push')) pushed = true;
      const now = when === 'after the push' ? pushed && path.endsWith('/sync/pull') : path.endsWith('/auth/logout');
      if (now && other && !saved) {
        saved = true;
        await other.storage.conversations.create({ title: 'Saved in another tab meanwhile' });
      }
      return res;
    });
    const a = device(net);
    const b = dev();
    await account(a, b);
    await a.client.syncOnce();
    other = a.tab();
    await a.storage.conversations.create({ title: 'Before sign-out' });
    await signOut(a.deps, false, { client: a.client });
    expect(saved).toBe(true);
    await b.client.syncOnce();
    return { here: await titles(a), there: await titles(b) };
  };

  it('"Remove from this device" pushes a change another tab saved after its push, then removes', async () => {
    expect(await signOutWhileAnotherTabSaves('after the push')).toEqual({ here: [], there: ['Before sign-out', 'Saved in another tab meanwhile'] });
  });

  it('a change another tab saves once "Remove from this device" removed the data stays on the device', async () => {
    expect(await signOutWhileAnotherTabSaves('during the logout')).toEqual({ here: ['Saved in another tab meanwhile'], there: ['Before sign-out'] });
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

describe('imports', () => {
  it("an imported copy of a record the account holds newer does not revert it (the newer wins)", async () => {
    const { a, b } = await pair();
    const c = await a.storage.conversations.create({ title: 'Draft' });
    await a.storage.messages.add({ conversationId: c.id, parentId: null, role: 'user', content: 'hello' });
    // B imports A's export (same ids) before either synced; then A renames and syncs.
    await importInto(b, await exportOf(a));
    await a.storage.conversations.rename(c.id, 'Final');
    await a.client.syncOnce();
    await b.client.syncOnce();
    await a.client.syncOnce();
    for (const d of [a, b]) expect(await titles(d)).toEqual(['Final']);
  });

  it('an imported record the account lacks, or holds older, is pushed', async () => {
    const { a, b } = await pair();
    const c = await a.storage.conversations.create({ title: 'Old title' });
    await a.client.syncOnce();
    await a.storage.conversations.rename(c.id, 'Newer, made before the import, not synced');
    const newer = await exportOf(a);
    await a.storage.conversations.create({ title: 'Only in the file' });
    const lacking = await exportOf(a);
    // B (fresh, synced nothing) imports the newer export and the one with a conversation the server lacks.
    for (const json of [newer, lacking]) await importInto(b, json);
    await b.client.syncOnce();
    const c2 = dev();
    await signIn(c2.deps, c2.creds((await b.storage.sync.account())!.email));
    await c2.client.syncOnce();
    expect(await titles(c2)).toEqual(['Newer, made before the import, not synced', 'Only in the file']);
  });
});
