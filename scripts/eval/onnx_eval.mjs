// Runs exported Hearth ONNX models with onnxruntime-node for evaluation.
//   node scripts/eval/onnx_eval.mjs loss <model_dir> <dtype> <windows.json> <out.json>
//     windows.json: {source: [{ids: [...], mask: [...]}]} -> {source: {loss, tokens}}
//       (mean cross-entropy of ids[t+1] given ids[..t], weighted by mask[t+1]; no cache)
//   node scripts/eval/onnx_eval.mjs greedy <model_dir> <dtype> <prompts.json> <out.json>
//     prompts.json: {max_new: N, stop: [ids], prompts: [[ids...], ...]} -> [{ids: [...]}, ...]
//       (greedy decoding, one token per step through the KV cache; `no_repeat_ngram` in the
//       prompts file blocks repeated n-grams as the app does)
import fs from 'node:fs';
import path from 'node:path';
import ort from 'onnxruntime-node';

const FILES = { fp32: 'model.onnx', q8: 'model_quantized.onnx', q4: 'model_q4.onnx' };

async function open(dir, dtype) {
  const cfg = JSON.parse(fs.readFileSync(path.join(dir, 'config.json'), 'utf8'));
  const session = await ort.InferenceSession.create(path.join(dir, 'onnx', FILES[dtype]),
    { intraOpNumThreads: 2, graphOptimizationLevel: 'all' });
  return { cfg, session };
}

/** Layer count, KV heads and head size from a GPT-2 or Llama config.json. */
function shape(cfg) {
  const layers = cfg.num_hidden_layers ?? cfg.n_layer;
  const heads = cfg.num_attention_heads ?? cfg.n_head;
  const kvHeads = cfg.num_key_value_heads ?? heads;
  const hd = cfg.head_dim ?? (cfg.hidden_size ?? cfg.n_embd) / heads;
  return { layers, kvHeads, hd };
}

function emptyPast(cfg) {
  const { layers, kvHeads, hd } = shape(cfg);
  const feeds = {};
  for (let i = 0; i < layers; i++) {
    for (const kv of ['key', 'value']) {
      feeds[`past_key_values.${i}.${kv}`] = new ort.Tensor('float32', new Float32Array(0), [1, kvHeads, 0, hd]);
    }
  }
  return feeds;
}

function i64(arr, dims) {
  return new ort.Tensor('int64', BigInt64Array.from(arr.map((x) => BigInt(x))), dims);
}

async function forward({ cfg, session }, ids, past, pastLen) {
  const T = ids.length;
  const feeds = {
    input_ids: i64(ids, [1, T]),
    attention_mask: i64(new Array(pastLen + T).fill(1), [1, pastLen + T]),
    position_ids: i64(Array.from({ length: T }, (_, k) => pastLen + k), [1, T]),
    ...past,
  };
  const out = await session.run(feeds);
  const present = {};
  for (let i = 0; i < shape(cfg).layers; i++) {
    for (const kv of ['key', 'value']) present[`past_key_values.${i}.${kv}`] = out[`present.${i}.${kv}`];
  }
  return { logits: out.logits, present };
}

async function loss(dir, dtype, windowsPath, outPath) {
  const m = await open(dir, dtype);
  const windows = JSON.parse(fs.readFileSync(windowsPath, 'utf8'));
  const res = {};
  for (const [src, ws] of Object.entries(windows)) {
    let tot = 0, cnt = 0;
    for (const { ids, mask } of ws) {
      const T = ids.length - 1;
      const { logits } = await forward(m, ids.slice(0, T), emptyPast(m.cfg), 0);
      const V = logits.dims[2];
      const d = logits.data;
      for (let t = 0; t < T; t++) {
        const w = mask[t + 1];
        if (!w) continue;
        let mx = -Infinity;
        for (let v = 0; v < V; v++) if (d[t * V + v] > mx) mx = d[t * V + v];
        let s = 0;
        for (let v = 0; v < V; v++) s += Math.exp(d[t * V + v] - mx);
        tot += w * (Math.log(s) + mx - d[t * V + ids[t + 1]]);
        cnt += w;
      }
    }
    res[src] = { loss: tot / Math.max(cnt, 1), tokens: cnt };
  }
  fs.writeFileSync(outPath, JSON.stringify(res, null, 2));
}

/** Tokens that would repeat an n-gram of `seq` (the app's no_repeat_ngram_size rule), n = 0: none. */
function bannedByNgram(seq, n) {
  const banned = new Set();
  if (n < 2 || seq.length < n - 1) return banned;
  const tail = seq.slice(seq.length - n + 1);
  for (let i = 0; i + n <= seq.length; i++) {
    let same = true;
    for (let j = 0; j < n - 1 && same; j++) same = seq[i + j] === tail[j];
    if (same) banned.add(seq[i + n - 1]);
  }
  return banned;
}

async function greedy(dir, dtype, promptsPath, outPath) {
  const m = await open(dir, dtype);
  const { max_new, stop = [], prompts, no_repeat_ngram = 0 } = JSON.parse(fs.readFileSync(promptsPath, 'utf8'));
  const results = [];
  for (const prompt of prompts) {
    let past = emptyPast(m.cfg), pastLen = 0, inp = prompt;
    const out = [];
    for (let k = 0; k < max_new && pastLen + inp.length <= (m.cfg.max_position_embeddings ?? m.cfg.n_positions); k++) {
      const { logits, present } = await forward(m, inp, past, pastLen);
      const V = logits.dims[2], T = logits.dims[1], d = logits.data;
      const banned = bannedByNgram([...prompt, ...out], no_repeat_ngram);
      let best = -1;
      for (let v = 0; v < V; v++) if (!banned.has(v) && (best < 0 || d[(T - 1) * V + v] > d[(T - 1) * V + best])) best = v;
      out.push(best);
      pastLen += inp.length;
      past = present;
      inp = [best];
      if (stop.includes(best)) break;
    }
    results.push({ ids: out });
  }
  fs.writeFileSync(outPath, JSON.stringify(results));
}

const [mode, dir, dtype, inPath, outPath] = process.argv.slice(2);
if (mode === 'loss') await loss(dir, dtype, inPath, outPath);
else if (mode === 'greedy') await greedy(dir, dtype, inPath, outPath);
else { console.error('usage: onnx_eval.mjs loss|greedy <model_dir> <fp32|q8|q4> <in.json> <out.json>'); process.exit(2); }
