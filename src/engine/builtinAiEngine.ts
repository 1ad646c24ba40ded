// EngineApi on Chrome's Prompt API (src/shared/builtinAi.ts), on the page: the API is not in
// workers. load() creates a base session (which has Chrome download the model if needed, with
// its progress as the load's 'download' phase) and keeps it alive so Chrome keeps the model in
// memory. Each reply gets its own session: the history (planned by src/shared/prompt.ts to fit
// the session's context window) goes in as initialPrompts, the newest turn is streamed with
// promptStreaming() (chunks are deltas), interrupt() aborts it, and the usage comes from the
// session's own counters. Failures return as EngineErrors, never thrown.
import {
  BUILTIN_AI_MODEL_ID,
  BUILTIN_AI_OPTIONS,
  builtInAiError,
  isAbort,
  isQuotaExceeded,
  languageModelApi,
  watchDownload,
  type LanguageModelMessage,
  type LanguageModelSession,
  type LanguageModelStatic,
} from '../shared/builtinAi';
import { fail, ok, type Capabilities, type ChatTurn, type EngineApi, type GenerateRequest, type GenerateResult, type LoadOptions, type LoadProgress, type ModelInfo, type Outcome } from '../shared/engine';
import { planPrompt } from '../shared/prompt';
import { capabilitiesOf, probeWebGpu } from '../shared/capabilities';

/** A context window reported as unbounded (the spec allows +Infinity) is planned as this. */
const MAX_PLANNED_WINDOW = 131_072;
/** Tokens a message costs beyond its text (role and control tokens), estimated. */
const MESSAGE_OVERHEAD = 4;
/** Estimated counts are raised by this much, so a plan rarely overshoots the real count. */
const SAFETY = 1.1;

const contextWindowOf = (s: LanguageModelSession) => s.contextWindow ?? s.inputQuota ?? 0;
const contextUsageOf = (s: LanguageModelSession) => s.contextUsage ?? s.inputUsage ?? 0;
function measure(s: LanguageModelSession, input: string | LanguageModelMessage[], signal?: AbortSignal): Promise<number> {
  if (s.measureContextUsage) return s.measureContextUsage(input, { signal });
  if (s.measureInputUsage) return s.measureInputUsage(input, { signal });
  return Promise.reject(new DOMException('This browser cannot measure context usage.', 'NotSupportedError'));
}

export class BuiltInAiEngine implements EngineApi {
  private base: LanguageModelSession | null = null;
  private window = 0;
  private loading: AbortController | null = null;
  private replying: AbortController | null = null;

  constructor(private readonly api: () => LanguageModelStatic | null = languageModelApi) {}

  async capabilities(): Promise<Capabilities> {
    return capabilitiesOf(await probeWebGpu());
  }

  async load(_modelId: string, _options: LoadOptions, onProgress?: (p: LoadProgress) => void): Promise<Outcome<ModelInfo>> {
    const api = this.api();
    if (!api) return fail('backend-unavailable', 'This browser has no built-in AI (Chrome’s Prompt API). Choose another model in Models.', false);
    await this.unload();
    const ctrl = new AbortController();
    this.loading = ctrl;
    try {
      if ((await api.availability(BUILTIN_AI_OPTIONS)) === 'unavailable') {
        return fail('backend-unavailable', 'Chrome’s built-in AI is not available on this device. Choose another model in Models.', false);
      }
      onProgress?.({ phase: 'download', progress: 0 });
      const session = await api.create({
        ...BUILTIN_AI_OPTIONS,
        signal: ctrl.signal,
        // Chrome reports the download as 0..1; once it is in, Chrome loads the model ("prepare").
        monitor: (m) => watchDownload(m, (loaded) => onProgress?.({ phase: loaded >= 1 ? 'prepare' : 'download', progress: loaded })),
      });
      if (ctrl.signal.aborted) {
        session.destroy();
        return fail('not-loaded', 'The load was cancelled.', true);
      }
      this.base = session;
      const reported = contextWindowOf(session);
      this.window = Number.isFinite(reported) && reported > 0 ? Math.min(reported, MAX_PLANNED_WINDOW) : MAX_PLANNED_WINDOW;
      return ok({ modelId: BUILTIN_AI_MODEL_ID, backend: 'browser', dtype: 'gemini-nano', contextLength: this.window, threads: 1 });
    } catch (e) {
      return { ok: false, error: isAbort(e) ? { code: 'not-loaded', message: 'The load was cancelled.', retryable: true } : builtInAiError(e) };
    } finally {
      if (this.loading === ctrl) this.loading = null;
    }
  }

  async generate(request: GenerateRequest, onToken?: (piece: string) => void): Promise<Outcome<GenerateResult>> {
    const api = this.api();
    const base = this.base;
    if (!api || !base) return fail('not-loaded', 'Chrome’s built-in AI is not loaded.', true);
    if (this.replying) return fail('busy', 'A reply is being generated.', true);
    const ctrl = new AbortController();
    this.replying = ctrl;
    const started = performance.now();
    try {
      const ratio = await this.tokensPerChar(base, request.turns.at(-1)?.content ?? '', ctrl.signal);
      const estimate = (messages: ChatTurn[]) => Math.ceil(messages.reduce((n, m) => n + m.content.length * ratio + MESSAGE_OVERHEAD, 0) * SAFETY);
      let contextLength = this.window;
      // The estimate is checked against Chrome's own count; a plan that does not fit is made smaller.
      for (let attempt = 0; attempt < 4; attempt++) {
        const plan = planPrompt({
          turns: request.turns,
          files: request.files,
          systemPrompt: request.systemPrompt,
          contextLength,
          maxNewTokens: request.params.maxNewTokens,
          countTokens: estimate,
          clipText: (text, n, from) => {
            const chars = Math.max(0, Math.floor(n / (ratio * SAFETY)));
            return from === 'start' ? text.slice(0, chars) : text.slice(Math.max(0, text.length - chars));
          },
        });
        const history = plan.messages.slice(0, -1);
        const input: LanguageModelMessage[] = [plan.messages[plan.messages.length - 1]];
        if (request.continueFrom) input.push({ role: 'assistant', content: request.continueFrom, prefix: true });
        const session = await this.session(api, history, request, ctrl.signal).catch((e: unknown) => {
          if (isQuotaExceeded(e)) return null;
          throw e;
        });
        if (!session) {
          contextLength = Math.floor(contextLength * 0.7);
          continue;
        }
        try {
          const before = contextUsageOf(session);
          const need = await measure(session, input, ctrl.signal);
          if (need + Math.min(plan.maxNewTokens, contextWindowOf(session) / 4) > contextWindowOf(session) - before && attempt < 3) {
            contextLength = Math.floor(contextLength * 0.7);
            continue;
          }
          const reply = await this.stream(session, input, Math.max(1, plan.maxNewTokens), ratio, ctrl, onToken);
          const after = contextUsageOf(session);
          const completionTokens = after > before + need ? after - before - need : Math.ceil(reply.text.length * ratio);
          const decodeSeconds = reply.firstAt ? (performance.now() - reply.firstAt) / 1000 : 0;
          return ok({
            text: reply.text,
            finishReason: reply.reason,
            promptTokens: before + need,
            completionTokens,
            tokensPerSecond: decodeSeconds > 0 && completionTokens > 1 ? (completionTokens - 1) / decodeSeconds : 0,
            ...(reply.firstAt ? { firstTokenMs: reply.firstAt - started } : {}),
            droppedTurns: plan.droppedTurns,
            truncatedLatest: plan.truncatedLatest,
            backend: 'browser',
            modelId: BUILTIN_AI_MODEL_ID,
            ...(request.files?.length ? { files: plan.files } : {}),
            ...(request.returnPrompt ? { prompt: JSON.stringify([...history, ...input], null, 1) } : {}),
          });
        } finally {
          session.destroy();
        }
      }
      return { ok: false, error: builtInAiError(new DOMException('too long', 'QuotaExceededError')) };
    } catch (e) {
      if (isAbort(e) || ctrl.signal.aborted) {
        return ok({ text: '', finishReason: 'interrupted', promptTokens: 0, completionTokens: 0, tokensPerSecond: 0, droppedTurns: 0, truncatedLatest: false, backend: 'browser', modelId: BUILTIN_AI_MODEL_ID });
      }
      return { ok: false, error: builtInAiError(e) };
    } finally {
      if (this.replying === ctrl) this.replying = null;
    }
  }

  /** A session holding the history; sampling is set only where the API still takes it (extensions). */
  private async session(api: LanguageModelStatic, history: ChatTurn[], request: GenerateRequest, signal: AbortSignal): Promise<LanguageModelSession> {
    const params = await api.params?.().catch(() => null);
    const sampling = params
      ? { temperature: Math.min(Math.max(0, request.params.temperature), params.maxTemperature), topK: params.defaultTopK }
      : {};
    return api.create({ ...BUILTIN_AI_OPTIONS, ...sampling, initialPrompts: history, signal });
  }

  /** Reads the reply's deltas; ends at the length limit (estimated) or when aborted. */
  private async stream(session: LanguageModelSession, input: LanguageModelMessage[], maxTokens: number, ratio: number, ctrl: AbortController, onToken?: (piece: string) => void) {
    const reader = session.promptStreaming(input, { signal: ctrl.signal }).getReader();
    let text = '';
    let firstAt: number | undefined;
    let reason: GenerateResult['finishReason'] = 'stop';
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        const piece = String(value ?? '');
        if (!piece) continue;
        firstAt ??= performance.now();
        text += piece;
        onToken?.(piece);
        if (text.length * ratio >= maxTokens) {
          reason = 'length';
          void reader.cancel().catch(() => undefined);
          break;
        }
      }
    } catch (e) {
      if (!isAbort(e) && !ctrl.signal.aborted) throw e;
      reason = 'interrupted';
    } finally {
      reader.releaseLock();
    }
    return { text, firstAt, reason };
  }

  /** Tokens per character of this text, measured by Chrome (rough default if it cannot say). */
  private async tokensPerChar(base: LanguageModelSession, text: string, signal: AbortSignal): Promise<number> {
    const sample = text.slice(0, 4000);
    if (sample.length < 20) return 0.3;
    const tokens = await measure(base, sample, signal).catch((e: unknown) => {
      if (isAbort(e)) throw e;
      return NaN;
    });
    return Number.isFinite(tokens) ? Math.min(1.5, Math.max(0.1, (tokens - MESSAGE_OVERHEAD) / sample.length)) : 0.3;
  }

  async interrupt(): Promise<void> {
    this.replying?.abort();
  }

  async unload(): Promise<void> {
    this.loading?.abort();
    this.replying?.abort();
    this.base?.destroy();
    this.base = null;
  }
}
