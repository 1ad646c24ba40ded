// Errors the API answers with: `{error: {code, message}}` and the status for the code.
import { ERROR_STATUS, type ErrorCode } from '../src/shared/sync/protocol';

export class ApiError extends Error {
  readonly status: number;
  constructor(
    readonly code: ErrorCode,
    message: string,
    /** Seconds, for rate-limited answers (Retry-After). */
    readonly retryAfter?: number,
  ) {
    super(message);
    this.status = ERROR_STATUS[code];
  }
}

/**
 * A database that is too busy to answer in time (PostgreSQL: statement, lock or idle-transaction
 * timeout, or no pooled connection free; PGlite: no turn on its connection in time, db.ts): 503
 * with a Retry-After, never a hung request.
 */
export function busyDatabase(err: unknown): ApiError | null {
  const e = err as { code?: unknown; message?: unknown; name?: unknown } | null;
  const code = typeof e?.code === 'string' ? e.code : '';
  const message = typeof e?.message === 'string' ? e.message : '';
  const timedOut =
    ['57014', '55P03', '25P03'].includes(code) || /timeout exceeded when trying to connect/i.test(message) || e?.name === 'DatabaseBusyError';
  return timedOut ? new ApiError('unavailable', 'The database is busy; try again shortly.', 5) : null;
}

export function errorBody(code: ErrorCode, message: string) {
  return { error: { code, message } };
}
