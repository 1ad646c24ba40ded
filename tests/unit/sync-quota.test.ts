// A full account (the real server in process with a small quota): the push is refused with
// quota-exceeded, the runner shows a clear message (the Sync dialog's status line) and does not
// retry on its own, the change stays on the device; deleting what does not fit makes room (the
// refused batch is rebuilt, not resent), and a change goes up once the operator raises the quota.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAccount, signIn } from '../../src/sync/account';
import { SIGNED_OUT, statusText, SyncRunner } from '../../src/sync/runner';
import { device } from './syncHelpers';
import { inProcessServer, type InProcessServer } from './syncServer';

let server: InProcessServer;
let roomy: typeof fetch;
let serverFetch: typeof fetch;

beforeAll(async () => {
  server = await inProcessServer({ quotaBytes: 30_000 });
  roomy = await server.withConfig({ quotaBytes: 10_000_000 });
  serverFetch = server.fetch;
}, 600_000);

afterAll(async () => {
  await server?.close();
});

describe('quota', () => {
  it('a full account gets a clear error that does not retry by itself; nothing is lost; it syncs once there is room', async () => {
    const a = device((input, init) => serverFetch(input, init));
    await createAccount(a.deps, a.creds('full@example.org'));
    const c = await a.storage.conversations.create({ title: 'Big' });
    await a.storage.messages.add({ conversationId: c.id, parentId: null, role: 'user', content: 'x'.repeat(40_000) });

    let status = SIGNED_OUT;
    const runner = new SyncRunner({ client: a.client, storage: a.storage, onStatus: (s) => (status = s), target: null });
    await runner.start();
    for (let i = 0; i < 1000 && status.phase !== 'error'; i++) await new Promise((r) => setTimeout(r, 10));
    runner.stop();
    expect(status.error).toMatchObject({ code: 'quota-exceeded', retryable: false });
    expect(statusText(status)).toMatch(/^Your sync account is full.*stay on this device/);
    expect(status.waiting).toBeGreaterThan(0);

    // Deleting what does not fit (for good: past the undo window) makes room; the refused batch
    // is not resent as it was.
    const extra = await a.storage.conversations.create({ title: 'Small' });
    await a.storage.conversations.remove(c.id);
    await a.storage.attachments.purgeDeleted(Date.now() + 1000);
    await a.client.syncOnce();
    expect(await a.storage.outbox.count()).toBe(0);

    // The operator raises the quota: a big change now fits too.
    await a.storage.messages.add({ conversationId: extra.id, parentId: null, role: 'user', content: 'y'.repeat(40_000) });
    await expect(a.client.syncOnce()).rejects.toMatchObject({ code: 'quota-exceeded' });
    serverFetch = roomy;
    await a.client.syncOnce();
    expect(await a.storage.outbox.count()).toBe(0);
    const b = device(roomy);
    await signIn(b.deps, b.creds('full@example.org'));
    await b.client.syncOnce();
    expect((await b.storage.messages.listByConversation(extra.id))[0].content).toHaveLength(40_000);
    expect(await b.storage.conversations.get(c.id)).toBeUndefined();
  }, 120_000);
});
