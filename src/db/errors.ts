// Storage failures as data: every repository write goes through `guard`, which turns
// IndexedDB/Dexie exceptions into a `StorageError` the UI can put into words.

export type StorageErrorCode = 'quota' | 'not-found' | 'invalid' | 'unavailable' | 'unknown';

export class StorageError extends Error {
  constructor(
    readonly code: StorageErrorCode,
    message: string,
    readonly retryable: boolean,
  ) {
    super(message);
    this.name = 'StorageError';
  }
}

function isQuota(e: unknown): boolean {
  let cur: unknown = e;
  for (let depth = 0; cur && depth < 4; depth++) {
    const err = cur as { name?: string; inner?: unknown; code?: number };
    if (err.name === 'QuotaExceededError' || err.code === 22) return true;
    cur = err.inner;
  }
  return false;
}

export function toStorageError(e: unknown): StorageError {
  if (e instanceof StorageError) return e;
  if (isQuota(e)) {
    return new StorageError('quota', 'The browser has no more storage space for Hearth.', true);
  }
  const name = (e as { name?: string })?.name ?? '';
  if (name === 'DatabaseClosedError' || name === 'MissingAPIError' || name === 'OpenFailedError') {
    return new StorageError('unavailable', 'The browser database is not available.', true);
  }
  const message = e instanceof Error ? e.message : String(e);
  return new StorageError('unknown', `Saving failed: ${message}`, true);
}

export async function guard<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (e) {
    throw toStorageError(e);
  }
}
