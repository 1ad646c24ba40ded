// The browser's own language model: Chrome's Prompt API (global `LanguageModel`, Gemini Nano).
// Owns the typed surface of the documented API that Hearth uses, its availability probe, the
// download a click starts (create() with a monitor), and how its DOMExceptions become
// EngineErrors. Facts and sources: docs/builtin-ai.md. Runs on the page only (the API is not
// exposed to workers), so nothing here may be called from workers/.
import type { EngineError } from './engine';

export const BUILTIN_AI_MODEL_ID = 'chrome-built-in';
export const BUILTIN_AI_NAME = 'Chrome built-in AI (Gemini Nano)';

export type BuiltInAiStatus = 'available' | 'downloadable' | 'downloading' | 'unavailable';

/** A prompt message as the API takes it (`prefix` only on a final assistant message). */
export interface LanguageModelMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
  prefix?: boolean;
}

export interface LanguageModelMonitor extends EventTarget {}

export interface LanguageModelCreateOptions {
  initialPrompts?: LanguageModelMessage[];
  /** Extension and experimental contexts only; ignored on web pages (see docs/builtin-ai.md). */
  temperature?: number;
  topK?: number;
  signal?: AbortSignal;
  monitor?: (m: LanguageModelMonitor) => void;
  expectedInputs?: Array<{ type: 'text'; languages?: string[] }>;
  expectedOutputs?: Array<{ type: 'text'; languages?: string[] }>;
}

export interface LanguageModelSession {
  promptStreaming(input: string | LanguageModelMessage[], options?: { signal?: AbortSignal }): ReadableStream<string>;
  prompt(input: string | LanguageModelMessage[], options?: { signal?: AbortSignal }): Promise<string>;
  /** Current names (Chrome 148+ on the web). */
  measureContextUsage?(input: string | LanguageModelMessage[], options?: { signal?: AbortSignal }): Promise<number>;
  readonly contextUsage?: number;
  readonly contextWindow?: number;
  /** Older names (Chrome 138-147; extensions only since the rename). */
  measureInputUsage?(input: string | LanguageModelMessage[], options?: { signal?: AbortSignal }): Promise<number>;
  readonly inputUsage?: number;
  readonly inputQuota?: number;
  clone(options?: { signal?: AbortSignal }): Promise<LanguageModelSession>;
  destroy(): void;
}

export interface LanguageModelParams {
  defaultTopK: number;
  maxTopK: number;
  defaultTemperature: number;
  maxTemperature: number;
}

export interface LanguageModelStatic {
  availability(options?: Pick<LanguageModelCreateOptions, 'expectedInputs' | 'expectedOutputs'>): Promise<BuiltInAiStatus>;
  create(options?: LanguageModelCreateOptions): Promise<LanguageModelSession>;
  params?(): Promise<LanguageModelParams | null>;
}

/** What Hearth asks for: English text in and out (availability and create must get the same). */
export const BUILTIN_AI_OPTIONS = {
  expectedInputs: [{ type: 'text', languages: ['en'] }],
  expectedOutputs: [{ type: 'text', languages: ['en'] }],
} satisfies Pick<LanguageModelCreateOptions, 'expectedInputs' | 'expectedOutputs'>;

/** The page's `LanguageModel`, or null where there is none. */
export function languageModelApi(): LanguageModelStatic | null {
  const api = (globalThis as { LanguageModel?: LanguageModelStatic }).LanguageModel;
  return api && typeof api.availability === 'function' && typeof api.create === 'function' ? api : null;
}

/** Whether this browser has a built-in model, needs to download it, or has none. Never throws. */
export async function probeBuiltInAi(api: LanguageModelStatic | null = languageModelApi()): Promise<BuiltInAiStatus> {
  if (!api) return 'unavailable';
  try {
    const status = await api.availability(BUILTIN_AI_OPTIONS);
    return status === 'available' || status === 'downloadable' || status === 'downloading' ? status : 'unavailable';
  } catch {
    return 'unavailable';
  }
}

/**
 * Has Chrome download its model (a click must start it: create() needs user activation when the
 * model is downloadable), reporting 0..1. The session is destroyed at once; the model stays.
 */
export async function downloadBuiltInAi(api: LanguageModelStatic, onProgress: (loaded: number) => void, signal?: AbortSignal): Promise<void> {
  const session = await api.create({ ...BUILTIN_AI_OPTIONS, signal, monitor: (m) => watchDownload(m, onProgress) });
  session.destroy();
}

/** Reports a monitor's `downloadprogress` events (`loaded` is 0..1, `total` 1). */
export function watchDownload(m: LanguageModelMonitor, onProgress: (loaded: number) => void): void {
  m.addEventListener('downloadprogress', (e) => {
    const loaded = Number((e as Event & { loaded?: number }).loaded);
    if (Number.isFinite(loaded)) onProgress(Math.max(0, Math.min(1, loaded)));
  });
}

const NAME = 'Chrome’s built-in AI';

/** True for the rejection an AbortSignal (or destroy()) causes. */
export function isAbort(e: unknown): boolean {
  return e instanceof Error && e.name === 'AbortError';
}

export function isQuotaExceeded(e: unknown): boolean {
  return e instanceof Error && e.name === 'QuotaExceededError';
}

/** A Prompt API failure as data (names from the spec's error table and create() steps). */
export function builtInAiError(e: unknown): EngineError {
  const name = e instanceof Error ? e.name : '';
  const detail = e instanceof Error && e.message ? ` (${e.message})` : '';
  switch (name) {
    case 'NotSupportedError':
      return { code: 'backend-unavailable', message: `${NAME} cannot run here: this browser or its model does not support the request${detail}.`, retryable: false };
    case 'NotAllowedError':
      return { code: 'backend-unavailable', message: `Chrome did not allow its built-in AI${detail}. It may be turned off by a policy, or its download must be started with a click: open Models and choose Download.`, retryable: true };
    case 'NetworkError':
      return { code: 'backend-unavailable', message: `Chrome could not download its built-in model${detail}. Check the connection and try again.`, retryable: true };
    case 'QuotaExceededError':
      return { code: 'generation-failed', message: `The message is too long for ${NAME}'s context window. Shorten it or start a new chat.`, retryable: false };
    case 'NotReadableError':
      return { code: 'generation-failed', message: `Chrome withheld this reply (its output filter)${detail}.`, retryable: true };
    case 'InvalidStateError':
      return { code: 'not-loaded', message: `${NAME} session ended${detail}; it will start again.`, retryable: true };
    case 'OperationError':
      return { code: 'backend-unavailable', message: `${NAME} could not start${detail}.`, retryable: true };
    default:
      return { code: 'generation-failed', message: `${NAME} failed${detail || (e instanceof Error ? '' : `: ${String(e)}`)}.`, retryable: true };
  }
}
