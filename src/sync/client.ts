// The sync engine: one `syncOnce()` pushes what the outbox holds, then pulls what the server has
// (src/sync/push.ts, src/sync/pull.ts). One tab syncs at a time: every run holds the lock
// "hearth-sync" (src/sync/lock.ts).
//
// Reconciling (after a fresh sign-in with local data, or when the server was restored from a
// backup): the device pulls EVERYTHING first, comparing each pulled record with the local one
// queued to reconcile (the newer by `updatedAt` wins; src/db/syncApply.ts), and only then pushes:
// what the server lacks or holds older. A device never pushes stale copies over newer changes.
//
// Server history: every push and pull answer names the server's epoch for this user. A device
// that stored another epoch, or is told 409 history-changed (its cursor is past what the server
// holds), starts reconciling at once.
import type { Storage } from '../db';
import { SyncError } from './errors';
import { webLock, type SyncLock } from './lock';
import { pullAll } from './pull';
import { pushAll } from './push';

export type { TransportFactory, SyncClientOptions, SyncReport, Session, SyncContext } from './context';
import type { SyncClientOptions, SyncReport, Session, SyncContext } from './context';

/** A reconcile can be restarted by another history change; give up after this many in one run. */
const MAX_RESTARTS = 3;

export class SyncClient {
  private readonly storage: Storage;
  private readonly lock: SyncLock;
  private readonly ctx: SyncContext;

  constructor(private readonly opts: SyncClientOptions) {
    this.storage = opts.storage;
    this.lock = opts.lock ?? webLock();
    const storage = opts.storage;
    this.ctx = {
      storage,
      opts,
      appVersion: opts.appVersion ?? 'dev',
      now: opts.now ?? Date.now,
      async checkEpoch(epoch) {
        if (!epoch) return;
        const stored = await storage.sync.epoch();
        if (stored === null) await storage.sync.setEpoch(epoch);
        else if (stored !== epoch) throw new SyncError('history-changed', 'The sync server was restored from a backup; this device reconciles with it.', true);
      },
    };
  }

  /** The signed-in account with its key and an authenticated transport; null when signed out. */
  async session(): Promise<Session | null> {
    const [account, key] = await Promise.all([this.storage.sync.account(), this.storage.sync.accountKey()]);
    if (!account || !key) return null;
    return { account, key, transport: this.opts.transport(account.serverUrl, () => account.token) };
  }

  /** Holds the sync lock around `work` (account actions use it too, so no sync runs meanwhile). */
  exclusive<T>(work: () => Promise<T>): Promise<T> {
    return this.lock(work);
  }

  syncOnce(): Promise<SyncReport> {
    return this.lock(() => this.run());
  }

  private async run(): Promise<SyncReport> {
    const s = await this.session();
    if (!s) throw new SyncError('not-signed-in', 'Not signed in to a sync server.', false);
    const report: SyncReport = { pushed: 0, pulled: 0, keptLocal: 0, setAside: 0, skipped: [] };
    for (let restart = 0; ; restart++) {
      try {
        await this.once(s, report);
        break;
      } catch (e) {
        if (!(e instanceof SyncError && e.code === 'history-changed') || restart >= MAX_RESTARTS) throw e;
        await this.storage.sync.startReconcile(null);
      }
    }
    await this.storage.sync.setLastSyncedAt(this.ctx.now());
    return report;
  }

  private async once(s: Session, report: SyncReport): Promise<void> {
    if (await this.storage.sync.reconciling()) {
      await pullAll(this.ctx, s, report);
      await this.storage.sync.endReconcile();
    }
    // A failed push does not stop the pull (unless the network, the session or the server's
    // history is gone): the device still receives what others wrote; the push error is reported after.
    let pushError: unknown = null;
    try {
      await pushAll(this.ctx, s, report);
    } catch (e) {
      const err = e instanceof SyncError ? e : null;
      if (!err || ['network', 'offline', 'unauthorized', 'history-changed'].includes(err.code)) throw e;
      pushError = e;
    }
    await pullAll(this.ctx, s, report);
    if (pushError) throw pushError;
  }
}
