// Measures prefill and per-token decode time of a model folder's fp32 / q8 / q4 ONNX files
// with onnxruntime-web's WASM backend (what the app uses without WebGPU) running in Node,
// single-threaded.  Usage: node scripts/eval/bench_runtime.mjs models/hearth-chat [prefill=128] [decode=32]
import fs from 'node:fs';
import path from 'node:path';
import * as ort from 'onnxruntime-web';

const [dir, prefillArg, decodeArg] = process.argv.slice(2);
const PREFILL = Number(prefillArg ?? 128), DECODE = Number(decodeArg ?? 32), WARMUP_MS = 2500;
const cfg = JSON.parse(fs.readFileSync(path.join(dir, 'config.json'), 'utf8'));
ort.env.wasm.numThreads = 1;
const FILES = { fp32: 'model.onnx', q8: 'model_quantized.onnx', q4: 'model_q4.onnx' };
const LAYERS = cfg.num_hidden_layers ?? cfg.n_layer;
const HEADS = cfg.num_attention_heads ?? cfg.n_head;
const KV_HEADS = cfg.num_key_value_heads ?? HEADS;
const hd = cfg.head_dim ?? (cfg.hidden_size ?? cfg.n_embd) / HEADS;
const i64 = (a, d) => new ort.Tensor('int64', BigInt64Array.from(a.map(BigInt)), d);

for (const [dtype, file] of Object.entries(FILES)) {
  const p = path.join(dir, 'onnx', file);
  if (!fs.existsSync(p)) continue;
  const session = await ort.InferenceSession.create(fs.readFileSync(p), { executionProviders: ['wasm'] });
  const run = async (ids, past, pastLen) => {
    const T = ids.length;
    const feeds = { input_ids: i64(ids, [1, T]), attention_mask: i64(new Array(pastLen + T).fill(1), [1, pastLen + T]),
      position_ids: i64(Array.from({ length: T }, (_, k) => pastLen + k), [1, T]), ...past };
    const out = await session.run(feeds);
    const next = {};
    for (let i = 0; i < LAYERS; i++) for (const kv of ['key', 'value']) next[`past_key_values.${i}.${kv}`] = out[`present.${i}.${kv}`];
    return next;
  };
  const empty = {};
  for (let i = 0; i < LAYERS; i++) for (const kv of ['key', 'value'])
    empty[`past_key_values.${i}.${kv}`] = new ort.Tensor('float32', new Float32Array(0), [1, KV_HEADS, 0, hd]);
  const prompt = Array.from({ length: PREFILL }, (_, k) => 5 + (k * 37) % 1000);
  // warm-up: WASM code runs slowly for its first ~2 s (tiering), whichever file comes first
  const warmStart = performance.now();
  while (performance.now() - warmStart < WARMUP_MS) await run(prompt, empty, 0);
  let t = performance.now();
  let past = await run(prompt, empty, 0);
  const prefillMs = performance.now() - t;
  t = performance.now();
  for (let k = 0; k < DECODE; k++) past = await run([42], past, PREFILL + k);
  const decodeMs = (performance.now() - t) / DECODE;
  console.log(JSON.stringify({ dtype, mb: +(fs.statSync(p).size / 1e6).toFixed(2), prefill_tokens: PREFILL,
    prefill_ms: +prefillMs.toFixed(1), decode_ms_per_token: +decodeMs.toFixed(2) }));
  await session.release();
}
