// The decode loop, written directly on the ONNX Runtime session that transformers.js created:
// one session.run per token, the present KV tensors fed back as the next step's past, only the
// last position's logits read. It is generic over decoder-only exports: input_ids,
// attention_mask, position_ids (when the graph has it), num_logits_to_keep (when it has it) and
// past_key_values.N.key/value -> present.N.key/value, with KV heads / head size read from the
// graph's input metadata or the model config. The KV cache survives between calls: the next
// prompt reuses the longest common prefix of tokens and computes only the rest.
import { NgramGuard, penalizeRepeats, sample, type SamplingOptions } from './sampling';

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

export class KvDecoder {
  private readonly pastNames: string[];
  /** [kv heads, head size] per past input. */
  private readonly pastShape: Map<string, [number, number]>;
  private readonly hasMask: boolean;
  private readonly hasPositions: boolean;
  private readonly hasLogitsToKeep: boolean;
  private kv: Map<string, OrtTensor> | null = null;
  /** Tokens whose keys and values are in `kv`, in order. */
  private kvTokens: number[] = [];

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
    this.hasLogitsToKeep = session.inputNames.includes('num_logits_to_keep');
  }

  /** Forgets the KV cache (the next prompt is computed from scratch). */
  reset(): void {
    this.disposeKv();
    this.kvTokens = [];
  }

  async generate(prompt: readonly number[], opts: DecodeOptions): Promise<DecodeResult> {
    if (prompt.length === 0) throw new Error('The prompt is empty.');
    const reused = this.reuse(prompt);
    const guard = new NgramGuard(opts.noRepeatNgram);
    for (const id of prompt) guard.push(id);
    const tokens: number[] = [];
    const produced = new Set<number>();
    let feed = prompt.slice(reused);
    let finish: DecodeResult['finish'] = 'length';
    try {
      while (tokens.length < opts.maxNewTokens) {
        if (opts.shouldStop?.()) {
          finish = 'interrupted';
          break;
        }
        const logits = await this.step(feed);
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

  /** Runs the model on `ids` after the cached tokens; returns the last position's logits. */
  private async step(ids: number[]): Promise<Float32Array> {
    const past = this.kvTokens.length;
    const total = past + ids.length;
    const feeds: Record<string, OrtTensor> = {
      input_ids: this.makeTensor('int64', BigInt64Array.from(ids, BigInt), [1, ids.length]),
    };
    if (this.hasMask) feeds.attention_mask = this.makeTensor('int64', new BigInt64Array(total).fill(1n), [1, total]);
    if (this.hasPositions) {
      feeds.position_ids = this.makeTensor('int64', BigInt64Array.from(ids, (_, i) => BigInt(past + i)), [1, ids.length]);
    }
    if (this.hasLogitsToKeep) feeds.num_logits_to_keep = this.makeTensor('int64', BigInt64Array.of(1n), []);
    for (const name of this.pastNames) feeds[name] = this.kv?.get(name) ?? this.emptyPast(name);
    const out = await this.session.run(feeds);
    const logits = out.logits;
    const vocab = logits.dims[logits.dims.length - 1];
    const rows = logits.data.length / vocab;
    // A copy of one row: the output tensor may be freed or reused by the runtime.
    const last = (logits.data as Float32Array).slice((rows - 1) * vocab, rows * vocab);
    logits.dispose?.();
    this.disposeKv();
    this.kv = new Map(this.pastNames.map((name) => [name, out[name.replace('past_key_values', 'present')]]));
    this.kvTokens.push(...ids);
    return last;
  }

  /**
   * Keeps the cached KV of the longest common prefix of the cached tokens and `prompt` (at
   * least one prompt token is always left to compute). Returns how many tokens it kept.
   */
  private reuse(prompt: readonly number[]): number {
    let common = 0;
    const limit = Math.min(this.kvTokens.length, prompt.length - 1);
    while (common < limit && this.kvTokens[common] === prompt[common]) common++;
    if (common === this.kvTokens.length) return common;
    const kv = this.kv;
    if (common === 0 || !kv || [...kv.values()].some((t) => t.location && t.location !== 'cpu')) {
      this.reset();
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
    this.disposeKv();
    this.kv = next;
    this.kvTokens = this.kvTokens.slice(0, common);
    return common;
  }

  private emptyPast(name: string): OrtTensor {
    const [heads, dim] = this.pastShape.get(name)!;
    const type = this.session.inputMetadata?.find((m) => m.name === name)?.type ?? 'float32';
    const data = type === 'float16' ? new Uint16Array(0) : new Float32Array(0);
    return this.makeTensor(type, data, [1, heads, 0, dim]);
  }

  private disposeKv(): void {
    if (this.kv) for (const t of this.kv.values()) t.dispose?.();
    this.kv = null;
  }
}
