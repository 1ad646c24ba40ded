// The sync engine: one `syncOnce()` pulls what the server has, pushes what the outbox holds, and
// pulls again after a push (src/sync/push.ts, src/sync/pull.ts). One tab syncs at a time: every
// run holds the lock "hearth-sync" (src/sync/lock.ts).
//
// Pulling first lets every pulled record be compared with what waits here (src/db/syncApply.ts):
// a device never pushes a stale copy over a newer change. Reconciling (after a fresh sign-in with
// local data, or when the server was restored from a backup; an import's records are queued the
// same way): the pull starts from 0 after a sign-in or restore, each pulled record is compared
// with the local one queued to reconcile (the newer by `updatedAt` wins), and only then does the
// device push what the server lacks or holds older. What it pushes because the server lacked it
// goes "if absent": when another device pushed that record between the pull and the push (a
// delete the stale copy must not undo), the server refuses and the run pulls and compares again.
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
/** Pushes refused as conflicting (then pulled and compared again) in one run before it reports it. */
const MAX_CONFLICT_ROUNDS = 3;

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

  /**
   * A sync run and then `after`, under one hold of the lock: what `after` sees is what that run
   * left (no other tab syncs between them). Runs `after` only if the run succeeded.
   */
  syncThen<T>(after: () => Promise<T>): Promise<T> {
    return this.lock(async () => {
      await this.run();
      return after();
    });
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
    // A run pulls first, so what waits here is compared with what the server holds before it is
    // pushed (src/db/syncApply.ts: a pending change older than the server's version gives way).
    // Records queued to reconcile (imports, a sign-in, a restore) are pushed only if queued before
    // that pull (another tab may import meanwhile; the next run compares those).
    const compared = await this.storage.outbox.reconcileKeys();
    const reconciling = await this.storage.sync.reconciling();
    await pullAll(this.ctx, s, report);
    if (reconciling) await this.storage.sync.endReconcile();
    // A failed push is reported after the run (the device received what others wrote); the
    // network, the session or the server's history gone stop the run at once.
    const pushedBefore = report.pushed;
    let pushError: unknown = null;
    for (let round = 0; ; round++) {
      try {
        await pushAll(this.ctx, s, report, compared);
        break;
      } catch (e) {
        const err = e instanceof SyncError ? e : null;
        if (!err || ['network', 'offline', 'unauthorized', 'history-changed'].includes(err.code)) throw e;
        // Another device pushed a record this one pushed as absent: pull it, compare, push again.
        // If what was pushed since does not explain it (the server's version is one this device
        // pulled long ago and no longer holds), pull everything again.
        if (err.code === 'conflict' && round < MAX_CONFLICT_ROUNDS) {
          if (round > 0) await this.storage.sync.rewindCursor();
          await pullAll(this.ctx, s, report);
          continue;
        }
        pushError = e;
        break;
      }
    }
    // What others pushed meanwhile, and this push's own sequence numbers (the cursor moves past them).
    if (report.pushed > pushedBefore) await pullAll(this.ctx, s, report);
    if (pushError) throw pushError;
  }
}
