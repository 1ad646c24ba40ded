// How many WASM threads a model runs on. A small model's matrix products are too short to pay
// for the synchronisation between threads: on the 4.3M-parameter default model one thread
// decodes faster than two (`npm run bench`, docs/speed.md); bigger models use every thread the
// page may have.

/** Models with fewer parameters than this run on one thread. */
export const SINGLE_THREAD_BELOW_PARAMS = 30e6;

/* eslint-disable @typescript-eslint/no-explicit-any -- model configs are free-form JSON */
/** Rough parameter count of a decoder from its config (embedding + attention + MLP per layer). */
export function estimateParams(config: Record<string, any>): number {
  const hidden = Number(config.hidden_size ?? config.n_embd ?? config.d_model ?? 0);
  const layers = Number(config.num_hidden_layers ?? config.n_layer ?? config.num_layers ?? 0);
  const vocab = Number(config.vocab_size ?? 0);
  const inner = Number(config.intermediate_size ?? config.n_inner ?? 4 * hidden);
  const mlpMatrices = config.intermediate_size ? 3 : 2; // gated (Llama) or plain (GPT-2) MLP
  if (!hidden || !layers) return Number.POSITIVE_INFINITY;
  return vocab * hidden + layers * (4 * hidden * hidden + mlpMatrices * hidden * inner);
}

/** Threads for a model: `allowed` (what the page may use), or one for a small model. */
export function threadsFor(config: Record<string, any>, allowed: number): number {
  return estimateParams(config) < SINGLE_THREAD_BELOW_PARAMS ? 1 : Math.max(1, allowed);
}
