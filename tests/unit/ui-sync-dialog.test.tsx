// @vitest-environment happy-dom
// The Sync dialog's questions and notices (docs/ui-contract.md), through the real sync store,
// client and HTTP transport against the in-memory protocol server: "Sign in again" after the
// session ended keeps everything; "Remove from this device" warns with a count when changes cannot
// be pushed; another account's conversations are added only when asked; set-aside records are
// counted.
import 'fake-indexeddb/auto';
import { render } from 'solid-js/web';
import { afterEach, describe, expect, it } from 'vitest';
import { openStorage, type Storage } from '../../src/db';
import { SyncDialog } from '../../src/components/SyncDialog';
import { KDF_LIMITS, type KdfParams } from '../../src/shared/sync/protocol';
import { changePassword, createAccount, signIn, signOut } from '../../src/sync/account';
import { encodeJson, encryptRecord } from '../../src/sync/crypto';
import { deriveSecret } from '../../src/sync/kdfCore';
import { httpTransport } from '../../src/sync/transport';
import { createSyncStore } from '../../src/stores/sync';
import { FakeSyncServer } from './syncFakeServer';
import { device, PASSWORD, SERVER } from './syncHelpers';

let dispose: (() => void) | null = null;
let n = 0;
afterEach(() => {
  dispose?.();
  document.body.innerHTML = '';
});

async function until(cond: () => boolean, ms = 8000) {
  const t = Date.now();
  while (!cond()) {
    if (Date.now() - t > ms) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Argon2id at the smallest memory the protocol allows, for every derivation alike (speed). */
const cheapDerive = (password: string, email: string, kdf: KdfParams) => deriveSecret(password, email, { ...kdf, memoryKiB: KDF_LIMITS.memoryKiB.min });

function mount(server: FakeSyncServer, storage: Storage = openStorage(`ui-sync-${++n}`)) {
  const transport = (serverUrl: string, token?: () => string | null | undefined) => httpTransport({ serverUrl, token, fetch: server.fetch });
  const sync = createSyncStore({ storage, transport, derive: cheapDerive, kdfMemoryKiB: KDF_LIMITS.memoryKiB.min, target: null });
  const root = document.createElement('div');
  document.body.append(root);
  dispose = render(() => <SyncDialog open={true} onClose={() => undefined} sync={sync} />, root);
  return { sync, storage };
}

const q = (sel: string) => document.querySelector(sel) as HTMLElement | null;
const group = (name: string) => q(`[role="group"][aria-label="${name}"]`);
function button(name: string, within: ParentNode = document): HTMLButtonElement {
  const b = [...within.querySelectorAll('button')].find((x) => x.textContent?.trim() === name);
  if (!b) throw new Error(`no button ${name}`);
  return b;
}
function fill(label: string, value: string) {
  const id = [...document.querySelectorAll('label')].find((l) => l.textContent === label)!.getAttribute('for')!;
  const input = document.getElementById(id) as HTMLInputElement;
  input.value = value;
  input.dispatchEvent(new Event('input', { bubbles: true }));
}
const statusText = () => q('[role="status"][aria-label="Sync status"]')?.textContent ?? '';

async function signInThroughDialog(email: string) {
  fill('Server URL', SERVER);
  fill('Email', email);
  fill('Password', PASSWORD);
  button('Sign in').click();
}

describe('Sync dialog', () => {
  it('after the password changed elsewhere: "Sign in again" keeps the outbox and syncs it', async () => {
    const server = new FakeSyncServer();
    const other = device(server.fetch);
    await createAccount(other.deps, other.creds('dlg1@example.org'));
    const { sync, storage } = mount(server);
    await signInThroughDialog('dlg1@example.org');
    await until(() => /^Synced/.test(statusText()));

    await changePassword(other.deps, PASSWORD, 'a new password 1');
    const c = await storage.conversations.create({ title: 'Waiting for the new session' });
    await sync.syncNow();
    await until(() => !!group('Session ended'));
    fill('Password', 'a new password 1');
    button('Sign in again', group('Session ended')!).click();
    await until(() => !group('Session ended') && /^Synced/.test(statusText()));
    const third = device(server.fetch);
    await signIn(third.deps, third.creds('dlg1@example.org', 'a new password 1'));
    await third.client.syncOnce();
    expect((await third.storage.conversations.get(c.id))?.title).toBe('Waiting for the new session');
  });

  it('"Remove from this device" warns with a count when changes cannot be pushed, and removes on "Remove anyway"', async () => {
    const server = new FakeSyncServer();
    const { storage } = mount(server);
    fill('Server URL', SERVER);
    fill('Email', 'dlg2@example.org');
    fill('Password', PASSWORD);
    button('Create account').click();
    await until(() => /^Synced/.test(statusText()));
    await storage.conversations.create({ title: 'Unsent' });
    server.down = true;
    button('Sign out').click();
    button('Remove from this device', group('Sign out')!).click();
    await until(() => !!group('Not synced'));
    expect(group('Not synced')!.textContent).toMatch(/^1 change on this device is not on the server yet/);
    expect((await storage.conversations.list()).length).toBe(1);
    button('Remove anyway', group('Not synced')!).click();
    await until(() => statusText() === 'Not signed in');
    expect(await storage.conversations.list()).toEqual([]);
  });

  it("asks before adding another account's conversations, and counts records it sets aside", async () => {
    const server = new FakeSyncServer();
    const first = device(server.fetch);
    await createAccount(first.deps, first.creds('dlg3a@example.org'));
    const second = device(server.fetch);
    await createAccount(second.deps, second.creds('dlg3b@example.org'));
    // A record from a newer Hearth in the second account.
    const s = (await second.client.session())!;
    const id = crypto.randomUUID();
    const ciphertext = await encryptRecord(s.key, id, encodeJson({ v: 2, kind: 'folder', id }));
    await s.transport.push({ clientId: (await second.storage.sync.clientId())!, mutations: [{ mutationId: 1, recordId: id, ciphertext }] });

    await first.storage.conversations.create({ title: 'From the first account' });
    await first.client.syncOnce();
    await signOut(first.deps, true);

    mount(server, first.storage);
    await signInThroughDialog('dlg3b@example.org');
    await until(() => !!group('Conversations on this device'));
    expect(group('Conversations on this device')!.textContent).toMatch(/1 conversation from dlg3a@example\.org/);
    expect(await first.storage.sync.account()).toBeUndefined();
    button('Add them to this account', group('Conversations on this device')!).click();
    await until(() => /^Synced/.test(statusText()));
    await until(() => !!q('[role="note"][aria-label="Set-aside records"]'));
    expect(q('[aria-label="Set-aside records"]')!.textContent).toMatch(/^1 record set aside/);
    await second.client.syncOnce();
    expect((await second.storage.conversations.list()).map((c) => c.title)).toEqual(['From the first account']);
  });
});
