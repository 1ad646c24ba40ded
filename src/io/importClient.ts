// The UI's way to the import worker: one worker per import, ended when the import is read or
// cancelled. The store takes any function of this shape (tests parse in-thread).
import * as Comlink from 'comlink';
import type { ParseOutcome, ImportWorkerApi } from './import.worker';
import type { ParseProgress } from './parseFile';

export type ParseFn = (file: Blob, fileName: string, onProgress: (p: ParseProgress) => void, signal: AbortSignal) => Promise<ParseOutcome>;

export const parseInWorker: ParseFn = async (file, fileName, onProgress, signal) => {
  const worker = new Worker(new URL('./import.worker.ts', import.meta.url), { type: 'module', name: 'hearth-import' });
  const remote = Comlink.wrap<ImportWorkerApi>(worker);
  const aborted = new Promise<ParseOutcome>((resolve) =>
    signal.addEventListener('abort', () => resolve({ ok: false, error: { code: 'read-failed', message: 'Import cancelled.', retryable: true } }), { once: true }),
  );
  const crashed = new Promise<ParseOutcome>((resolve) =>
    worker.addEventListener('error', (e) => resolve({ ok: false, error: { code: 'read-failed', message: `The import stopped unexpectedly: ${e.message || 'worker error'}`, retryable: true } })),
  );
  try {
    return await Promise.race([remote.parse(file, fileName, Comlink.proxy(onProgress)), aborted, crashed]);
  } finally {
    remote[Comlink.releaseProxy]();
    worker.terminate();
  }
};
