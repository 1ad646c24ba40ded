// Runs sync in the background while signed in: soon after local changes (debounced), every
// minute and when the window gets focus (pull), at once when the browser comes back online, and
// after failures with exponential backoff (2 s doubling to 5 min, with jitter). One run at a time;
// it never blocks chatting (runs are async and only touch the database in short transactions).
// Reports a SyncStatus after every change of state; `statusText` puts it into words.
import { observe, type Storage, type Subscription } from '../db';
import type { SyncClient } from './client';
import { toSyncError, type SyncErrorData } from './errors';

export type SyncPhase = 'signed-out' | 'idle' | 'syncing' | 'offline' | 'error';

export interface SyncStatus {
  phase: SyncPhase;
  account: { email: string; serverUrl: string } | null;
  /** Local changes not yet acknowledged by the server. */
  waiting: number;
  lastSyncedAt: number | null;
  error: SyncErrorData | null;
  /** Records pulled but set aside: this device cannot apply them (yet). */
  setAside: number;
}

export const SIGNED_OUT: SyncStatus = { phase: 'signed-out', account: null, waiting: 0, lastSyncedAt: null, error: null, setAside: 0 };

export function statusText(s: SyncStatus): string {
  if (s.phase === 'signed-out') return 'Not signed in';
  const main =
    s.phase === 'offline'
      ? 'Offline, will retry'
      : s.phase === 'error' && s.error
        ? s.error.message
        : s.waiting > 0
          ? `${s.waiting} ${s.waiting === 1 ? 'change waits' : 'changes wait'}${s.phase === 'syncing' ? ', syncing…' : ''}`
          : s.phase === 'syncing'
            ? 'Syncing…'
            : 'Synced';
  const last = s.lastSyncedAt ? `Last synced ${new Date(s.lastSyncedAt).toLocaleTimeString()}` : 'Not synced yet';
  return `${main}. ${last}.`;
}

export interface RunnerOptions {
  client: SyncClient;
  storage: Storage;
  onStatus: (s: SyncStatus) => void;
  debounceMs?: number;
  pullEveryMs?: number;
  /** Events source (window in the browser); absent in tests. */
  target?: Pick<Window, 'addEventListener' | 'removeEventListener'> | null;
  online?: () => boolean;
  /** Calls back with the outbox size whenever it changes (default: a live query). */
  watchOutbox?: (next: (count: number) => void) => Subscription;
}

export class SyncRunner {
  private status: SyncStatus = SIGNED_OUT;
  private running: Promise<void> | null = null;
  private again = false;
  private attempt = 0;
  private debounce: ReturnType<typeof setTimeout> | undefined;
  private retry: ReturnType<typeof setTimeout> | undefined;
  private interval: ReturnType<typeof setInterval> | undefined;
  private sub: Subscription | null = null;
  private paused = false;
  private readonly online: () => boolean;

  constructor(private readonly opts: RunnerOptions) {
    this.online = opts.online ?? (() => typeof navigator === 'undefined' || navigator.onLine !== false);
  }

  private set(patch: Partial<SyncStatus>) {
    this.status = { ...this.status, ...patch };
    this.opts.onStatus(this.status);
  }

  private readonly onOnline = () => void this.run();
  private readonly onOffline = () => this.status.account && this.set({ phase: 'offline' });
  private readonly onFocus = () => void this.run();

  async start(): Promise<void> {
    const t = this.opts.target;
    t?.addEventListener('online', this.onOnline);
    t?.addEventListener('offline', this.onOffline);
    t?.addEventListener('focus', this.onFocus);
    this.interval = setInterval(() => void this.run(), this.opts.pullEveryMs ?? 60_000);
    let first = true;
    const watch = this.opts.watchOutbox ?? ((next) => observe(() => this.opts.storage.outbox.count(), next, () => undefined));
    this.sub = watch((waiting) => {
      const grew = waiting > this.status.waiting;
      this.set({ waiting });
      if (grew && !first) this.soon();
      first = false;
    });
    await this.refresh();
  }

  stop(): void {
    const t = this.opts.target;
    t?.removeEventListener('online', this.onOnline);
    t?.removeEventListener('offline', this.onOffline);
    t?.removeEventListener('focus', this.onFocus);
    clearInterval(this.interval);
    clearTimeout(this.debounce);
    clearTimeout(this.retry);
    this.sub?.unsubscribe();
  }

  /** Re-reads the account (after sign-in or sign-out) and syncs if signed in. */
  async refresh(): Promise<void> {
    const [account, lastSyncedAt, aside] = await Promise.all([
      this.opts.storage.sync.account(),
      this.opts.storage.sync.lastSyncedAt(),
      this.opts.storage.sync.asideCount(),
    ]);
    this.attempt = 0;
    if (!account) {
      this.set({ ...SIGNED_OUT, waiting: this.status.waiting });
      return;
    }
    this.set({ account: { email: account.email, serverUrl: account.serverUrl }, lastSyncedAt: lastSyncedAt ?? null, phase: 'idle', error: null, setAside: aside });
    void this.run();
  }

  /** Waits for a running sync and holds further runs (account changes); `refresh()` resumes. */
  async pause(): Promise<void> {
    this.paused = true;
    clearTimeout(this.debounce);
    clearTimeout(this.retry);
    await this.running?.catch(() => undefined);
  }

  resume(): void {
    this.paused = false;
  }

  /** A local change: push soon, once changes stop coming for a moment. */
  soon(): void {
    clearTimeout(this.debounce);
    this.debounce = setTimeout(() => void this.run(), this.opts.debounceMs ?? 1500);
  }

  /** Sync now (button, focus, online, timers). Resolves when this run (and one queued after it) ends. */
  async run(): Promise<void> {
    if (this.paused || !this.status.account) return;
    if (this.running) {
      this.again = true;
      return this.running;
    }
    if (!this.online()) {
      this.set({ phase: 'offline' });
      return;
    }
    clearTimeout(this.retry);
    this.running = this.once();
    try {
      await this.running;
    } finally {
      this.running = null;
    }
    if (this.again) {
      this.again = false;
      await this.run();
    }
  }

  private async once(): Promise<void> {
    this.set({ phase: 'syncing' });
    try {
      await this.opts.client.syncOnce();
      this.attempt = 0;
      const [waiting, last, aside] = await Promise.all([this.opts.storage.outbox.count(), this.opts.storage.sync.lastSyncedAt(), this.opts.storage.sync.asideCount()]);
      this.set({ phase: 'idle', error: null, waiting, lastSyncedAt: last ?? Date.now(), setAside: aside });
    } catch (e) {
      const err = toSyncError(e);
      if (this.paused) return;
      const waiting = await this.opts.storage.outbox.count().catch(() => this.status.waiting);
      const offline = err.code === 'offline' || (err.code === 'network' && !this.online());
      this.set({ phase: offline ? 'offline' : 'error', error: err.toData(), waiting });
      if (err.retryable && !offline) {
        const delay = Math.min(300_000, 2000 * 2 ** this.attempt++) * (0.5 + Math.random() / 2);
        this.retry = setTimeout(() => void this.run(), delay);
      }
    }
  }
}
