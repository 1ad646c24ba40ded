// The background sync runner: syncs after sign-in and soon after local changes, says "Offline,
// will retry" when offline and syncs again on the `online` event, shows errors, and its status
// text says how many changes wait and when it last synced.
import { describe, expect, it } from 'vitest';
import { createAccount, signIn } from '../../src/sync/account';
import { SIGNED_OUT, statusText, SyncRunner, type SyncStatus } from '../../src/sync/runner';
import { FakeSyncServer } from './syncFakeServer';
import { device, type Device } from './syncHelpers';

/** Dexie's live queries do not fire under Node here: poll the outbox size instead. */
const polling = (storage: Device['storage']) => (next: (n: number) => void) => {
  let last = -1;
  const timer = setInterval(() => void storage.outbox.count().then((n) => n !== last && next((last = n))), 10);
  return { unsubscribe: () => clearInterval(timer) };
};

const until = async (check: () => boolean, what: string) => {
  for (let i = 0; i < 1000 && !check(); i++) await new Promise((r) => setTimeout(r, 10));
  if (!check()) throw new Error(`timed out waiting for ${what}`);
};

describe('status text', () => {
  const base: SyncStatus = { ...SIGNED_OUT, phase: 'idle', account: { email: 'a@b.co', serverUrl: 'https://s' } };
  it('says Synced, how many changes wait, offline, or the error, and when it last synced', () => {
    expect(statusText(SIGNED_OUT)).toBe('Not signed in');
    expect(statusText(base)).toBe('Synced. Not synced yet.');
    expect(statusText({ ...base, waiting: 3 })).toMatch(/^3 changes wait\./);
    expect(statusText({ ...base, waiting: 1 })).toMatch(/^1 change waits\./);
    expect(statusText({ ...base, phase: 'offline', waiting: 2 })).toMatch(/^Offline, will retry\./);
    expect(statusText({ ...base, phase: 'error', error: { code: 'refused', message: 'Refused record x.', retryable: false } })).toMatch(/^Refused record x\./);
    expect(statusText({ ...base, lastSyncedAt: Date.UTC(2026, 0, 1, 12, 0, 0) })).toMatch(/^Synced\. Last synced .+\.$/);
  });
});

describe('sync runner', () => {
  it('syncs after sign-in and after local changes; offline waits for the online event', async () => {
    const server = new FakeSyncServer();
    const a = device(server.fetch);
    const b = device(server.fetch);
    await createAccount(a.deps, a.creds());
    let online = true;
    const target = new EventTarget() as unknown as Window;
    let status = SIGNED_OUT;
    const runner = new SyncRunner({ client: a.client, storage: a.storage, onStatus: (s) => (status = s), debounceMs: 20, target, online: () => online, watchOutbox: polling(a.storage) });
    await runner.start();
    await until(() => status.phase === 'idle' && status.lastSyncedAt !== null, 'the first sync');
    expect(statusText(status)).toMatch(/^Synced\./);

    await a.storage.conversations.create({ title: 'Background' });
    await until(() => server.pushes.length === 1 && status.waiting === 0 && status.phase === 'idle', 'the debounced push');

    online = false;
    server.down = true;
    await a.storage.conversations.create({ title: 'While offline' });
    await until(() => status.phase === 'offline', 'offline');
    expect(statusText(status)).toMatch(/^Offline, will retry\./);
    expect(status.waiting).toBe(1);

    online = true;
    server.down = false;
    target.dispatchEvent(new Event('online'));
    await until(() => status.phase === 'idle' && status.waiting === 0, 'the sync after coming online');
    runner.stop();

    await signIn(b.deps, b.creds());
    await b.client.syncOnce();
    expect((await b.storage.conversations.list()).map((x) => x.title).sort()).toEqual(['Background', 'While offline']);
  });

  it('shows a failure and retries it later', async () => {
    const server = new FakeSyncServer();
    const a = device(server.fetch);
    await createAccount(a.deps, a.creds());
    await a.storage.conversations.create({ title: 'x' });
    server.rejectPushes = true;
    let status = SIGNED_OUT;
    const runner = new SyncRunner({ client: a.client, storage: a.storage, onStatus: (s) => (status = s), target: null, watchOutbox: polling(a.storage) });
    await runner.start();
    await until(() => status.phase === 'error', 'the error');
    expect(statusText(status)).toMatch(/sync server had a problem \(503/);
    server.rejectPushes = false;
    await until(() => status.phase === 'idle' && status.waiting === 0, 'the retry (backoff)');
    runner.stop();
  });
});
