// The sync store: account actions for the Sync dialog (create, sign in, sign in again after the
// session ended, sign out, change password, delete), run under the sync lock so no tab syncs
// meanwhile; the background runner's status as signals; and the configured sync server's origin
// (settings key `syncServerOrigin`, for the CSP's connect-src). Actions never throw: they resolve
// to null or to the error as data for the dialog to show.
import { createSignal, onCleanup, getOwner, type Accessor } from 'solid-js';
import type { Storage } from '../db';
import * as account from '../sync/account';
import { SyncClient, type TransportFactory } from '../sync/client';
import { toSyncError, type SyncErrorData } from '../sync/errors';
import { deriveInWorker, type DeriveSecret } from '../sync/kdf';
import { SIGNED_OUT, statusText, SyncRunner, type SyncStatus } from '../sync/runner';
import { httpTransport } from '../sync/transport';

export interface SyncStore {
  status: Accessor<SyncStatus>;
  text: Accessor<string>;
  /** What an account action is doing ("Signing in…"), or null. */
  busy: Accessor<string | null>;
  /** The sync server origin last used on this device (for connect-src), or null. */
  serverOrigin: Accessor<string | null>;
  createAccount(c: account.Credentials): Promise<SyncErrorData | null>;
  /** Fails with code 'confirm-merge' when another account's conversations are here (ask, then pass `localData`). */
  signIn(c: account.Credentials): Promise<SyncErrorData | null>;
  /** The session ended: sign in again with the password; nothing else changes. */
  reauthenticate(password: string): Promise<SyncErrorData | null>;
  /** Removing local data syncs first; fails with code 'unsynced' (unless `force`) when the server could not confirm it holds every change. */
  signOut(keepLocal: boolean, force?: boolean): Promise<SyncErrorData | null>;
  changePassword(password: string, newPassword: string): Promise<SyncErrorData | null>;
  deleteAccount(password: string): Promise<SyncErrorData | null>;
  syncNow(): Promise<void>;
}

export function createSyncStore(deps: {
  storage: Storage;
  transport?: TransportFactory;
  derive?: DeriveSecret;
  /** Tests only: a cheaper Argon2id memory (also the floor a server's parameters are held to). */
  kdfMemoryKiB?: number;
  target?: Window | null;
}): SyncStore {
  const { storage } = deps;
  const transport: TransportFactory = deps.transport ?? ((serverUrl, token) => httpTransport({ serverUrl, token }));
  const accountDeps: account.AccountDeps = { storage, transport, derive: deps.derive ?? deriveInWorker, kdfMemoryKiB: deps.kdfMemoryKiB };
  const [status, setStatus] = createSignal<SyncStatus>(SIGNED_OUT);
  const [busy, setBusy] = createSignal<string | null>(null);
  const [serverOrigin, setServerOrigin] = createSignal<string | null>(null);
  const appVersion = typeof __HEARTH_BUILD_ID__ === 'string' ? __HEARTH_BUILD_ID__ : 'dev';
  const client = new SyncClient({ storage, transport, appVersion });
  const runner = new SyncRunner({
    client,
    storage,
    onStatus: setStatus,
    target: deps.target === undefined ? (typeof window !== 'undefined' ? window : null) : deps.target,
  });
  void runner.start().catch((e) => setStatus({ ...SIGNED_OUT, phase: 'error', error: toSyncError(e).toData() }));
  const readOrigin = () =>
    storage.settings.get<string | null>(account.SYNC_SERVER_SETTING, null).then(setServerOrigin, () => undefined);
  void readOrigin();
  if (getOwner()) onCleanup(() => runner.stop());

  /** Runs an account action with this tab's runner paused and (unless `locked` is false) the sync lock held. */
  async function act(label: string, work: () => Promise<void>, locked = true): Promise<SyncErrorData | null> {
    if (busy()) return { code: 'invalid', message: 'Another sync action is still running.', retryable: true };
    setBusy(label);
    await runner.pause();
    try {
      await (locked ? client.exclusive(work) : work());
      return null;
    } catch (e) {
      return toSyncError(e).toData();
    } finally {
      runner.resume();
      await runner.refresh().catch(() => undefined);
      await readOrigin();
      setBusy(null);
    }
  }

  return {
    status,
    text: () => statusText(status()),
    busy,
    serverOrigin,
    createAccount: (c) => act('Creating the account…', () => account.createAccount(accountDeps, c)),
    signIn: (c) => act('Signing in…', () => account.signIn(accountDeps, c)),
    reauthenticate: (password) => act('Signing in again…', () => account.reauthenticate(accountDeps, password)),
    signOut: (keepLocal, force = false) => act('Signing out…', () => account.signOut(accountDeps, keepLocal, { client, force }), false), // syncs and removes under one hold of the lock
    changePassword: (p, n) => act('Changing the password…', () => account.changePassword(accountDeps, p, n)),
    deleteAccount: (p) => act('Deleting the account…', () => account.deleteAccount(accountDeps, p)),
    syncNow: () => runner.run(),
  };
}
