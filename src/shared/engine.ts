// The engine contract shared by the UI, the inference worker and tests (design rule 1).
// Everything here is plain data so it crosses the worker boundary by structured clone;
// failures travel as `EngineError` values, never as thrown or stringified errors (rule 2).

/** Where ONNX Runtime runs a model: WebGPU, WASM, or CPU (Node). */
export type OrtBackend = 'webgpu' | 'wasm' | 'cpu';
/** Where a reply was made: ONNX Runtime's backends, or the browser's own model (Chrome's Prompt API). */
export type Backend = OrtBackend | 'browser';
export type BackendPreference = 'auto' | 'webgpu' | 'wasm';
export type Role = 'system' | 'user' | 'assistant';

export interface ChatTurn {
  role: Role;
  content: string;
}

export interface GenerationParams {
  temperature: number;
  topP: number;
  maxNewTokens: number;
}

export const DEFAULT_GENERATION: GenerationParams = { temperature: 0.7, topP: 0.9, maxNewTokens: 256 };

export interface LoadOptions {
  backend: BackendPreference;
  /** URL (or file path in Node) of the folder that holds `<modelId>/`. */
  modelBaseUrl: string;
  /** URL of the folder that holds the ORT wasm files (browser only). */
  wasmBaseUrl?: string;
  /** Override the dtype chosen per backend (e.g. 'q8', 'fp32', 'q4'). */
  dtype?: string;
  /** WASM threads; defaults to hardwareConcurrency when cross-origin isolated, else 1. */
  numThreads?: number;
  /** Run a short warm-up generation after loading (default true). */
  warmup?: boolean;
  /**
   * Where the model's files come from (browser only). Default / 'bundled': `modelBaseUrl` over the
   * network (the service worker caches them). 'hub' and 'files': only from the Cache Storage cache
   * `cacheName`, never the network: a model downloaded from the Hub (keys
   * `{hubUrl}/{repo}/resolve/{revision}/{file}`) or loaded from the user's disk (keys `{baseUrl}{file}`).
   */
  source?: ModelSource;
  /**
   * The model folder's files with their sizes, when the app knows them (the build's manifest of a
   * bundled model, a downloaded model's record): the load progress then counts bytes against the
   * true total instead of the files seen so far.
   */
  files?: Array<{ path: string; size: number }>;
}

export type ModelSource =
  | { kind: 'bundled' }
  | { kind: 'hub'; cacheName: string; hubUrl: string; repo: string; revision: string }
  | { kind: 'files'; cacheName: string; baseUrl: string };

/** The cache key prefix of a cached model's files (its file paths are appended). */
export function modelSourceBaseKey(source: Exclude<ModelSource, { kind: 'bundled' }>): string {
  if (source.kind === 'files') return source.baseUrl.endsWith('/') ? source.baseUrl : `${source.baseUrl}/`;
  const hub = source.hubUrl.replace(/\/+$/, '');
  return `${hub}/${source.repo}/resolve/${encodeURIComponent(source.revision)}/`;
}

export interface LoadProgress {
  /** download: files (ONNX Runtime's wasm, tokenizer, model); prepare: ORT builds the session; warmup: a short generation. */
  phase: 'download' | 'prepare' | 'warmup';
  /** 0..1 over the whole load; never goes back during one load. */
  progress: number;
  file?: string;
  loadedBytes?: number;
  totalBytes?: number;
}

export interface ModelInfo {
  modelId: string;
  backend: Backend;
  dtype: string;
  contextLength: number;
  threads: number;
  /** Why WebGPU is not used, when it was asked for, or Auto found none, or it failed. */
  fallbackReason?: string;
  /** The fallback is no news (Auto on a browser without WebGPU): Settings and the status line say why, no notice. */
  fallbackExpected?: boolean;
}

export interface Capabilities {
  webgpu: boolean;
  webgpuAdapter?: string;
  /** Whether the WebGPU adapter computes in 16-bit floats (the shader-f16 feature fp16 / q4f16 weights need). */
  shaderF16?: boolean;
  /** The WebGPU adapter is a fallback (software, CPU-emulated) one such as SwiftShader. */
  webgpuSoftware?: boolean;
  crossOriginIsolated: boolean;
  hardwareConcurrency: number;
  /** Why WASM runs on one thread, when it does. */
  singleThreadReason?: string;
}

/**
 * A file attached to the user turn being answered, prepared by the UI (src/attachments/): its
 * whole text when it might fit, and its passages, most relevant to the question first.
 */
export interface PromptFile {
  id: string;
  name: string;
  /** The whole text; omitted when it is far too long to fit the context window. */
  text?: string;
  /** Passages most relevant first (`index` = position in the file, 0-based). */
  passages: Array<{ index: number; text: string }>;
  totalPassages: number;
  /** Passage length (characters) the text was split with, echoed in the usage. */
  passageChars: number;
}

/** What of one file went to the model. */
export interface FileUsage {
  id: string;
  name: string;
  /** True when the whole text was sent. */
  whole: boolean;
  /** Passages sent (0-based, file order) when not whole. */
  passages: number[];
  totalPassages: number;
  /** Passage length (characters) the text was split with: the same split finds them again. */
  passageChars: number;
}

export interface GenerateRequest {
  /** Conversation so far, oldest first, ending with the user turn to answer. No system turn. */
  turns: ChatTurn[];
  systemPrompt?: string;
  params: GenerationParams;
  /** Files attached to the last turn: sent whole when they fit, else their most relevant passages. */
  files?: PromptFile[];
  /** Return the rendered prompt text in the result (a debugging aid, `?debug=prompt`). */
  returnPrompt?: boolean;
  /**
   * Continue this assistant reply (cut at the length limit) instead of starting a new one: the
   * prompt ends with it, unclosed, and the result's text is only what comes after it.
   */
  continueFrom?: string;
  /** Benchmarks: generate exactly maxNewTokens tokens, ignoring end-of-sequence tokens. */
  ignoreEos?: boolean;
  /**
   * Benchmarks: decode without the model's classifier-free guidance (one model run per token, as
   * onnxruntime alone and transformers.js decode), its other reply rules kept. The app never sets it.
   */
  unguided?: boolean;
  /** Tests: sample from this seed (the same seed, request and model give the same reply). */
  seed?: number;
}

export type FinishReason = 'stop' | 'length' | 'interrupted';

export interface GenerateResult {
  text: string;
  finishReason: FinishReason;
  promptTokens: number;
  completionTokens: number;
  /** Decode speed of this reply (tokens after the first / time after the first). */
  tokensPerSecond: number;
  /** Time from the request to the first token (prompt processing), in the engine. */
  firstTokenMs?: number;
  /** Prompt tokens whose KV cache was kept from the previous reply (not computed again). */
  reusedTokens?: number;
  /** How many older turns were left out to fit the context window. */
  droppedTurns: number;
  /** True when the newest user message itself had to be shortened to fit. */
  truncatedLatest: boolean;
  backend: Backend;
  modelId: string;
  /** What of each attached file went to the model (present when the request had files). */
  files?: FileUsage[];
  /** The prompt as the model received it (only when `returnPrompt` was asked). */
  prompt?: string;
}

export type EngineErrorCode =
  | 'not-loaded'
  | 'busy'
  | 'model-not-found'
  | 'model-corrupt'
  | 'backend-unavailable'
  | 'device-lost'
  | 'out-of-memory'
  | 'generation-failed'
  | 'worker-crashed'
  | 'unknown';

export interface EngineError {
  code: EngineErrorCode;
  message: string;
  retryable: boolean;
}

export type Outcome<T> = { ok: true; value: T } | { ok: false; error: EngineError };

export const ok = <T>(value: T): Outcome<T> => ({ ok: true, value });
export const fail = (code: EngineErrorCode, message: string, retryable: boolean): Outcome<never> => ({
  ok: false,
  error: { code, message, retryable },
});

/** The one engine interface: implemented by the worker proxy and by the in-thread engine. */
export interface EngineApi {
  capabilities(): Promise<Capabilities>;
  load(modelId: string, options: LoadOptions, onProgress?: (p: LoadProgress) => void): Promise<Outcome<ModelInfo>>;
  generate(request: GenerateRequest, onToken?: (piece: string) => void): Promise<Outcome<GenerateResult>>;
  /** Stop the running generation; its `generate` resolves with finishReason 'interrupted'. */
  interrupt(): Promise<void>;
  unload(): Promise<void>;
}
