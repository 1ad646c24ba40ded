// Sync failures as data: `{code, message, retryable}` (design rule 2). Transport errors, refused
// records and key problems all become a SyncError whose message the status line can show as is.

export type SyncErrorCode =
  | 'offline'
  | 'network'
  | 'server'
  | 'unauthorized'
  | 'bad-credentials'
  | 'email-taken'
  | 'invalid'
  | 'rate-limited'
  | 'quota-exceeded'
  | 'refused'
  | 'wrong-key'
  | 'not-signed-in'
  | 'storage'
  /** The server's history changed (restored from a backup): the device reconciles. */
  | 'history-changed'
  /** The server lacks chunks of an attachment this device pushed: they are uploaded again. */
  | 'missing-chunks'
  /** Another device pushed a record this device pushed as absent from the server: pull and compare again. */
  | 'conflict'
  /** Removing local data would lose changes not pushed yet: ask first. */
  | 'unsynced'
  /** This device holds another account's conversations: ask before adding them. */
  | 'confirm-merge';

export interface SyncErrorData {
  code: SyncErrorCode;
  message: string;
  retryable: boolean;
}

export class SyncError extends Error implements SyncErrorData {
  constructor(
    readonly code: SyncErrorCode,
    message: string,
    readonly retryable: boolean,
  ) {
    super(message);
    this.name = 'SyncError';
  }

  toData(): SyncErrorData {
    return { code: this.code, message: this.message, retryable: this.retryable };
  }
}

/** A record from the server that failed to decrypt or validate. */
export const refused = (what: string, why: string): SyncError =>
  new SyncError('refused', `Refused ${what} from the sync server: ${why}. Nothing on this device was changed.`, false);

export function toSyncError(e: unknown): SyncError {
  if (e instanceof SyncError) return e;
  const err = e as { name?: string; code?: string; message?: string; retryable?: boolean };
  if (err?.name === 'StorageError') return new SyncError('storage', err.message ?? 'Saving failed.', err.retryable ?? true);
  return new SyncError('server', `Sync failed: ${err?.message ?? String(e)}`, true);
}
