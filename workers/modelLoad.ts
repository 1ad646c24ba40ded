// Loading a model into the engine: points transformers.js and ONNX Runtime at the model's files
// (bundled folder or Cache Storage), loads tokenizer and model on one backend, sets up Hearth's
// decode loop when the graph allows it, and warms the model up. The backend choice and its
// fallbacks stay with the engine (workers/engine.ts).
import { AutoConfig, AutoModelForCausalLM, AutoTokenizer, Tensor, env } from '@huggingface/transformers';
import { fail, ok, type Capabilities, type LoadOptions, type LoadProgress, type OrtBackend, type Outcome } from '../src/shared/engine';
import { classifyLoadError } from './errors';
import { CACHE_ROOT, cacheFetch, isCachedSource, missingCachedFile } from './modelCache';
import { KvDecoder, isDecoderSession, type OrtTensor } from './decoder';
import { loadOrtWasm, ortFiles, type OrtBuild } from './ortWasm';
import { replyRules, type ReplyRules } from './sampling';
import { threadsFor } from './threads';
import { applyChat, ensureChatTemplate } from './chatTemplate';
import { IS_NODE, localPath, missingFile, modelText } from './modelFolder';
import { loadProgress } from './loadProgress';

/* eslint-disable @typescript-eslint/no-explicit-any -- transformers.js model/tokenizer types are very loose */
type Tokenizer = any;
type Model = any;

/** transformers.js's own fetch, restored after a load from Cache Storage replaced it. */
const DEFAULT_FETCH = env.fetch;

/**
 * Which ONNX file each backend runs unless the caller overrides it, picked by `npm run bench`
 * (docs/model.md): q8 decodes fastest on WASM (161 against 75 tokens/s for fp32);
 * on WebGPU fp32 beat q4 2.1 to 1.4 tokens/s on SwiftShader (MatMulInteger has no WebGPU kernel,
 * so q8 is not an option there).
 */
export const DEFAULT_DTYPE: Record<OrtBackend, string> = { wasm: 'q8', webgpu: 'fp32', cpu: 'q8' };

export interface Loaded {
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

/** Loads models for one engine; it remembers the ONNX Runtime build its worker initialised. */
export class ModelLoader {
  /** The ONNX Runtime build this worker initialised (see configure). */
  private ortBuild: OrtBuild | null = null;

  /**
   * Points transformers.js at the model folder and ONNX Runtime at its wasm. The ORT build is
   * chosen per worker, at its first load: the asyncify build when the load starts on WebGPU, else
   * the plain WASM build, half its size (14 against 27 MB) and faster per token (docs/speed.md).
   * ORT initialises its wasm once per worker, so later loads keep that build (the worker proxy
   * starts a new worker when the backend preference changes).
   */
  configure(options: LoadOptions, caps: Capabilities, loadId: string, build: OrtBuild): void {
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

  async load(
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
}

/** A few greedy tokens, so the first reply does not pay for first-run costs; the error message if it fails. */
export async function warmup(loaded: Loaded): Promise<string | undefined> {
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
