// Benchmark page: loads one model/backend/dtype in the real inference worker, warms up,
// then measures time to first token (prefill) and decode speed. Driven by scripts/bench.mjs,
// which reads `window.__bench`.
import { WorkerEngine } from '../../src/engine/workerEngine';
import type { BackendPreference, GenerateRequest } from '../../src/shared/engine';

interface Run {
  promptTokens: number;
  completionTokens: number;
  firstTokenMs: number;
  decodeTokensPerSecond: number;
}

const q = new URLSearchParams(location.search);
const model = q.get('model') ?? 'hearth-chat';
const backend = (q.get('backend') ?? 'wasm') as BackendPreference;
const dtype = q.get('dtype') ?? undefined;
const newTokens = Number(q.get('tokens') ?? 64);
const runs = Number(q.get('runs') ?? 3);
const warmupMs = Number(q.get('warmupMs') ?? 3000);

const PROMPT =
  'I am planning a small garden behind my house this spring. The soil is heavy clay and the yard gets ' +
  'sun in the morning and shade after lunch. What vegetables and herbs would grow well there, and how ' +
  'should I prepare the beds before I plant anything?';

const request = (maxNewTokens: number): GenerateRequest => ({
  turns: [{ role: 'user', content: PROMPT }],
  params: { temperature: 0, topP: 1, maxNewTokens },
});

async function timed(engine: WorkerEngine, maxNewTokens: number): Promise<Run> {
  const start = performance.now();
  let first = 0;
  const res = await engine.generate(request(maxNewTokens), () => {
    if (!first) first = performance.now();
  });
  if (!res.ok) throw new Error(`${res.error.code}: ${res.error.message}`);
  return {
    promptTokens: res.value.promptTokens,
    completionTokens: res.value.completionTokens,
    firstTokenMs: first - start,
    decodeTokensPerSecond: res.value.tokensPerSecond,
  };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main() {
  const engine = new WorkerEngine();
  const caps = await engine.capabilities();
  const t0 = performance.now();
  const loaded = await engine.load(model, {
    backend,
    dtype,
    modelBaseUrl: new URL('/models/', location.href).href,
    wasmBaseUrl: new URL('/ort/', location.href).href,
  });
  if (!loaded.ok) throw new Error(`${loaded.error.code}: ${loaded.error.message}`);
  const loadMs = performance.now() - t0;
  // WASM needs a couple of seconds before its speed settles: keep generating until warm.
  const warmStart = performance.now();
  while (performance.now() - warmStart < warmupMs) await timed(engine, 16);
  const results: Run[] = [];
  for (let i = 0; i < runs; i++) results.push(await timed(engine, newTokens));
  return {
    model,
    backend: loaded.value.backend,
    dtype: loaded.value.dtype,
    threads: loaded.value.threads,
    crossOriginIsolated: caps.crossOriginIsolated,
    loadMs: Math.round(loadMs),
    promptTokens: results[0].promptTokens,
    completionTokens: median(results.map((r) => r.completionTokens)),
    firstTokenMs: Math.round(median(results.map((r) => r.firstTokenMs))),
    decodeTokensPerSecond: Number(median(results.map((r) => r.decodeTokensPerSecond)).toFixed(1)),
  };
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
