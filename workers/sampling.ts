// Choosing the next token from one position's logits: greedy (argmax) or temperature + top-k +
// top-p sampling, with the no-repeat n-gram guard kept incrementally (O(1) per token instead of
// rebuilding every n-gram of the sequence at each step as transformers.js's processor does).

/**
 * The repetition penalty as Hearth applies it (CTRL's rule: a positive logit divided by `penalty`,
 * a negative one multiplied), to tokens the reply itself has produced, never the prompt's: a reply
 * may use the question's words. In place; `penalty` <= 1 changes nothing.
 */
export function penalizeRepeats(logits: Float32Array, generated: Iterable<number>, penalty: number): void {
  if (!(penalty > 1)) return;
  for (const t of generated) {
    const v = logits[t];
    if (v !== undefined) logits[t] = v > 0 ? v / penalty : v * penalty;
  }
}

/**
 * Classifier-free guidance (Sanchez et al. 2023, "Stay on topic with Classifier-Free Guidance"):
 * `cond` becomes uncond + scale * (cond - uncond), in place, where `uncond` is the same position's
 * logits after a prompt without the conversation. Tokens the conversation makes likelier gain,
 * replies that fit any prompt ("Sure, I can help you with that.") lose. Softmax ignores a constant
 * per row, so raw logits give the same choice as log-probabilities.
 */
export function guide(cond: Float32Array, uncond: Float32Array, scale: number): void {
  if (scale === 1 || uncond.length !== cond.length) return;
  for (let i = 0; i < cond.length; i++) cond[i] = uncond[i] + scale * (cond[i] - uncond[i]);
}

/** How the decode loop treats repeats and guidance (see replyRules). */
export interface ReplyRules {
  noRepeatNgram: number;
  repetitionPenalty: number;
  /** Classifier-free guidance scale (1: off). */
  guidanceScale: number;
}

/**
 * How a model's replies are decoded, from its generation_config.json: `no_repeat_ngram_size` as in
 * transformers (default 4, Hearth's guard for every model), and Hearth's own
 * `hearth_reply_repetition_penalty` (default 1: off), named apart from transformers'
 * `repetition_penalty` because that one counts the prompt's tokens too, and
 * `hearth_guidance_scale` (default 1: off; transformers' `guidance_scale` means a batch layout
 * this loop does not use). Values out of range are ignored.
 */
export function replyRules(gen: Record<string, unknown>): ReplyRules {
  const n = gen.no_repeat_ngram_size;
  const p = gen.hearth_reply_repetition_penalty;
  const g = gen.hearth_guidance_scale;
  return {
    noRepeatNgram: typeof n === 'number' && Number.isInteger(n) && n >= 0 && n <= 16 ? n : 4,
    repetitionPenalty: typeof p === 'number' && Number.isFinite(p) && p >= 1 && p <= 3 ? p : 1,
    guidanceScale: typeof g === 'number' && Number.isFinite(g) && g >= 1 && g <= 4 ? g : 1,
  };
}

/** A seeded PRNG (mulberry32) giving numbers in [0, 1): reproducible sampling for tests. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Tokens transformers.js's sampler keeps before sampling (its generation_config.top_k default). */
export const TOP_K = 50;

/**
 * Remembers which token followed each (n-1)-gram seen so far, so the next token can never
 * complete an n-gram that already occurred (the prompt counts, as in transformers.js).
 */
export class NgramGuard {
  private readonly seen = new Map<string, number[]>();
  private readonly tokens: number[] = [];

  constructor(private readonly n: number) {}

  push(token: number): void {
    this.tokens.push(token);
    const n = this.n;
    if (n <= 0 || this.tokens.length < n) return;
    const key = this.tokens.slice(-n, -1).join(',');
    const next = this.seen.get(key);
    if (next) next.push(token);
    else this.seen.set(key, [token]);
  }

  /** Tokens that may not come next. */
  banned(): readonly number[] {
    const n = this.n;
    if (n <= 0 || this.tokens.length < n - 1) return [];
    const key = n === 1 ? '' : this.tokens.slice(-(n - 1)).join(',');
    return this.seen.get(key) ?? [];
  }
}

export interface SamplingOptions {
  /** 0 (or less) is greedy. */
  temperature: number;
  topP: number;
  /** Random numbers in [0, 1); Math.random by default. */
  random?: () => number;
}

/** The index of the largest value that is not banned (the first one on ties). */
export function argmax(logits: Float32Array, banned: readonly number[]): number {
  let best = -1;
  let bestValue = -Infinity;
  for (let i = 0; i < logits.length; i++) {
    const v = logits[i];
    if (v > bestValue) {
      bestValue = v;
      best = i;
    }
  }
  if (banned.length === 0 || !banned.includes(best)) return best;
  const skip = new Set(banned);
  best = -1;
  bestValue = -Infinity;
  for (let i = 0; i < logits.length; i++) {
    const v = logits[i];
    if (v > bestValue && !skip.has(i)) {
      bestValue = v;
      best = i;
    }
  }
  return best < 0 ? 0 : best;
}

/**
 * Samples a token: logits / temperature, the TOP_K largest (banned ones left out), softmax,
 * then the smallest set of them whose probability reaches topP, renormalised.
 */
export function sample(logits: Float32Array, banned: readonly number[], opts: SamplingOptions): number {
  if (!(opts.temperature > 0)) return argmax(logits, banned);
  const skip = banned.length ? new Set(banned) : null;
  // Top-k by insertion into a small sorted list (k is tiny next to the vocabulary).
  const ids: number[] = [];
  const vals: number[] = [];
  for (let i = 0; i < logits.length; i++) {
    const v = logits[i];
    if (ids.length === TOP_K && v <= vals[TOP_K - 1]) continue;
    if (skip?.has(i) || Number.isNaN(v)) continue;
    let j = ids.length === TOP_K ? TOP_K - 1 : ids.length;
    // Shift smaller values down one place (the smallest falls off when the list is full).
    while (j > 0 && vals[j - 1] < v) {
      vals[j] = vals[j - 1];
      ids[j] = ids[j - 1];
      j--;
    }
    vals[j] = v;
    ids[j] = i;
  }
  if (ids.length === 0) return argmax(logits, []);
  const t = opts.temperature;
  const top = vals[0] / t;
  const probs = vals.map((v) => Math.exp(v / t - top));
  const sum = probs.reduce((a, b) => a + b, 0);
  const p = opts.topP > 0 && opts.topP < 1 ? opts.topP : 1;
  let keep = 0;
  let mass = 0;
  while (keep < probs.length && (keep === 0 || mass < p * sum)) mass += probs[keep++];
  const r = (opts.random ?? Math.random)() * mass;
  let acc = 0;
  for (let i = 0; i < keep; i++) {
    acc += probs[i];
    if (r < acc) return ids[i];
  }
  return ids[keep - 1];
}
