// The Sync dialog (button "Sync"): create an account or sign in on a sync server (end-to-end
// encrypted: the password never leaves the device; asks before adding another account's
// conversations), the sync status (role status), Sign in again when the session ended, records set
// aside, Sync now, Change password, Sign out (asks whether to keep this device's conversations;
// warns when changes could not be pushed), Delete account.
import { createSignal, Show, type JSX } from 'solid-js';
import { Modal } from './Modal';
import type { SyncErrorData } from '../sync/errors';
import type { SyncStore } from '../stores/sync';
import './sync.css';

export function SyncDialog(props: { open: boolean; onClose: () => void; sync: SyncStore }) {
  const s = () => props.sync;
  const [serverUrl, setServerUrl] = createSignal('');
  const [email, setEmail] = createSignal('');
  const [password, setPassword] = createSignal('');
  const [newPassword, setNewPassword] = createSignal('');
  const [error, setError] = createSignal<string | null>(null);
  const [note, setNote] = createSignal<string | null>(null);
  const [confirm, setConfirm] = createSignal<'sign-out' | 'delete' | 'unsynced' | 'merge' | null>(null);
  /** The question the last failure asks (merge: which action to repeat with the answer). */
  const [question, setQuestion] = createSignal<{ text: string; creating: boolean } | null>(null);
  const signedIn = () => s().status().account !== null;
  const sessionEnded = () => signedIn() && s().status().error?.code === 'unauthorized';

  const reset = () => {
    const acct = s().status().account;
    setServerUrl(acct?.serverUrl ?? s().serverOrigin() ?? '');
    setEmail(acct?.email ?? '');
    setError(null);
    setNote(null);
    setConfirm(null);
  };

  const run = async (work: () => Promise<SyncErrorData | null>, done: string, creating = false) => {
    setError(null);
    setNote(null);
    const err = await work();
    if (err?.code === 'unsynced' || err?.code === 'confirm-merge') {
      setQuestion({ text: err.message, creating });
      setConfirm(err.code === 'unsynced' ? 'unsynced' : 'merge');
    } else if (err) setError(err.message);
    else {
      setNote(done);
      setPassword('');
      setNewPassword('');
      setConfirm(null);
    }
  };
  const creds = () => ({ serverUrl: serverUrl(), email: email(), password: password() });
  const enter = (localData?: 'merge' | 'discard') =>
    question()?.creating
      ? run(() => s().createAccount({ ...creds(), localData }), 'Account created. Syncing.', true)
      : run(() => s().signIn({ ...creds(), localData }), 'Signed in. Syncing.');

  return (
    <Modal open={props.open} onOpen={reset} onClose={props.onClose} class="settings sync-dialog" labelledBy="sync-title">
      <Show when={props.open}>
        <form class="settings-body" onSubmit={(e) => e.preventDefault()}>
          <h2 id="sync-title">Sync</h2>
          <p class="muted">
            Conversations are encrypted on this device before they are sent; the server cannot read them. Your password never leaves this
            device, and nobody can recover the data if you forget it.
          </p>
          <p role="status" aria-label="Sync status" class="sync-status" data-phase={s().status().phase}>
            {s().busy() ?? s().text()}
          </p>
          <Show when={signedIn()}>
            <p class="sync-who">
              Signed in as <strong>{s().status().account!.email}</strong> on {s().status().account!.serverUrl}
            </p>
          </Show>
          <div class="field">
            <label for="sync-server">Server URL</label>
            <input id="sync-server" type="url" placeholder="https://sync.example.org" value={serverUrl()} disabled={signedIn()} onInput={(e) => setServerUrl(e.currentTarget.value)} />
          </div>
          <div class="field">
            <label for="sync-email">Email</label>
            <input id="sync-email" type="email" autocomplete="username" value={email()} disabled={signedIn()} onInput={(e) => setEmail(e.currentTarget.value)} />
          </div>
          <div class="field">
            <label for="sync-password">Password</label>
            <input id="sync-password" type="password" autocomplete="current-password" value={password()} onInput={(e) => setPassword(e.currentTarget.value)} />
            <Show when={signedIn()}>
              <small>Your current password, to sign in again, change it or delete the account.</small>
            </Show>
          </div>
          <Show
            when={signedIn()}
            fallback={
              <div class="sync-row">
                <button type="button" class="btn" disabled={!!s().busy()} onClick={() => void run(() => s().createAccount(creds()), 'Account created. Syncing.', true)}>
                  Create account
                </button>
                <button type="submit" class="btn btn-primary" disabled={!!s().busy()} onClick={() => void run(() => s().signIn(creds()), 'Signed in. Syncing.')}>
                  Sign in
                </button>
                <Show when={confirm() === 'merge'}>
                  <Confirm label="Conversations on this device" text={question()?.text ?? ''} onCancel={() => setConfirm(null)}>
                    <button type="button" class="btn" onClick={() => void enter('merge')}>
                      Add them to this account
                    </button>
                    <button type="button" class="btn btn-danger" onClick={() => void enter('discard')}>
                      Sign in without them
                    </button>
                  </Confirm>
                </Show>
              </div>
            }
          >
            <Show when={sessionEnded()}>
              <div class="sync-confirm" role="group" aria-label="Session ended">
                <p>Your session on the sync server has ended. Enter your password above to go on syncing; nothing on this device is lost.</p>
                <button type="button" class="btn btn-primary" disabled={!!s().busy()} onClick={() => void run(() => s().reauthenticate(password()), 'Signed in again. Syncing.')}>
                  Sign in again
                </button>
              </div>
            </Show>
            <Show when={s().status().setAside > 0}>
              <p role="note" aria-label="Set-aside records" class="sync-aside">
                {s().status().setAside} {s().status().setAside === 1 ? 'record' : 'records'} set aside: this device cannot read{' '}
                {s().status().setAside === 1 ? 'it' : 'them'} (made by a newer version of Hearth, damaged, or missing parts). Kept, and tried again
                when Hearth updates or a newer version arrives.
              </p>
            </Show>
            <div class="sync-row">
              <button type="button" class="btn btn-primary" disabled={!!s().busy()} onClick={() => void s().syncNow()}>
                Sync now
              </button>
              <button type="button" class="btn" disabled={!!s().busy()} onClick={() => setConfirm('sign-out')}>
                Sign out
              </button>
            </div>
            <Show when={confirm() === 'sign-out'}>
              <Confirm label="Sign out" text="Keep the conversations on this device after signing out? Changes not synced yet are sent to the server first." onCancel={() => setConfirm(null)}>
                <button type="button" class="btn" onClick={() => void run(() => s().signOut(true), 'Signed out. Conversations kept on this device.')}>
                  Keep on this device
                </button>
                <button type="button" class="btn btn-danger" onClick={() => void run(() => s().signOut(false), 'Signed out. Conversations removed from this device.')}>
                  Remove from this device
                </button>
              </Confirm>
            </Show>
            <Show when={confirm() === 'unsynced'}>
              <Confirm label="Not synced" text={question()?.text ?? ''} onCancel={() => setConfirm(null)}>
                <button type="button" class="btn btn-danger" onClick={() => void run(() => s().signOut(false, true), 'Signed out. Conversations removed from this device.')}>
                  Remove anyway
                </button>
              </Confirm>
            </Show>
            <div class="field">
              <label for="sync-new-password">New password</label>
              <input id="sync-new-password" type="password" autocomplete="new-password" value={newPassword()} onInput={(e) => setNewPassword(e.currentTarget.value)} />
            </div>
            <div class="sync-row">
              <button type="button" class="btn" disabled={!!s().busy()} onClick={() => void run(() => s().changePassword(password(), newPassword()), 'Password changed. Other devices must sign in again.')}>
                Change password
              </button>
              <button type="button" class="btn btn-danger" disabled={!!s().busy()} onClick={() => setConfirm('delete')}>
                Delete account
              </button>
            </div>
            <Show when={confirm() === 'delete'}>
              <Confirm label="Delete account" text="Delete the account and everything it stored on the server? Conversations on this device stay." onCancel={() => setConfirm(null)}>
                <button type="button" class="btn btn-danger" onClick={() => void run(() => s().deleteAccount(password()), 'Account deleted. Conversations kept on this device.')}>
                  Delete everything on the server
                </button>
              </Confirm>
            </Show>
          </Show>
          <Show when={error()}>
            <p role="alert" class="sync-error">{error()}</p>
          </Show>
          <Show when={note()}>
            <p class="sync-note">{note()}</p>
          </Show>
          <div class="settings-actions">
            <button type="button" class="btn btn-primary" onClick={() => props.onClose()}>
              Close
            </button>
          </div>
        </form>
      </Show>
    </Modal>
  );
}

/** A question inside the dialog with its answers and Cancel. */
function Confirm(props: { label: string; text: string; onCancel: () => void; children: JSX.Element }) {
  return (
    <div class="sync-confirm" role="group" aria-label={props.label}>
      <p>{props.text}</p>
      {props.children}
      <button type="button" class="btn btn-ghost" onClick={() => props.onCancel()}>
        Cancel
      </button>
    </div>
  );
}
