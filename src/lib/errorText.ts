// Puts failures into words for the UI: engine error codes, storage error codes and anything
// else thrown. Never returns "[object Object]"; the engine's own message is kept as detail.
import type { EngineError, EngineErrorCode } from '../shared/engine';

const ENGINE_TEXT: Record<EngineErrorCode, string> = {
  'not-loaded': 'The model is not loaded yet.',
  busy: 'The model is still busy with another reply.',
  'model-not-found': 'The model files could not be found.',
  'model-corrupt': 'The model files are damaged or not a valid model.',
  'backend-unavailable': 'This browser cannot run the model with the chosen backend.',
  'device-lost': 'The graphics device (WebGPU) stopped responding.',
  'out-of-memory': 'There is not enough memory to run the model.',
  'generation-failed': 'The model could not finish this reply.',
  'worker-crashed': 'The model stopped unexpectedly.',
  unknown: 'Something went wrong with the model.',
};

const STORAGE_TEXT: Record<string, string> = {
  quota: 'Your browser has run out of storage space for Hearth. Nothing already saved was lost; free some space (delete old conversations) and try again.',
  'not-found': 'That item no longer exists (it may have been deleted in another tab).',
  invalid: 'That change could not be saved.',
  unavailable: 'The browser database is not available (private browsing or storage disabled?).',
  unknown: 'Saving failed.',
};

export function isEngineError(e: unknown): e is EngineError {
  return (
    typeof e === 'object' && e !== null && typeof (e as EngineError).code === 'string' &&
    typeof (e as EngineError).message === 'string' && typeof (e as EngineError).retryable === 'boolean' &&
    (e as EngineError).code in ENGINE_TEXT
  );
}

/** The short sentence for an engine error code. */
export function engineErrorText(error: Pick<EngineError, 'code'>): string {
  return ENGINE_TEXT[error.code] ?? ENGINE_TEXT.unknown;
}

/**
 * The sentence for the code plus the engine's detail, without saying things twice: the engine
 * writes "Summary: technical detail" or a full sentence of its own.
 */
export function engineErrorDetail(error: EngineError): string {
  const head = engineErrorText(error);
  let detail = plain(error.message);
  if (!detail || detail === head) return head;
  const colon = detail.indexOf(': ');
  if (colon > 0 && colon < 80) detail = detail.slice(colon + 2).trim();
  else if (/^[A-Z].*[.!?)]$/s.test(detail) && detail.length < 240) return detail;
  if (detail.length > 240) detail = `${detail.slice(0, 237)}…`;
  return detail ? `${head} (${detail.replace(/[.\s]+$/, '')})` : head;
}

/** A sentence for anything caught: EngineError, StorageError, Error, string, unknown. */
export function errorText(e: unknown): string {
  if (isEngineError(e)) return engineErrorDetail(e);
  if (e instanceof Error && e.name === 'StorageError') {
    const code = (e as Error & { code?: string }).code ?? 'unknown';
    if (code === 'quota') return STORAGE_TEXT.quota;
    if (code === 'unknown') return plain(e.message) || STORAGE_TEXT.unknown;
    return plain(e.message) || STORAGE_TEXT[code] || STORAGE_TEXT.unknown;
  }
  if (e instanceof Error) return plain(e.message) || e.name || 'Something went wrong.';
  if (typeof e === 'string') return plain(e) || 'Something went wrong.';
  return 'Something went wrong.';
}

export function isQuotaError(e: unknown): boolean {
  return e instanceof Error && (e as Error & { code?: string }).code === 'quota';
}

/** Guards against messages that are themselves stringified objects. */
function plain(text: string | undefined): string {
  const t = (text ?? '').trim();
  return t.includes('[object Object]') ? t.replaceAll('[object Object]', 'an unknown error').trim() : t;
}
