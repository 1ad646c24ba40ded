// Sync conflicts (issue 30, found by the fuzzer): a run pulls first, and a change waiting on this
// device gives way to a pulled version newer by `updatedAt`; every write stamps a record later than
// the version it changed, so a change made on top of another is always the newer one. The app's
// real sync client on fake-indexeddb against the real sync server in-process on PGlite.
import { describe, expect, it } from 'vitest';
import { signIn } from '../../src/sync/account';
import { memoryLock } from '../../src/sync/lock';
import { device, exportOf, importInto } from './syncHelpers';
import { realServer, titles } from './syncRealServer';

const { plain, dev, account, pair } = realServer();

describe('conflicts', () => {
  it('an older version waiting in an unanswered push batch is not resent over a newer pulled one', async () => {
    // B's push of its first rename is lost before the server; B renames again; A renames later.
    let dropPush = false;
    const flaky = (async (input: RequestInfo | URL, init?: RequestInit) => {
      if (dropPush && new Request(input, init).url.endsWith('/sync/push')) {
        dropPush = false;
        throw new TypeError('Failed to fetch');
      }
      return plain(input, init);
    }) as typeof fetch;
    const a = dev();
    const b = device(flaky);
    await account(a, b);
    const c = await a.storage.conversations.create({ title: 'First' });
    await a.client.syncOnce();
    await b.client.syncOnce();
    await b.storage.conversations.rename(c.id, 'B once');
    dropPush = true;
    await expect(b.client.syncOnce()).rejects.toMatchObject({ code: 'network' });
    expect((await b.storage.sync.pendingBatch())?.mutations).toHaveLength(1);
    await b.storage.conversations.rename(c.id, 'B twice');
    await a.storage.conversations.rename(c.id, 'A, the latest');
    await a.client.syncOnce();
    await b.client.syncOnce();
    await a.client.syncOnce();
    for (const d of [a, b]) expect(await titles(d)).toEqual(['A, the latest']);
  });

  it('a change made on top of an imported copy is not reverted by the original device pushing its older version', async () => {
    const { a, b } = await pair();
    const c = await a.storage.conversations.create({ title: 'Made on A, not synced' });
    await importInto(b, await exportOf(a));
    await b.storage.conversations.rename(c.id, 'Renamed on B after the import');
    await b.client.syncOnce(); // B's rename reaches the server first
    await a.client.syncOnce(); // A's own (older) version waits in its outbox
    await b.client.syncOnce();
    for (const d of [a, b]) expect(await titles(d)).toEqual(['Renamed on B after the import']);
  });

  it('a change is stamped later than the version it changed, even on a device whose clock is behind', async () => {
    const { a, b, email } = await pair();
    const c = await a.storage.conversations.create({ title: 'Written by a clock an hour ahead' });
    await a.storage.db.conversations.update(c.id, { updatedAt: Date.now() + 3_600_000 }); // A's clock is fast
    const file = await exportOf(a);
    await a.client.syncOnce();
    await b.client.syncOnce();
    await b.storage.conversations.rename(c.id, 'Renamed on B afterwards');
    await b.client.syncOnce();
    // A third device imports A's old export: B's rename is newer than that copy, whatever the clocks say.
    const d = dev();
    await signIn(d.deps, d.creds(email));
    await importInto(d, file);
    await d.client.syncOnce();
    await b.client.syncOnce();
    for (const x of [b, d]) expect(await titles(x)).toEqual(['Renamed on B afterwards']);
  });

  it('a delete made on top of an imported copy is not undone by the original device pushing its older version', async () => {
    const { a, b } = await pair();
    const c = await a.storage.conversations.create({ title: 'Made on A, not synced' });
    await importInto(b, await exportOf(a));
    await b.storage.conversations.remove(c.id); // a tombstone without content goes up
    await b.client.syncOnce();
    await a.client.syncOnce();
    await b.client.syncOnce();
    for (const d of [a, b]) expect(await titles(d)).toEqual([]);
  });

  it("an undo made while another device could not hear of it survives that device's final delete (purge)", async () => {
    const { a, b } = await pair();
    const c = await a.storage.conversations.create({ title: 'Deleted, then brought back' });
    await a.storage.messages.add({ conversationId: c.id, parentId: null, role: 'user', content: 'keep me' });
    await a.client.syncOnce();
    await b.client.syncOnce();
    await a.storage.conversations.remove(c.id);
    await a.client.syncOnce();
    await b.client.syncOnce(); // B hides it, keeping its messages for the undo window
    await a.storage.conversations.restore(c.id); // Undo on A...
    await a.client.syncOnce();
    await b.storage.attachments.purgeDeleted(Date.now() + 1); // ...while B's undo window ends before it syncs
    await b.client.syncOnce();
    await a.client.syncOnce();
    for (const d of [a, b]) expect((await d.storage.messages.listByConversation(c.id)).map((m) => m.content)).toEqual(['keep me']);
  });

  it('a newer change whose push answer was lost is pushed again when an older version overwrote it meanwhile', async () => {
    let loseAnswer = false;
    const a = device((async (input: RequestInfo | URL, init?: RequestInit) => {
      const res = await plain(input, init);
      if (loseAnswer && new Request(input, init).url.endsWith('/sync/push')) {
        loseAnswer = false;
        throw new TypeError('Failed to fetch'); // the server applied it; A never hears so
      }
      return res;
    }) as typeof fetch, { lock: memoryLock() });
    let meanwhile: (() => Promise<void>) | null = null;
    const b = device((async (input: RequestInfo | URL, init?: RequestInit) => {
      const run = meanwhile;
      if (run && new Request(input, init).url.endsWith('/sync/push')) {
        meanwhile = null;
        await run(); // after B pulled, before B pushes
      }
      return plain(input, init);
    }) as typeof fetch);
    await account(a, b);
    const c = await a.storage.conversations.create({ title: 'Shared' });
    await a.client.syncOnce();
    await b.client.syncOnce();
    await b.storage.conversations.rename(c.id, 'Older change on B');
    meanwhile = async () => {
      await a.storage.conversations.setSystemPrompt(c.id, 'Newer change on A');
      loseAnswer = true;
      await expect(a.client.syncOnce()).rejects.toMatchObject({ code: 'network' });
    };
    await b.client.syncOnce(); // B's older version lands after A's newer one
    await a.client.syncOnce();
    await b.client.syncOnce();
    const [onA, onB] = [await a.storage.conversations.get(c.id), await b.storage.conversations.get(c.id)];
    expect(onA?.systemPrompt).toBe('Newer change on A');
    expect(onB).toEqual(onA);
  });
});

