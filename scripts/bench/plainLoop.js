// The reference decode loop of the benchmark's `native` (onnxruntime-node) and `raw web`
// (onnxruntime-web in a worker) rows: greedy, KV cache fed back, nothing else (no guard, no text).
// Plain JavaScript so Node runs it as is and Vite bundles it into the worker.

const PAST = /^past_key_values\.(\d+)\.(key|value)$/;

/**
 * Runs `prompt` (token ids) then `newTokens` greedy steps on `session`; returns the time to the
 * first token and the time of each following token (ms).
 * @param {any} ort onnxruntime-node or onnxruntime-web
 * @param {any} session an InferenceSession of a decoder with past_key_values inputs
 * @param {number[]} prompt
 * @param {number} newTokens
 * @param {{ heads: number, headDim: number }} kv
 */
export async function plainDecode(ort, session, prompt, newTokens, kv) {
  const pastNames = session.inputNames.filter((n) => PAST.test(n));
  const has = (n) => session.inputNames.includes(n);
  const tokens = [];
  let past = 0;
  let feeds = {};
  for (const n of pastNames) feeds[n] = new ort.Tensor('float32', new Float32Array(0), [1, kv.heads, 0, kv.headDim]);
  let ids = prompt;
  const start = performance.now();
  const times = [];
  for (let step = 0; step < newTokens; step++) {
    const total = past + ids.length;
    feeds.input_ids = new ort.Tensor('int64', BigInt64Array.from(ids, BigInt), [1, ids.length]);
    if (has('attention_mask')) feeds.attention_mask = new ort.Tensor('int64', new BigInt64Array(total).fill(1n), [1, total]);
    if (has('position_ids')) feeds.position_ids = new ort.Tensor('int64', BigInt64Array.from(ids, (_, i) => BigInt(past + i)), [1, ids.length]);
    const out = await session.run(feeds);
    const logits = out.logits;
    const vocab = logits.dims[logits.dims.length - 1];
    const data = logits.data;
    const offset = data.length - vocab;
    let best = 0;
    for (let i = 1; i < vocab; i++) if (data[offset + i] > data[offset + best]) best = i;
    tokens.push(best);
    times.push(performance.now() - start);
    const next = {};
    for (const n of pastNames) next[n] = out[n.replace('past_key_values', 'present')];
    feeds = next;
    past = total;
    ids = [best];
  }
  return { tokens, firstTokenMs: times[0], times };
}

/** Decode tokens/s from token times: tokens after the first over the time after the first. */
export function decodeRate(times) {
  if (times.length < 2) return 0;
  return ((times.length - 1) * 1000) / (times[times.length - 1] - times[0]);
}

/** KV heads and head size of a session's past inputs (from the graph, else the config). */
export function kvShape(session, config) {
  const meta = (session.inputMetadata ?? []).find((m) => PAST.test(m.name));
  const heads = Number(config.num_key_value_heads ?? config.num_attention_heads ?? config.n_head);
  const headDim = Number(config.head_dim ?? (config.hidden_size ?? config.n_embd) / (config.num_attention_heads ?? config.n_head));
  return {
    heads: typeof meta?.shape?.[1] === 'number' ? meta.shape[1] : heads,
    headDim: typeof meta?.shape?.[3] === 'number' ? meta.shape[3] : headDim,
  };
}
