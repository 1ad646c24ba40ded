// One steady 0..1 progress count over a whole model load, built from transformers.js's
// per-file progress callbacks and the file sizes the app knows.
import { filesForDtype } from '../src/shared/modelFiles';
import type { LoadOptions, LoadProgress } from '../src/shared/engine';

/* eslint-disable @typescript-eslint/no-explicit-any -- transformers.js's progress info is untyped */

/** Files below this size do not count when the total is unknown (config and tokenizer files). */
const SMALL_FILE = 1 << 20;

/**
 * A transformers.js progress_callback that reports one steady 0..1 count over a whole load (the
 * tokenizer's files and the model's): bytes read against the sizes the app gave, or without them,
 * against the big files seen so far. It never goes back (transformers.js's own progress_total
 * restarts per from_pretrained call and drops whenever a new file starts).
 */
export function loadProgress(files: LoadOptions['files'], dtype: string, onProgress?: (p: LoadProgress) => void): (info: any) => void {
  const planned = files ? filesForDtype(files, dtype) : [];
  const expected = planned.reduce((n, f) => n + f.size, 0);
  const plannedPaths = new Set(planned.map((f) => f.path));
  const seen = new Map<string, { loaded: number; total: number }>();
  let shown = 0;
  let phase: LoadProgress['phase'] = 'download';
  return (info: any) => {
    // The ONNX file is in: ORT now builds the session (tens of ms to seconds on a big model);
    // small files read meanwhile (generation_config.json) do not bring "download" back.
    if (info?.status === 'done' && String(info.file ?? '').endsWith('.onnx')) {
      phase = 'prepare';
      onProgress?.({ phase, progress: shown });
      return;
    }
    if (info?.status !== 'progress' || !info.file) return;
    seen.set(String(info.file), { loaded: Number(info.loaded) || 0, total: Number(info.total) || 0 });
    let loaded = 0;
    let known = 0;
    let extra = 0;
    let bigLoaded = 0;
    let bigTotal = 0;
    for (const [file, f] of seen) {
      loaded += f.loaded;
      known += f.total;
      // Files outside the model's list (ONNX Runtime's wasm) add to the total.
      if (!plannedPaths.has(file)) extra += f.total;
      if (f.total >= SMALL_FILE) {
        bigLoaded += f.loaded;
        bigTotal += f.total;
      }
    }
    const total = expected ? Math.max(expected + extra, known) : 0;
    const ratio = total ? loaded / total : bigTotal ? bigLoaded / bigTotal : 0;
    shown = Math.max(shown, Math.min(1, ratio));
    onProgress?.({ phase, progress: shown, loadedBytes: loaded, totalBytes: total || undefined, file: String(info.file) });
  };
}
