// Benchmark worker for the `raw web` row: onnxruntime-web alone (no transformers.js), the plain
// decode loop of plainLoop.js on the same model file and prompt ids as every other row.
import type { WorkerJob } from './job';
import { decodeRate, kvShape, plainDecode } from './plainLoop.js';


self.onmessage = async (e: MessageEvent<WorkerJob>) => {
  const job = e.data;
  try {
    // 'plain': onnxruntime-web's WASM-only JS API (what the app's WASM engine worker bundles) on the
    // plain build; 'mixed': the WebGPU-capable JS API (what transformers.js imports) driving it.
    const ort = job.build === 'plain' ? await import('onnxruntime-web/wasm') : await import('onnxruntime-web/webgpu');
    const file = job.build === 'asyncify' || !job.build ? 'ort-wasm-simd-threaded.asyncify' : 'ort-wasm-simd-threaded';
    ort.env.wasm.wasmPaths = { mjs: `/ort/${file}.mjs`, wasm: `/ort/${file}.wasm` };
    ort.env.wasm.numThreads = job.threads;
    const t0 = performance.now();
    const bytes = new Uint8Array(await (await fetch(job.modelUrl)).arrayBuffer());
    const session = await ort.InferenceSession.create(bytes, { executionProviders: ['wasm'], graphOptimizationLevel: 'all' });
    const loadMs = performance.now() - t0;
    const kv = kvShape(session, job.config);
    const warm = performance.now();
    while (performance.now() - warm < job.warmupMs) await plainDecode(ort, session, job.prompts.decode, 16, kv);
    const ttft: number[] = [];
    for (let i = 0; i < 3; i++) ttft.push((await plainDecode(ort, session, job.prompts.ttft, 1, kv)).firstTokenMs);
    const rates: number[] = [];
    let tokens: number[] = [];
    for (let i = 0; i < job.runs; i++) {
      const r = await plainDecode(ort, session, job.prompts.decode, job.newTokens, kv);
      rates.push(decodeRate(r.times));
      tokens = r.tokens;
    }
    self.postMessage({ ok: true, loadMs, ttft, rates, tokens });
  } catch (err) {
    self.postMessage({ ok: false, message: err instanceof Error ? err.message : String(err) });
  }
};
