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

export function errorBody(code: ErrorCode, message: string) {
  return { error: { code, message } };
}
