// The inference engine: loads a transformers.js causal LM and streams replies. It runs
// unchanged inside the Web Worker (exposed through Comlink) and in-thread for tests,
// in the browser (WebGPU / WASM) and in Node (onnxruntime-node, device 'cpu').
import {
  AutoConfig,
  AutoModelForCausalLM,
  AutoTokenizer,
  InterruptableStoppingCriteria,
  Tensor,
  TextStreamer,
  env,
} from '@huggingface/transformers';
import {
  fail,
  ok,
  type OrtBackend,
  type Capabilities,
  type ChatTurn,
  type EngineApi,
  type GenerateRequest,
  type GenerateResult,
  type LoadOptions,
  type LoadProgress,
  type ModelInfo,
  type Outcome,
} from '../src/shared/engine';
import { planPrompt } from '../src/shared/prompt';
import { filesForDtype } from '../src/shared/modelFiles';
import { capabilitiesOf, probeWebGpu, type GpuProbe } from '../src/shared/capabilities';
import { WASM_ONLY_WORKER, afterWebGpuFailure, chooseBackend, webGpuFailedReason } from '../src/shared/backendChoice';
import { classifyGenerateError, classifyLoadError } from './errors';
import { CACHE_ROOT, cacheFetch, freshLoadId, isCachedSource, missingCachedFile } from './modelCache';
import { KvDecoder, isDecoderSession, type OrtTensor } from './decoder';
import { IncrementalText, PieceBatcher } from './textStream';
import { loadOrtWasm, ortFiles, type OrtBuild } from './ortWasm';
import { replyRules, seededRandom, type ReplyRules } from './sampling';
import { threadsFor } from './threads';
import { applyChat, ensureChatTemplate } from './chatTemplate';

/* eslint-disable @typescript-eslint/no-explicit-any -- transformers.js model/tokenizer types are very loose */
type Tokenizer = any;
type Model = any;

/** transformers.js's own fetch, restored after a load from Cache Storage replaced it. */
const DEFAULT_FETCH = env.fetch;

const IS_NODE = typeof process !== 'undefined' && !!process.versions?.node && typeof window === 'undefined' && typeof self === 'undefined';

/**
 * Which ONNX file each backend runs unless the caller overrides it, picked by `npm run bench`
 * (docs/model.md): q8 decodes fastest on WASM (161 against 75 tokens/s for fp32);
 * on WebGPU fp32 beat q4 2.1 to 1.4 tokens/s on SwiftShader (MatMulInteger has no WebGPU kernel,
 * so q8 is not an option there).
 */
export const DEFAULT_DTYPE: Record<OrtBackend, string> = { wasm: 'q8', webgpu: 'fp32', cpu: 'q8' };

interface Loaded {
  modelId: string;
  tokenizer: Tokenizer;
  model: Model;
  backend: OrtBackend;
  dtype: string;
  contextLength: number;
  eosIds: number[];
  threads: number;
  /** Hearth's own decode loop on the model's session, when the graph is a standard decoder. */
  decoder: KvDecoder | null;
  /** From the model's generation_config.json (sampling.ts, replyRules). */
  rules: ReplyRules;
}

interface Run {
  generated: number[];
  text: string;
  count: number;
  first: number;
  last: number;
  reusedTokens?: number;
}

/** How often streamed text crosses to the page (one message per batch, not per token). */
const STREAM_INTERVAL_MS = 40;

export class TransformersEngine implements EngineApi {
  private loaded: Loaded | null = null;
  private generating = false;
  private readonly stopper = new InterruptableStoppingCriteria();
  private webgpuProbe: Promise<GpuProbe> | null = null;
  /** The ONNX Runtime build this worker initialised (see configure). */
  private ortBuild: OrtBuild | null = null;

  /** `wasmOnly`: this worker's bundle has onnxruntime-web/wasm, which cannot run WebGPU. */
  constructor(private readonly opts: { wasmOnly?: boolean } = {}) {}

  async capabilities(): Promise<Capabilities> {
    return capabilitiesOf(await this.probeWebGpu(), IS_NODE);
  }

  async load(modelId: string, options: LoadOptions, onProgress?: (p: LoadProgress) => void): Promise<Outcome<ModelInfo>> {
    if (this.generating) return fail('busy', 'A reply is being generated; stop it before loading a model.', true);
    await this.unload();
    const caps = await this.capabilities();
    // A model from Cache Storage loads under a fresh internal id (see workers/modelCache.ts).
    const loadId = !IS_NODE && isCachedSource(options.source) ? freshLoadId() : modelId;
    let choice = chooseBackend(options.backend, caps.webgpu, IS_NODE, { dtype: options.dtype, shaderF16: caps.shaderF16 }, caps.webgpuSoftware);
    if (this.opts.wasmOnly && choice.backend === 'webgpu') {
      // The worker proxy sends WebGPU loads to the other bundle; this one has no WebGPU to offer.
      choice = { backend: 'wasm', fallbackReason: WASM_ONLY_WORKER };
    }
    this.configure(options, caps, loadId, choice.backend === 'webgpu' ? 'asyncify' : 'plain');

    // A downloaded model has only the files of its dtype: keep it; a bundled one takes the
    // backend's default when it falls back to WASM.
    const wasmDtype = isCachedSource(options.source) ? options.dtype : undefined;
    const onWasm = { ...options, dtype: wasmDtype };
    let attempt = await this.tryLoad(modelId, choice.backend, choice.f16Unsupported ? onWasm : options, onProgress, loadId);
    const fallback = !attempt.ok && choice.backend === 'webgpu' ? afterWebGpuFailure(attempt.error.code, attempt.error.message) : null;
    if (fallback) {
      // WebGPU failed (no kernel, device lost, driver bug): fall back to WASM.
      choice = fallback;
      attempt = await this.tryLoad(modelId, choice.backend, onWasm, onProgress, loadId);
    }
    if (!attempt.ok) return attempt;
    this.loaded = attempt.value;
    if (options.warmup !== false) {
      onProgress?.({ phase: 'warmup', progress: 1 });
      const failure = await this.warmup();
      if (failure && choice.backend === 'webgpu') {
        // Loaded but cannot run a step (a kernel the adapter lacks): that is a failed load too.
        await this.unload();
        choice = { backend: 'wasm', fallbackReason: webGpuFailedReason(failure) };
        attempt = await this.tryLoad(modelId, choice.backend, onWasm, onProgress, loadId);
        if (!attempt.ok) return attempt;
        this.loaded = attempt.value;
        await this.warmup();
      }
    }
    const { dtype, contextLength, threads } = attempt.value;
    const { backend, fallbackReason, fallbackExpected } = choice;
    return ok({ modelId, backend, dtype, contextLength, threads, fallbackReason, ...(fallbackExpected ? { fallbackExpected } : {}) });
  }

  async generate(request: GenerateRequest, onToken?: (piece: string) => void): Promise<Outcome<GenerateResult>> {
    const loaded = this.loaded;
    if (!loaded) return fail('not-loaded', 'No model is loaded.', true);
    if (this.generating) return fail('busy', 'A reply is already being generated.', true);
    if (request.turns.length === 0) return fail('generation-failed', 'There is nothing to reply to.', false);
    this.generating = true;
    this.stopper.reset();
    const started = performance.now();
    try {
      // Continuing a reply: its text so far ends the prompt, and takes room in the window.
      const tail = request.continueFrom ?? '';
      const tailIds: number[] = tail ? loaded.tokenizer.encode(tail, { add_special_tokens: false }) : [];
      const plan = planPrompt({
        turns: request.turns,
        files: request.files,
        systemPrompt: request.systemPrompt,
        contextLength: loaded.contextLength,
        maxNewTokens: request.params.maxNewTokens,
        countTokens: (messages) => this.encodeChat(loaded, messages).length + tailIds.length,
        clipText: (text, n, from) => {
          const ids: number[] = loaded.tokenizer.encode(text, { add_special_tokens: false });
          const kept = from === 'start' ? ids.slice(0, n) : ids.slice(Math.max(0, ids.length - n));
          return loaded.tokenizer.decode(kept, { skip_special_tokens: false });
        },
      });
      const run = loaded.decoder
        ? await this.decode(loaded, loaded.decoder, plan.messages, tailIds, plan.maxNewTokens, request, onToken)
        : await this.generateWithLibrary(loaded, plan.messages, tail, plan.maxNewTokens, request, onToken);
      const { generated, count, first, last } = run;
      const promptLen = plan.promptTokens;
      const endedOnEos = generated.length > 0 && loaded.eosIds.includes(generated[generated.length - 1]);
      const text = run.text;
      const completionTokens = generated.length;
      return ok({
        text,
        finishReason: this.stopper.interrupted && !endedOnEos ? 'interrupted' : endedOnEos ? 'stop' : 'length',
        promptTokens: promptLen,
        completionTokens,
        tokensPerSecond: count > 1 && last > first ? ((count - 1) * 1000) / (last - first) : 0,
        firstTokenMs: count > 0 ? first - started : undefined,
        reusedTokens: run.reusedTokens,
        droppedTurns: plan.droppedTurns,
        truncatedLatest: plan.truncatedLatest,
        backend: loaded.backend,
        modelId: loaded.modelId,
        ...(request.files?.length ? { files: plan.files } : {}),
        ...(request.returnPrompt ? { prompt: (applyChat(loaded.tokenizer, plan.messages, { tokenize: false }) as string) + tail } : {}),
      });
    } catch (e) {
      return { ok: false, error: classifyGenerateError(e, loaded.backend) };
    } finally {
      this.generating = false;
    }
  }

  async interrupt(): Promise<void> {
    this.stopper.interrupt();
  }

  async unload(): Promise<void> {
    const cur = this.loaded;
    this.loaded = null;
    cur?.decoder?.reset();
    if (cur) await cur.model.dispose?.().catch(() => undefined);
  }

  /** A reply from Hearth's own decode loop (workers/decoder.ts), streamed in batches. */
  private async decode(
    loaded: Loaded,
    decoder: KvDecoder,
    messages: ChatTurn[],
    tailIds: number[],
    maxNewTokens: number,
    request: GenerateRequest,
    onToken?: (piece: string) => void,
  ): Promise<Run> {
    const prompt = [...this.encodeChat(loaded, messages), ...tailIds];
    const decode = (ids: number[]) => (ids.length ? (loaded.tokenizer.decode(ids, { skip_special_tokens: true }) as string) : '');
    const stream = new IncrementalText(decode);
    const batcher = new PieceBatcher((text) => onToken?.(text), STREAM_INTERVAL_MS);
    let count = 0;
    let first = 0;
    let last = 0;
    const result = maxNewTokens > 0
      ? await decoder.generate(prompt, {
          maxNewTokens,
          eosIds: request.ignoreEos ? [] : loaded.eosIds,
          noRepeatNgram: loaded.rules.noRepeatNgram,
          repetitionPenalty: loaded.rules.repetitionPenalty,
          ...(loaded.rules.guidanceScale !== 1 && !request.unguided
            ? { guidance: { scale: loaded.rules.guidanceScale, prompt: [...this.unconditionalPrompt(loaded), ...tailIds] } }
            : {}),
          temperature: request.params.temperature,
          topP: request.params.topP,
          ...(request.seed !== undefined ? { random: seededRandom(request.seed) } : {}),
          shouldStop: () => this.stopper.interrupted,
          onToken: (id) => {
            count++;
            last = performance.now();
            if (count === 1) first = last;
            if (!loaded.eosIds.includes(id)) batcher.push(stream.push(id));
          },
        })
      : { tokens: [], finish: 'length' as const, reusedTokens: 0 };
    const text = decode(result.tokens);
    batcher.push(stream.rest(text));
    batcher.flush();
    return { generated: result.tokens, text, count, first, last, reusedTokens: result.reusedTokens };
  }

  /** A reply from transformers.js's generate() (models whose graph the decode loop does not know). */
  private async generateWithLibrary(
    loaded: Loaded,
    messages: ChatTurn[],
    tail: string,
    maxNewTokens: number,
    request: GenerateRequest,
    onToken?: (piece: string) => void,
  ): Promise<Run> {
    const inputs = tail
      ? loaded.tokenizer(
          (applyChat(loaded.tokenizer, messages, { tokenize: false }) as string) + tail,
          { add_special_tokens: false },
        )
      : applyChat(loaded.tokenizer, messages, { return_dict: true });
    let count = 0;
    let first = 0;
    let last = 0;
    const streamer = new TextStreamer(loaded.tokenizer, {
      skip_prompt: true,
      skip_special_tokens: true,
      callback_function: (piece: string) => {
        if (piece) onToken?.(piece);
      },
      token_callback_function: () => {
        count++;
        last = performance.now();
        if (count === 1) first = last;
      },
    });
    const greedy = request.params.temperature <= 0;
    const output = maxNewTokens > 0
      ? await loaded.model.generate({
          ...inputs,
          max_new_tokens: maxNewTokens,
          do_sample: !greedy,
          ...(greedy ? {} : { temperature: request.params.temperature, top_p: request.params.topP }),
          // Small models loop ("I'm a model that I'm a model…"): block repeated n-grams. (This
          // fallback has no reply-only repetition penalty: transformers.js's counts the prompt.)
          no_repeat_ngram_size: loaded.rules.noRepeatNgram,
          eos_token_id: request.ignoreEos ? [] : loaded.eosIds,
          pad_token_id: loaded.eosIds[loaded.eosIds.length - 1],
          streamer,
          stopping_criteria: [this.stopper],
        })
      : null;
    const promptLen = Number(inputs.input_ids.dims.at(-1));
    const all: number[] = output ? Array.from(output.tolist()[0] as bigint[], Number) : [];
    const generated = all.slice(promptLen);
    const text = loaded.tokenizer.decode(generated, { skip_special_tokens: true }) as string;
    return { generated, text, count, first, last };
  }

  /**
   * Guidance's unconditional prompt: the chat template around one empty user turn, without the
   * conversation or the system prompt, so guidance favours what the conversation itself asks for.
   */
  private unconditionalPrompt(loaded: Loaded): number[] {
    return this.encodeChat(loaded, [{ role: 'user', content: '' }]);
  }

  private encodeChat(loaded: Loaded, messages: ChatTurn[]): number[] {
    return applyChat(loaded.tokenizer, messages, {
      tokenize: true,
      return_tensor: false,
      return_dict: false,
    }) as number[];
  }

  /**
   * Points transformers.js at the model folder and ONNX Runtime at its wasm. The ORT build is
   * chosen per worker, at its first load: the asyncify build when the load starts on WebGPU, else
   * the plain WASM build, half its size (14 against 27 MB) and faster per token (docs/speed.md).
   * ORT initialises its wasm once per worker, so later loads keep that build (the worker proxy
   * starts a new worker when the backend preference changes).
   */
  private configure(options: LoadOptions, caps: Capabilities, loadId: string, build: OrtBuild): void {
    env.allowRemoteModels = false;
    env.allowLocalModels = true;
    env.localModelPath = localPath(options.modelBaseUrl);
    env.fetch = DEFAULT_FETCH;
    if (!IS_NODE) {
      // The service worker owns caching (bundled models, ORT wasm) and downloaded models live in
      // their own cache: transformers.js must not keep a second copy in its 'transformers-cache'.
      env.useBrowserCache = false;
      env.useWasmCache = false;
      if (isCachedSource(options.source)) {
        env.localModelPath = CACHE_ROOT;
        env.fetch = cacheFetch(options.source, loadId, DEFAULT_FETCH);
      }
    }
    const wasm = env.backends.onnx.wasm;
    if (!IS_NODE && wasm) {
      if (options.wasmBaseUrl) {
        const base = options.wasmBaseUrl.endsWith('/') ? options.wasmBaseUrl : `${options.wasmBaseUrl}/`;
        this.ortBuild ??= build;
        wasm.wasmPaths = ortFiles(base, this.ortBuild);
      }
      wasm.numThreads = options.numThreads ?? (caps.crossOriginIsolated ? Math.min(4, caps.hardwareConcurrency) : 1);
    }
  }

  private async tryLoad(
    modelId: string,
    backend: OrtBackend,
    options: LoadOptions,
    onProgress?: (p: LoadProgress) => void,
    loadId: string = modelId,
  ): Promise<Outcome<Loaded>> {
    const dtype = options.dtype ?? DEFAULT_DTYPE[backend];
    const progress = loadProgress(options.files, dtype, onProgress);
    const required = ['config.json', 'tokenizer_config.json'];
    const missing = !IS_NODE && isCachedSource(options.source)
      ? await missingCachedFile(options.source, required).catch(() => 'config.json')
      : await missingFile(options.modelBaseUrl, modelId, required);
    if (missing) {
      return fail('model-not-found', `The model "${modelId}" could not be found (${missing} is missing).`, true);
    }
    try {
      onProgress?.({ phase: 'download', progress: 0 });
      const [tokenizer] = await Promise.all([
        AutoTokenizer.from_pretrained(loadId, { progress_callback: progress }),
        this.ortWasm(progress),
      ]);
      await ensureChatTemplate(tokenizer, (file) => modelText(loadId, file));
      const wasm = env.backends.onnx.wasm;
      if (!IS_NODE && wasm && options.numThreads === undefined) {
        // Before ORT starts (it reads numThreads once): a small model runs faster on one thread.
        wasm.numThreads = threadsFor((await AutoConfig.from_pretrained(loadId)) as any, Number(wasm.numThreads ?? 1));
      }
      const model = await AutoModelForCausalLM.from_pretrained(loadId, {
        device: backend,
        dtype: dtype as any,
        progress_callback: progress,
      });
      const config: any = model.config ?? {};
      const contextLength = Number(config.n_positions ?? config.max_position_embeddings ?? 512);
      const gen: any = model.generation_config ?? {};
      const eosRaw = gen.eos_token_id ?? config.eos_token_id ?? [];
      const eosIds = (Array.isArray(eosRaw) ? eosRaw : [eosRaw]).map(Number);
      const threads = backend === 'wasm' ? Number(env.backends.onnx.wasm?.numThreads ?? 1) : 1;
      const session = model.sessions?.model;
      const decoder = isDecoderSession(session)
        ? new KvDecoder(session, config, (type, data, dims) => new Tensor(type as any, data, dims).ort_tensor as OrtTensor)
        : null;
      const rules = replyRules(gen);
      return ok({ modelId, tokenizer, model, backend, dtype, contextLength, eosIds, threads, decoder, rules });
    } catch (e) {
      return { ok: false, error: classifyLoadError(e, backend) };
    }
  }

  /**
   * Fetches ONNX Runtime's wasm once (workers/ortWasm.ts) and gives ORT the bytes, counting the
   * download in the load's progress.
   */
  private async ortWasm(progress: (info: any) => void): Promise<void> {
    const wasm: any = env.backends.onnx.wasm;
    const url = wasm?.wasmPaths?.wasm;
    if (IS_NODE || !wasm || wasm.wasmBinary || typeof url !== 'string' || typeof caches === 'undefined') return;
    const file = url.split('/').pop() ?? 'ort.wasm';
    const version = String((env.backends.onnx as any).versions?.web ?? 'unknown');
    wasm.wasmBinary = await loadOrtWasm(new URL(url, location.href).href, version, (p) =>
      progress({ status: 'progress', file, loaded: p.loaded, total: p.total }),
    );
  }

  /** A few greedy tokens, so the first reply does not pay for first-run costs; the error message if it fails. */
  private async warmup(): Promise<string | undefined> {
    const loaded = this.loaded;
    if (!loaded) return undefined;
    const inputs = applyChat(loaded.tokenizer, [{ role: 'user', content: 'Hello' }], { return_dict: true });
    try {
      if (loaded.decoder) {
        await loaded.decoder.generate(Array.from(inputs.input_ids.data as BigInt64Array, Number), {
          maxNewTokens: 4,
          eosIds: [],
          noRepeatNgram: 0,
          temperature: 0,
          topP: 1,
        });
        loaded.decoder.reset();
      } else {
        await loaded.model.generate({ ...inputs, max_new_tokens: 4, do_sample: false });
      }
    } catch (e) {
      // On WASM a failing warm-up shows up again, classified, on the first real generate.
      return e instanceof Error ? e.message : String(e);
    }
    return undefined;
  }

  private probeWebGpu(): Promise<GpuProbe> {
    this.webgpuProbe ??= probeWebGpu();
    return this.webgpuProbe;
  }
}

/** The first of `files` that the model folder lacks, or null when all are there. */
async function missingFile(base: string, modelId: string, files: string[]): Promise<string | null> {
  const root = base.endsWith('/') ? base : `${base}/`;
  for (const file of files) {
    const where = `${root}${modelId}/${file}`;
    if (/^(https?|blob):/.test(root) || !IS_NODE) {
      try {
        // GET, not HEAD: a service worker or HTTP cache answers it offline too.
        const res = await fetch(where);
        await res.body?.cancel();
        // An SPA fallback answers unknown paths with index.html: that is a missing file too.
        if (!res.ok || (res.headers.get('content-type') ?? '').includes('text/html')) return file;
      } catch {
        return file;
      }
    } else {
      const fs = (process as any).getBuiltinModule?.('node:fs');
      if (fs && !fs.existsSync(where)) return file;
    }
  }
  return null;
}

/** A text file of the model folder transformers.js loads `loadId` from, or null when it has none. */
async function modelText(loadId: string, file: string): Promise<string | null> {
  const where = `${env.localModelPath}${loadId}/${file}`;
  if (IS_NODE && !/^https?:/.test(where)) {
    const fs = (process as any).getBuiltinModule?.('node:fs');
    return fs?.existsSync(where) ? String(fs.readFileSync(where, 'utf8')) : null;
  }
  const res = await env.fetch(where);
  // An SPA fallback answers unknown paths with index.html: that is a missing file too.
  if (!res.ok || (res.headers.get('content-type') ?? '').includes('text/html')) return null;
  return res.text();
}

/**
 * transformers.js only reads "local" models from a path, not from a full URL: turn a
 * same-origin URL into its path ('/models/'); file paths (Node) pass through.
 */
function localPath(base: string): string {
  const withSlash = base.endsWith('/') ? base : `${base}/`;
  if (!/^https?:/.test(withSlash) || typeof location === 'undefined') return withSlash;
  const url = new URL(withSlash);
  return url.origin === location.origin ? url.pathname : withSlash;
}

/** Files below this size do not count when the total is unknown (config and tokenizer files). */
const SMALL_FILE = 1 << 20;

/**
 * A transformers.js progress_callback that reports one steady 0..1 count over a whole load (the
 * tokenizer's files and the model's): bytes read against the sizes the app gave, or without them,
 * against the big files seen so far. It never goes back (transformers.js's own progress_total
 * restarts per from_pretrained call and drops whenever a new file starts).
 */
function loadProgress(files: LoadOptions['files'], dtype: string, onProgress?: (p: LoadProgress) => void): (info: any) => void {
  const planned = files ? filesForDtype(files, dtype) : [];
  const expected = planned.reduce((n, f) => n + f.size, 0);
  const plannedPaths = new Set(planned.map((f) => f.path));
  const seen = new Map<string, { loaded: number; total: number }>();
  let shown = 0;
  let phase: LoadProgress['phase'] = 'download';
  return (info: any) => {
    // The ONNX file is in: ORT now builds the session (tens of ms to seconds on a big model);
    // small files read meanwhile (generation_config.json) do not bring "download" back.
    if (info?.status === 'done' && String(info.file ?? '').endsWith('.onnx')) {
      phase = 'prepare';
      onProgress?.({ phase, progress: shown });
      return;
    }
    if (info?.status !== 'progress' || !info.file) return;
    seen.set(String(info.file), { loaded: Number(info.loaded) || 0, total: Number(info.total) || 0 });
    let loaded = 0;
    let known = 0;
    let extra = 0;
    let bigLoaded = 0;
    let bigTotal = 0;
    for (const [file, f] of seen) {
      loaded += f.loaded;
      known += f.total;
      // Files outside the model's list (ONNX Runtime's wasm) add to the total.
      if (!plannedPaths.has(file)) extra += f.total;
      if (f.total >= SMALL_FILE) {
        bigLoaded += f.loaded;
        bigTotal += f.total;
      }
    }
    const total = expected ? Math.max(expected + extra, known) : 0;
    const ratio = total ? loaded / total : bigTotal ? bigLoaded / bigTotal : 0;
    shown = Math.max(shown, Math.min(1, ratio));
    onProgress?.({ phase, progress: shown, loadedBytes: loaded, totalBytes: total || undefined, file: String(info.file) });
  };
}
