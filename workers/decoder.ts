// The decode loop, written directly on the ONNX Runtime session that transformers.js created:
// one session.run per token, the present KV tensors fed back as the next step's past, only the
// last position's logits read. It is generic over decoder-only exports: input_ids,
// attention_mask, position_ids (when the graph has it), num_logits_to_keep (when it has it) and
// past_key_values.N.key/value -> present.N.key/value, with KV heads / head size read from the
// graph's input metadata or the model config. The KV cache survives between calls: the next
// prompt reuses the longest common prefix of tokens and computes only the rest. With guidance
// (classifier-free guidance) a second cache runs the reply after a prompt without the
// conversation, and the two rows mix as uncond + scale * (cond - uncond). That prompt is the same
// for every reply: its KV and last logits are computed once and kept, so each reply starts from
// the same state (with int8 weights a recomputed step can differ in the last bits, and guidance
// magnifies differences).
import { guide, NgramGuard, penalizeRepeats, sample, type SamplingOptions } from './sampling';

/* eslint-disable @typescript-eslint/no-explicit-any -- ORT tensors come from two runtimes (web, node) */
export interface OrtTensor {
  readonly type: string;
  readonly dims: readonly number[];
  readonly data: any;
  readonly location?: string;
  dispose?(): void;
}

export interface DecoderSession {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  readonly inputMetadata?: ReadonlyArray<{ name: string; shape?: ReadonlyArray<number | string>; type?: string }>;
  run(feeds: Record<string, OrtTensor>): Promise<Record<string, OrtTensor>>;
}

export type MakeTensor = (type: string, data: any, dims: number[]) => OrtTensor;

export interface DecodeOptions extends SamplingOptions {
  maxNewTokens: number;
  eosIds: readonly number[];
  /** Size of n-grams the reply may not repeat (0: no guard). */
  noRepeatNgram: number;
  /** Penalty on tokens this reply already produced (sampling.ts, penalizeRepeats; 1 or absent: off). */
  repetitionPenalty?: number;
  /**
   * Classifier-free guidance (sampling.ts, guide): `prompt` is the unconditional prompt (the chat
   * template around an empty user turn), continued with the same reply tokens; scale 1 or absent: off.
   */
  guidance?: { scale: number; prompt: readonly number[] };
  /** Asked before each step; true ends the reply ('interrupted'). */
  shouldStop?: () => boolean;
  /** Each generated token, as soon as it is chosen. */
  onToken?: (id: number) => void;
}

export interface DecodeResult {
  tokens: number[];
  finish: 'stop' | 'length' | 'interrupted';
  /** Prompt tokens whose KV came from the previous call. */
  reusedTokens: number;
}

/** Model types whose exports number positions from 1 (transformers.js, models/modeling_utils.js). */
const ONE_BASED_POSITIONS = ['paligemma', 'gemma3_text', 'gemma3'];

const PAST = /^past_key_values\.(\d+)\.(key|value)$/;

/** True when `session` has the inputs and outputs this loop knows how to drive. */
export function isDecoderSession(session: DecoderSession | undefined): session is DecoderSession {
  if (!session) return false;
  const inputs = new Set(session.inputNames);
  const outputs = new Set(session.outputNames);
  const known = ['input_ids', 'attention_mask', 'position_ids', 'num_logits_to_keep'];
  const past = session.inputNames.filter((n) => PAST.test(n));
  return (
    inputs.has('input_ids') &&
    outputs.has('logits') &&
    past.length > 0 &&
    past.every((n) => outputs.has(n.replace('past_key_values', 'present'))) &&
    session.inputNames.every((n) => known.includes(n) || PAST.test(n))
  );
}

/** One sequence's KV cache: the present tensors and the tokens they hold, in order. */
interface KvState {
  kv: Map<string, OrtTensor> | null;
  tokens: number[];
  /** `kv` belongs to the unconditional prompt's snapshot: the next step must not dispose it. */
  shared?: boolean;
}

/** The unconditional prompt computed once: its KV and its last position's logits. */
interface Snapshot {
  tokens: readonly number[];
  kv: Map<string, OrtTensor>;
  logits: Float32Array;
}

export class KvDecoder {
  private readonly pastNames: string[];
  /** [kv heads, head size] per past input. */
  private readonly pastShape: Map<string, [number, number]>;
  private readonly hasMask: boolean;
  private readonly hasPositions: boolean;
  /**
   * The first position id: Gemma 3's (and PaliGemma's) ONNX exports count positions from 1, as
   * transformers.js's own decoder_forward does for these model types (create_position_ids).
   */
  private readonly firstPosition: number;
  private readonly hasLogitsToKeep: boolean;
  /** The conversation's cache. */
  private readonly main: KvState = { kv: null, tokens: [] };
  /** The reply after the unconditional prompt (guidance only). */
  private readonly uncond: KvState = { kv: null, tokens: [] };
  private snapshot: Snapshot | null = null;

  constructor(
    private readonly session: DecoderSession,
    config: Record<string, any>,
    private readonly makeTensor: MakeTensor,
  ) {
    this.pastNames = session.inputNames.filter((n) => PAST.test(n));
    const heads = Number(config.num_key_value_heads ?? config.num_attention_heads ?? config.n_head ?? 1);
    const hidden = Number(config.hidden_size ?? config.n_embd ?? 0);
    const headDim = Number(config.head_dim ?? (hidden && heads ? hidden / Number(config.num_attention_heads ?? config.n_head ?? heads) : 0));
    this.pastShape = new Map(
      this.pastNames.map((name) => {
        const shape = session.inputMetadata?.find((m) => m.name === name)?.shape;
        const h = typeof shape?.[1] === 'number' ? shape[1] : heads;
        const d = typeof shape?.[3] === 'number' ? shape[3] : headDim;
        return [name, [h, d]];
      }),
    );
    this.hasMask = session.inputNames.includes('attention_mask');
    this.hasPositions = session.inputNames.includes('position_ids');
    this.firstPosition = ONE_BASED_POSITIONS.includes(String(config.model_type)) ? 1 : 0;
    this.hasLogitsToKeep = session.inputNames.includes('num_logits_to_keep');
  }

  /** Forgets the KV caches (the next prompt is computed from scratch). */
  reset(): void {
    for (const state of [this.main, this.uncond]) {
      this.disposeKv(state);
      state.tokens = [];
    }
    if (this.snapshot) for (const t of this.snapshot.kv.values()) t.dispose?.();
    this.snapshot = null;
  }

  /** The unconditional prompt's last logits, with `uncond` set to continue after it. */
  private async startUnconditional(prompt: readonly number[]): Promise<Float32Array> {
    this.disposeKv(this.uncond);
    this.uncond.tokens = [];
    const snap = this.snapshot;
    if (!snap || snap.tokens.length !== prompt.length || snap.tokens.some((t, i) => t !== prompt[i])) {
      if (snap) for (const t of snap.kv.values()) t.dispose?.();
      this.snapshot = null;
      const logits = await this.step(this.uncond, [...prompt]);
      this.snapshot = { tokens: [...prompt], kv: this.uncond.kv!, logits };
    }
    this.uncond.kv = this.snapshot!.kv;
    this.uncond.tokens = [...prompt];
    this.uncond.shared = true;
    return this.snapshot!.logits.slice();
  }

  async generate(prompt: readonly number[], opts: DecodeOptions): Promise<DecodeResult> {
    if (prompt.length === 0) throw new Error('The prompt is empty.');
    const guidance = opts.guidance && opts.guidance.scale !== 1 && opts.guidance.prompt.length > 0 ? opts.guidance : null;
    const reused = this.reuse(this.main, prompt);
    let uncondLogits: Float32Array | null = null;
    const guard = new NgramGuard(opts.noRepeatNgram);
    for (const id of prompt) guard.push(id);
    const tokens: number[] = [];
    const produced = new Set<number>();
    let feed = prompt.slice(reused);
    let finish: DecodeResult['finish'] = 'length';
    try {
      if (guidance) uncondLogits = await this.startUnconditional(guidance.prompt);
      while (tokens.length < opts.maxNewTokens) {
        if (opts.shouldStop?.()) {
          finish = 'interrupted';
          break;
        }
        const logits = await this.step(this.main, feed);
        if (guidance) guide(logits, uncondLogits ?? (await this.step(this.uncond, [tokens[tokens.length - 1]])), guidance.scale);
        uncondLogits = null;
        penalizeRepeats(logits, produced, opts.repetitionPenalty ?? 1);
        const next = sample(logits, guard.banned(), opts);
        tokens.push(next);
        produced.add(next);
        guard.push(next);
        opts.onToken?.(next);
        if (opts.eosIds.includes(next)) {
          finish = 'stop';
          break;
        }
        feed = [next];
      }
    } catch (e) {
      this.reset();
      throw e;
    }
    return { tokens, finish, reusedTokens: reused };
  }

  /** Runs the model on `ids` after the tokens cached in `state`; returns the last position's logits. */
  private async step(state: KvState, ids: number[]): Promise<Float32Array> {
    const past = state.tokens.length;
    const total = past + ids.length;
    const feeds: Record<string, OrtTensor> = {
      input_ids: this.makeTensor('int64', BigInt64Array.from(ids, BigInt), [1, ids.length]),
    };
    if (this.hasMask) feeds.attention_mask = this.makeTensor('int64', new BigInt64Array(total).fill(1n), [1, total]);
    if (this.hasPositions) {
      feeds.position_ids = this.makeTensor('int64', BigInt64Array.from(ids, (_, i) => BigInt(this.firstPosition + past + i)), [1, ids.length]);
    }
    if (this.hasLogitsToKeep) feeds.num_logits_to_keep = this.makeTensor('int64', BigInt64Array.of(1n), []);
    for (const name of this.pastNames) feeds[name] = state.kv?.get(name) ?? this.emptyPast(name);
    const out = await this.session.run(feeds);
    const logits = out.logits;
    const vocab = logits.dims[logits.dims.length - 1];
    const rows = logits.data.length / vocab;
    // A copy of one row: the output tensor may be freed or reused by the runtime.
    const last = (logits.data as Float32Array).slice((rows - 1) * vocab, rows * vocab);
    logits.dispose?.();
    this.disposeKv(state);
    state.kv = new Map(this.pastNames.map((name) => [name, out[name.replace('past_key_values', 'present')]]));
    state.tokens.push(...ids);
    return last;
  }

  /**
   * Keeps the cached KV of the longest common prefix of the tokens cached in `state` and `prompt`
   * (at least one prompt token is always left to compute). Returns how many tokens it kept.
   */
  private reuse(state: KvState, prompt: readonly number[]): number {
    let common = 0;
    const limit = Math.min(state.tokens.length, prompt.length - 1);
    while (common < limit && state.tokens[common] === prompt[common]) common++;
    if (common === state.tokens.length) return common;
    const kv = state.kv;
    if (common === 0 || !kv || [...kv.values()].some((t) => t.location && t.location !== 'cpu')) {
      this.disposeKv(state);
      state.tokens = [];
      return 0;
    }
    // Cut every past tensor ([1, heads, seq, dim]) to `common` positions.
    const next = new Map<string, OrtTensor>();
    for (const [name, t] of kv) {
      const [, heads, seq, dim] = t.dims;
      const src = t.data as Float32Array;
      const dst = new (src.constructor as Float32ArrayConstructor)(heads * common * dim);
      for (let h = 0; h < heads; h++) dst.set(src.subarray(h * seq * dim, h * seq * dim + common * dim), h * common * dim);
      next.set(name, this.makeTensor(t.type, dst, [1, heads, common, dim]));
    }
    this.disposeKv(state);
    state.kv = next;
    state.tokens = state.tokens.slice(0, common);
    return common;
  }

  private emptyPast(name: string): OrtTensor {
    const [heads, dim] = this.pastShape.get(name)!;
    const type = this.session.inputMetadata?.find((m) => m.name === name)?.type ?? 'float32';
    const data = type === 'float16' ? new Uint16Array(0) : new Float32Array(0);
    return this.makeTensor(type, data, [1, heads, 0, dim]);
  }

  private disposeKv(state: KvState): void {
    if (state.kv && !state.shared) for (const t of state.kv.values()) t.dispose?.();
    state.kv = null;
    state.shared = false;
  }
}
