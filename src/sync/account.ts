// Account operations: create, sign in, sign in again (the session ended: only the token changes),
// sign out, change password, delete. The password never leaves the device: Argon2id turns it into
// an auth key (sent) and a master key (kept) that wraps the random account key; the device keeps
// the account key as a non-extractable CryptoKey.
//
// Local data on sign-in: conversations made before any sign-in, or kept from this same account,
// are reconciled with the account (src/sync/client.ts). Conversations kept from ANOTHER account
// (settings `syncLocalOwner`) are never uploaded without asking: sign-in fails with
// 'confirm-merge' until the user chooses to add them (`localData: 'merge'`) or remove them from
// this device (`'discard'`). Removing them on sign-out first pushes what waits, and fails with
// 'unsynced' (how many changes) unless the user confirms.
import type { Storage } from '../db';
import { DEFAULT_KDF_PARAMS, Email, normalizeEmail, type KdfParams, type WrappedKey } from '../shared/sync/protocol';
import { generateAccountKey, randomBytes, splitSecret, toBase64url, unwrapAccountKey, wrapAccountKey, type DerivedKeys } from './crypto';
import { SyncError, toSyncError } from './errors';
import { must } from './files';
import { checkKdfStrength, MIN_KDF, type DeriveSecret } from './kdf';
import type { SyncClient, TransportFactory } from './client';
import { normalizeServerUrl } from './transport';

export interface AccountDeps {
  storage: Storage;
  transport: TransportFactory;
  derive: DeriveSecret;
  /**
   * Argon2id memory for new accounts and password changes (KiB), and the least accepted from a
   * server. Tests lower it; the app never sets it, so a server's answer cannot lower the floor.
   */
  kdfMemoryKiB?: number;
}

export interface Credentials {
  serverUrl: string;
  email: string;
  password: string;
  /** What to do with another account's conversations on this device (asked when absent). */
  localData?: 'merge' | 'discard';
}

/** The settings key naming the account the local conversations belong to (kept after sign-out). */
export const LOCAL_OWNER_SETTING = 'syncLocalOwner';
interface LocalOwner {
  serverUrl: string;
  email: string;
}

export const MIN_PASSWORD = 8;

function checkInput(c: Credentials, creating: boolean): { serverUrl: string; email: string } {
  const serverUrl = normalizeServerUrl(c.serverUrl);
  if (!serverUrl) throw new SyncError('invalid', 'Enter the sync server URL, starting with https:// (or http:// on this computer).', false);
  const email = Email.safeParse(c.email);
  if (!email.success) throw new SyncError('invalid', 'Enter a valid email address.', false);
  if (!c.password) throw new SyncError('invalid', 'Enter your password.', false);
  if (creating && c.password.length < MIN_PASSWORD) throw new SyncError('invalid', `Choose a password of at least ${MIN_PASSWORD} characters.`, false);
  return { serverUrl, email: email.data };
}

function newKdf(deps: AccountDeps): KdfParams {
  return {
    algorithm: 'argon2id',
    salt: toBase64url(randomBytes(16)),
    memoryKiB: deps.kdfMemoryKiB ?? DEFAULT_KDF_PARAMS.memoryKiB,
    iterations: DEFAULT_KDF_PARAMS.iterations,
    parallelism: DEFAULT_KDF_PARAMS.parallelism,
    version: 1,
  };
}

/** Every derivation goes through here: parameters below the floor are refused before the password is used. */
async function derive(deps: AccountDeps, password: string, email: string, kdf: KdfParams): Promise<DerivedKeys> {
  checkKdfStrength(kdf, { ...MIN_KDF, memoryKiB: deps.kdfMemoryKiB ?? MIN_KDF.memoryKiB });
  return splitSecret(await deps.derive(password, normalizeEmail(email), kdf));
}

/**
 * Before signing in to `email`: conversations on this device that belong to another account
 * need the user's word. Returns whether to keep them (reconciled into the account).
 */
async function checkLocalData(deps: AccountDeps, serverUrl: string, email: string, choice?: 'merge' | 'discard'): Promise<boolean> {
  if (choice) return choice === 'merge';
  const owner = await deps.storage.settings.get<LocalOwner | null>(LOCAL_OWNER_SETTING, null);
  if (!owner || (owner.email === email && owner.serverUrl === serverUrl)) return true;
  const count = (await deps.storage.conversations.list()).length;
  if (count === 0) return true;
  throw new SyncError(
    'confirm-merge',
    `This device holds ${count} ${count === 1 ? 'conversation' : 'conversations'} from ${owner.email}. Add ${count === 1 ? 'it' : 'them'} to ${email}, or remove ${count === 1 ? 'it' : 'them'} from this device?`,
    false,
  );
}

async function begin(deps: AccountDeps, serverUrl: string, email: string, session: { token: string; userId: string; expiresAt: number }, kdf: KdfParams, wrapped: WrappedKey, masterKey: CryptoKey, keepLocal: boolean) {
  const device = await unwrapAccountKey(wrapped, masterKey, false);
  await deps.storage.sync.begin({ serverUrl, email, ...session, kdf, wrappedAccountKey: wrapped }, device.key, device.keyId, crypto.randomUUID(), keepLocal);
  await deps.storage.settings.set(SYNC_SERVER_SETTING, new URL(serverUrl).origin);
  await deps.storage.settings.set(LOCAL_OWNER_SETTING, { serverUrl, email } satisfies LocalOwner);
}

/** The settings key holding the sync server's origin (for the CSP's connect-src). */
export const SYNC_SERVER_SETTING = 'syncServerOrigin';

export async function createAccount(deps: AccountDeps, c: Credentials): Promise<void> {
  const { serverUrl, email } = checkInput(c, true);
  const keepLocal = await checkLocalData(deps, serverUrl, email, c.localData);
  const kdf = newKdf(deps);
  const keys = await derive(deps, c.password, email, kdf);
  const account = await generateAccountKey();
  const wrapped = await wrapAccountKey(account.key, account.keyId, keys.masterKey);
  const t = deps.transport(serverUrl);
  const session = must(await t.register({ email, authKey: keys.authKey, kdf, wrappedAccountKey: wrapped }));
  await begin(deps, serverUrl, email, session, kdf, wrapped, keys.masterKey, keepLocal);
}

export async function signIn(deps: AccountDeps, c: Credentials): Promise<void> {
  const { serverUrl, email } = checkInput(c, false);
  const keepLocal = await checkLocalData(deps, serverUrl, email, c.localData);
  const { res, keys } = await login(deps, serverUrl, email, c.password);
  await begin(deps, serverUrl, email, res, res.kdf, res.wrappedAccountKey, keys.masterKey, keepLocal);
}

async function login(deps: AccountDeps, serverUrl: string, email: string, password: string) {
  const t = deps.transport(serverUrl);
  const { kdf } = must(await t.authParams(email));
  const keys = await derive(deps, password, email, kdf);
  return { res: must(await t.login({ email, authKey: keys.authKey })), keys };
}

/**
 * The session ended (expired, signed out elsewhere, password changed on another device): sign
 * in again in place. Only the token (and the key's wrapping, after a password change) changes;
 * the client id, cursor, outbox and pending batch stay, so nothing is pushed or pulled twice.
 */
export async function reauthenticate(deps: AccountDeps, password: string): Promise<void> {
  const account = await deps.storage.sync.account();
  const stored = await deps.storage.sync.accountKey();
  if (!account || !stored) throw new SyncError('not-signed-in', 'Not signed in to a sync server.', false);
  if (!password) throw new SyncError('invalid', 'Enter your password.', false);
  const { res, keys } = await login(deps, account.serverUrl, account.email, password);
  const unwrapped = await unwrapAccountKey(res.wrappedAccountKey, keys.masterKey, false);
  if (unwrapped.keyId !== stored.keyId) {
    throw new SyncError('invalid', 'This account was made again with a new key since this device signed in. Sign out, then sign in.', false);
  }
  await deps.storage.sync.updateAccount({ token: res.token, userId: res.userId, expiresAt: res.expiresAt, kdf: res.kdf, wrappedAccountKey: res.wrappedAccountKey });
}

/**
 * Ends the session on the server (best effort: signing out works offline) and forgets it here.
 * Removing the local conversations first runs a sync, then removes them only if that run
 * succeeded and nothing waits any more (checked in the transaction that removes them, under the
 * same hold of the sync lock, so a change another tab made meanwhile is pushed first or kept). The
 * run ends with a pull that tells the server what this device's pushes were given: a server
 * restored from a backup since then is noticed and this device pushes its data again before any
 * of it is removed. If the run fails or changes still wait, it fails with 'unsynced' (saying how
 * many, or that the server could not confirm) unless `force`.
 */
export async function signOut(deps: AccountDeps, keepLocal: boolean, opts: { client?: SyncClient; force?: boolean } = {}): Promise<void> {
  const account = await deps.storage.sync.account();
  const checked = !keepLocal && !opts.force && !!account;
  const end = async () => {
    if (!(await deps.storage.sync.end(keepLocal, checked))) return false;
    if (!keepLocal) await deps.storage.settings.set(LOCAL_OWNER_SETTING, null);
    return true;
  };
  const logout = async () => {
    if (account) await deps.transport(account.serverUrl, () => account.token).logout();
  };
  const client = opts.client;
  if (!checked || !client) {
    // Under the sync lock: no other tab is in the middle of a sync when the state goes.
    const done = await (client ? client.exclusive(end) : end());
    if (!done) throw unsynced(await deps.storage.outbox.count(), '');
    await logout();
    return;
  }
  for (let round = 0; ; round++) {
    let why = '';
    let done = false;
    try {
      done = await client.syncThen(end);
    } catch (e) {
      why = ` (${toSyncError(e).message.replace(/\.$/, '')})`; // shown with the count below
    }
    if (done) return logout();
    // Another tab may have saved a change after this push: push again, a few times at most.
    if (why || round >= 2) throw unsynced(await deps.storage.outbox.count(), why);
  }
}

function unsynced(waiting: number, why: string): SyncError {
  const one = waiting === 1;
  const message = waiting
    ? `${waiting} ${one ? 'change on this device is' : 'changes on this device are'} not on the server yet${why}. Removing the conversations from this device loses ${one ? 'it' : 'them'}.`
    : `The sync server could not confirm that it holds this device's changes${why}. Removing the conversations from this device may lose some of them.`;
  return new SyncError('unsynced', message, false);
}

async function current(deps: AccountDeps, password: string) {
  const account = await deps.storage.sync.account();
  if (!account) throw new SyncError('not-signed-in', 'Not signed in to a sync server.', false);
  if (!password) throw new SyncError('invalid', 'Enter your current password.', false);
  const keys = await derive(deps, password, account.email, account.kdf);
  let unwrapped;
  try {
    unwrapped = await unwrapAccountKey(account.wrappedAccountKey, keys.masterKey, true);
  } catch {
    throw new SyncError('bad-credentials', 'The current password is wrong.', false);
  }
  return { account, keys, unwrapped, transport: deps.transport(account.serverUrl, () => account.token) };
}

/** Re-wraps the account key under a key from the new password; nothing else is re-uploaded. */
export async function changePassword(deps: AccountDeps, password: string, newPassword: string): Promise<void> {
  if (newPassword.length < MIN_PASSWORD) throw new SyncError('invalid', `Choose a new password of at least ${MIN_PASSWORD} characters.`, false);
  const { account, keys, unwrapped, transport } = await current(deps, password);
  const kdf = newKdf(deps);
  const next = await derive(deps, newPassword, account.email, kdf);
  const wrapped = await wrapAccountKey(unwrapped.key, unwrapped.keyId, next.masterKey);
  const res = must(await transport.changePassword({ authKey: keys.authKey, newAuthKey: next.authKey, newKdf: kdf, newWrappedAccountKey: wrapped }));
  await deps.storage.sync.updateAccount({ token: res.token, expiresAt: res.expiresAt, kdf, wrappedAccountKey: wrapped });
}

/** Deletes the account and everything it stored on the server; this device keeps its conversations. */
export async function deleteAccount(deps: AccountDeps, password: string): Promise<void> {
  const { keys, transport } = await current(deps, password);
  must(await transport.deleteAccount({ authKey: keys.authKey }));
  await deps.storage.sync.end(true);
}
