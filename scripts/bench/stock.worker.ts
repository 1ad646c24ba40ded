// Benchmark worker for the `stock` row: transformers.js as its documentation shows it,
// AutoModelForCausalLM.generate() with its defaults (greedy; no EOS so every run has the same
// length), timing each token with a streamer's token callback.
import { AutoModelForCausalLM, Tensor, TextStreamer, AutoTokenizer, env } from '@huggingface/transformers';
import type { WorkerJob } from './job';
import { decodeRate } from './plainLoop.js';


self.onmessage = async (e: MessageEvent<WorkerJob>) => {
  const job = e.data;
  try {
    env.allowRemoteModels = false;
    env.allowLocalModels = true;
    env.localModelPath = '/models/';
    env.useBrowserCache = false;
    // Its one non-default: transformers.js would cache ORT's .mjs and import it from a blob: URL,
    // which the app's Content-Security-Policy (script-src 'self') blocks, as it would in the app.
    env.useWasmCache = false;
    env.backends.onnx.wasm!.numThreads = job.threads;
    env.backends.onnx.wasm!.wasmPaths = {
      mjs: '/ort/ort-wasm-simd-threaded.asyncify.mjs',
      wasm: '/ort/ort-wasm-simd-threaded.asyncify.wasm',
    };
    const t0 = performance.now();
    const tokenizer = await AutoTokenizer.from_pretrained(job.model);
    const model = await AutoModelForCausalLM.from_pretrained(job.model, { device: 'wasm', dtype: 'q8' });
    const loadMs = performance.now() - t0;
    const run = async (ids: number[], n: number) => {
      const times: number[] = [];
      const start = performance.now();
      const streamer = new TextStreamer(tokenizer, {
        skip_prompt: true,
        callback_function: () => undefined,
        token_callback_function: () => times.push(performance.now() - start),
      });
      const input_ids = new Tensor('int64', BigInt64Array.from(ids, BigInt), [1, ids.length]);
      const attention_mask = new Tensor('int64', new BigInt64Array(ids.length).fill(1n), [1, ids.length]);
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      await (model as any).generate({ input_ids, attention_mask, max_new_tokens: n, eos_token_id: [], streamer });
      return times;
    };
    const warm = performance.now();
    while (performance.now() - warm < job.warmupMs) await run(job.prompts.decode, 16);
    const ttft: number[] = [];
    for (let i = 0; i < 3; i++) ttft.push((await run(job.prompts.ttft, 1))[0]);
    const rates: number[] = [];
    for (let i = 0; i < job.runs; i++) rates.push(decodeRate(await run(job.prompts.decode, job.newTokens)));
    self.postMessage({ ok: true, loadMs, ttft, rates });
  } catch (err) {
    self.postMessage({ ok: false, message: err instanceof Error ? err.message : String(err) });
  }
};
