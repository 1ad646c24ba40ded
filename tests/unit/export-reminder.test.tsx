// @vitest-environment happy-dom
// The export reminder: shown once there are conversations while storage is not persistent and
// nothing is synced, and gone for good after Dismiss (also after a remount).
import 'fake-indexeddb/auto';
import { render } from 'solid-js/web';
import { afterEach, describe, expect, it } from 'vitest';
import { until } from './until';
import { openStorage } from '../../src/db';
import { createAppStores, StoresContext } from '../../src/stores';
import { ExportReminder } from '../../src/components/ExportReminder';
import { idleEngine as engine } from './uiHelpers';

let dispose: (() => void) | null = null;
afterEach(() => {
  dispose?.();
  document.body.innerHTML = '';
});

const note = () => document.querySelector('[aria-label="Keep a copy"]');
/** Waits until the reminder knows whether to show (its slot's data-state), and returns that. */
async function settled(want: 'shown' | 'hidden') {
  await until(() => document.querySelector('.export-reminder-slot')?.getAttribute('data-state') === want);
  expect(!!note()).toBe(want === 'shown');
}

function mount(name: string) {
  const stores = createAppStores({ storage: openStorage(name), engine, url: {}, locks: null });
  const root = document.createElement('div');
  document.body.append(root);
  dispose?.();
  dispose = render(() => <StoresContext.Provider value={stores}><ExportReminder /></StoresContext.Provider>, root);
  return stores;
}

describe('ExportReminder', () => {
  it('reminds once while storage is not persistent, until dismissed', async () => {
    Object.defineProperty(navigator, 'storage', { configurable: true, value: { persisted: async () => false } });
    const stores = mount('reminder');
    await settled('hidden'); // no conversations yet
    await stores.storage.conversations.create();
    await settled('shown');
    expect(document.body.textContent).toMatch(/Export in the sidebar/);
    (document.querySelector('[aria-label="Keep a copy"] button') as HTMLButtonElement).click();
    await settled('hidden');
    const again = mount('reminder');
    await until(() => again.conversations.hits().length === 1); // a conversation, yet dismissed for good
    await settled('hidden');
  });

  it('says nothing while this device syncs to an account', async () => {
    Object.defineProperty(navigator, 'storage', { configurable: true, value: { persisted: async () => false } });
    const storage = openStorage('reminder-synced');
    await storage.conversations.create();
    const key = await crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt']);
    const account = { serverUrl: 'http://127.0.0.1:9', email: 'a@example.org', userId: 'u1', token: 't', expiresAt: Date.now() + 3.6e6, kdf: {}, wrappedAccountKey: {} };
    await storage.sync.begin(account as never, key, 'k1', 'c1');
    const stores = mount('reminder-synced');
    await until(() => stores.sync.status().account !== null && stores.conversations.hits().length === 1);
    await settled('hidden');
    await stores.sync.signOut(true);
    await settled('shown');
  });
});
