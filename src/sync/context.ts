// What the sync engine's parts share (src/sync/client.ts runs them; push.ts and pull.ts do the
// work): the client's options, a signed-in session, a run's report and the context push and pull
// are given. Types only, so the parts import it and not each other.
import type { Storage, SyncAccount } from '../db';
import type { AccountKey } from './crypto';
import type { SyncLock } from './lock';
import type { SyncTransport } from './transport';

export type TransportFactory = (serverUrl: string, token?: () => string | null | undefined) => SyncTransport;

export interface SyncClientOptions {
  storage: Storage;
  transport: TransportFactory;
  /** Attachment chunk size (tests use small ones). */
  chunkBytes?: number;
  pageSize?: number;
  /** Push batch size (at most MAX_MUTATIONS_PER_PUSH). */
  batchSize?: number;
  now?: () => number;
  /** Held around every sync run (default: the Web Lock "hearth-sync"). */
  lock?: SyncLock;
  /** This app's version: records set aside by another version are tried again. */
  appVersion?: string;
}

export interface SyncReport {
  pushed: number;
  pulled: number;
  keptLocal: number;
  /** Records pulled but set aside (cannot be applied on this device; see the Sync dialog). */
  setAside: number;
  /** Records left in the outbox because they cannot be sent (e.g. too large), with why. */
  skipped: string[];
}

export interface Session {
  account: SyncAccount;
  key: AccountKey;
  transport: SyncTransport;
}

/** What push and pull share: storage, options and the epoch check. */
export interface SyncContext {
  storage: Storage;
  opts: SyncClientOptions;
  appVersion: string;
  now: () => number;
  /** Stores the first epoch; throws history-changed when the server names another one. */
  checkEpoch(epoch: string | undefined): Promise<void>;
}

