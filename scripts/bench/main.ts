// Benchmark page, driven by scripts/bench.mjs (which reads `window.__bench`). One job per page,
// given as JSON in the URL hash:
//  - engine: Hearth's worker engine as the app uses it (load cold, load warm, time to first token
//    for the long prompt, decode speed over `newTokens` greedy tokens, the tokens' text); `guided`
//    false decodes without the model's classifier-free guidance (one model run per token, like the
//    raw and stock rows), true as the app decodes (two runs per token when the model is guided);
//  - raw: onnxruntime-web alone in a worker (raw.worker.ts); stock: transformers.js generate()
//    in a worker (stock.worker.ts). Same model file and prompt token ids in every row.
import { WorkerEngine } from '../../src/engine/workerEngine';
import type { BackendPreference, GenerateRequest } from '../../src/shared/engine';

interface Job {
  mode: 'engine' | 'raw' | 'stock';
  model: string;
  backend?: BackendPreference;
  dtype?: string;
  threads: number;
  build?: 'asyncify' | 'plain' | 'mixed';
  /** Engine jobs: decode as the app does (with the model's guidance) rather than unguided. */
  guided?: boolean;
  config: Record<string, unknown>;
  /** Prompt texts (engine) and their token ids after the chat template (raw, stock). */
  texts: { decode: string; ttft: string[] };
  prompts: { decode: number[]; ttft: number[] };
  newTokens: number;
  runs: number;
  warmupMs: number;
}

const job = JSON.parse(decodeURIComponent(location.hash.slice(1))) as Job;

async function memoryBytes(): Promise<number | null> {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const measure = (performance as any).measureUserAgentSpecificMemory;
  if (!measure || !crossOriginIsolated) return null;
  const timeout = new Promise<null>((r) => setTimeout(() => r(null), 15_000));
  const res = await Promise.race([measure.call(performance).catch(() => null), timeout]);
  return res ? Number(res.bytes) : null;
}

async function engineJob() {
  const request = (content: string, maxNewTokens: number): GenerateRequest => ({
    turns: [{ role: 'user', content }],
    params: { temperature: 0, topP: 1, maxNewTokens },
    ignoreEos: true,
    unguided: job.guided !== true,
  });
  const options = {
    backend: job.backend ?? 'wasm',
    dtype: job.dtype,
    numThreads: job.threads,
    modelBaseUrl: new URL('/models/', location.href).href,
    wasmBaseUrl: new URL('/ort/', location.href).href,
  };
  const loadOnce = async (engine: WorkerEngine) => {
    const t0 = performance.now();
    const loaded = await engine.load(job.model, options, (p) => {
      (window as unknown as { __progress: unknown }).__progress = p;
    });
    if (!loaded.ok) throw new Error(`${loaded.error.code}: ${loaded.error.message}`);
    return { ms: performance.now() - t0, info: loaded.value };
  };
  const first = new WorkerEngine();
  const cold = await loadOnce(first);
  first.terminate();
  const engine = new WorkerEngine();
  const warm = await loadOnce(engine);
  const gen = async (content: string, n: number) => {
    const t0 = performance.now();
    let firstPiece = 0;
    const res = await engine.generate(request(content, n), () => {
      firstPiece ||= performance.now() - t0;
    });
    if (!res.ok) throw new Error(`${res.error.code}: ${res.error.message}`);
    return { ...res.value, firstPieceMs: firstPiece };
  };
  const warmStart = performance.now();
  while (performance.now() - warmStart < job.warmupMs) await gen(job.texts.decode, 16);
  const ttft: number[] = [];
  let ttftPromptTokens = 0;
  for (const text of job.texts.ttft) {
    // Texts that differ from their first word, so no KV cache is reused between these runs.
    const r = await gen(text, 1);
    ttft.push(r.firstPieceMs || r.firstTokenMs || 0);
    ttftPromptTokens = r.promptTokens;
  }
  const rates: number[] = [];
  let text = '';
  let promptTokens = 0;
  let completionTokens = 0;
  for (let i = 0; i < job.runs; i++) {
    const r = await gen(job.texts.decode, job.newTokens);
    rates.push(r.tokensPerSecond);
    text = r.text;
    promptTokens = r.promptTokens;
    completionTokens = r.completionTokens;
  }
  return {
    loadMs: cold.ms,
    warmLoadMs: warm.ms,
    backend: warm.info.backend,
    dtype: warm.info.dtype,
    threads: warm.info.threads,
    ttft,
    ttftPromptTokens,
    rates,
    text,
    promptTokens,
    completionTokens,
    memoryBytes: await memoryBytes(),
  };
}

function workerJob(worker: Worker, message: unknown) {
  return new Promise<Record<string, unknown>>((resolve, reject) => {
    worker.onmessage = (e) => (e.data.ok ? resolve(e.data) : reject(new Error(e.data.message)));
    worker.onerror = (e) => reject(new Error(e.message || 'worker failed'));
    worker.postMessage(message);
  });
}

async function main() {
  if (job.mode === 'engine') return engineJob();
  const worker =
    job.mode === 'raw'
      ? new Worker(new URL('./raw.worker.ts', import.meta.url), { type: 'module' })
      : new Worker(new URL('./stock.worker.ts', import.meta.url), { type: 'module' });
  const file = job.dtype === 'fp32' ? 'model.onnx' : 'model_quantized.onnx';
  const res = await workerJob(worker, {
    ...job,
    modelUrl: new URL(`/models/${job.model}/onnx/${file}`, location.href).href,
  });
  return { ...res, memoryBytes: await memoryBytes() };
}

const out = document.getElementById('out')!;
main().then(
  (result) => {
    (window as unknown as { __bench: unknown }).__bench = { ok: true, result };
    out.textContent = JSON.stringify(result, null, 2);
  },
  (e: unknown) => {
    const message = e instanceof Error ? e.message : String(e);
    (window as unknown as { __bench: unknown }).__bench = { ok: false, message };
    out.textContent = message;
  },
);
