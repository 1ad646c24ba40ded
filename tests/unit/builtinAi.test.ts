// @vitest-environment happy-dom
// Chrome's built-in AI (Prompt API) behind EngineApi, against the documented API's fake
// (tests/fixtures/fakeLanguageModel.ts): the availability probe, load with Chrome's download
// progress, streamed replies with their usage, Stop, the context window (older turns left out,
// an over-long message shortened), Continue, the older API names, errors as data, and the app's
// stores routing the chosen built-in model to it.
import 'fake-indexeddb/auto';
import { createRoot } from 'solid-js';
import { afterEach, describe, expect, it } from 'vitest';
import { BuiltInAiEngine } from '../../src/engine/builtinAiEngine';
import { BUILTIN_AI_MODEL_ID, builtInAiError, languageModelApi, probeBuiltInAi } from '../../src/shared/builtinAi';
import { DEFAULT_GENERATION, type GenerateRequest, type LoadProgress } from '../../src/shared/engine';
import { openStorage } from '../../src/db';
import { createAppStores } from '../../src/stores';
import { installFakeLanguageModel, type FakeLanguageModelConfig } from '../fixtures/fakeLanguageModel';
import { workerEngineStub } from './engineStubs';
import { until } from './until';

const OPTS = { backend: 'auto' as const, modelBaseUrl: '/models/' };
const ask = (content: string, extra: Partial<GenerateRequest> = {}): GenerateRequest => ({ turns: [{ role: 'user', content }], params: DEFAULT_GENERATION, ...extra });

function fake(config: FakeLanguageModelConfig) {
  const control = installFakeLanguageModel(config);
  return { control, engine: new BuiltInAiEngine() };
}

afterEach(() => {
  delete (globalThis as { LanguageModel?: unknown }).LanguageModel;
});

describe('probeBuiltInAi', () => {
  it('reports what Chrome says, and unavailable without the API or when it throws', async () => {
    expect(await probeBuiltInAi()).toBe('unavailable');
    for (const state of ['available', 'downloadable', 'downloading', 'unavailable'] as const) {
      installFakeLanguageModel({ availability: state });
      expect(await probeBuiltInAi()).toBe(state);
    }
    expect(await probeBuiltInAi({ availability: () => Promise.reject(new Error('boom')), create: () => Promise.reject(new Error('no')) })).toBe('unavailable');
  });
});

describe('BuiltInAiEngine', () => {
  it('loads an available model: download 0, then prepare; its context window and backend', async () => {
    const { engine } = fake({ availability: 'available', contextWindow: 2048 });
    const seen: LoadProgress[] = [];
    const out = await engine.load(BUILTIN_AI_MODEL_ID, OPTS, (p) => seen.push(p));
    expect(out).toEqual({ ok: true, value: { modelId: BUILTIN_AI_MODEL_ID, backend: 'browser', dtype: 'gemini-nano', contextLength: 2048, threads: 1 } });
    expect(seen.map((p) => [p.phase, p.progress])).toEqual([['download', 0], ['download', 0], ['prepare', 1]]);
  });

  it('a download needs a click (NotAllowedError as data); with one, Chrome’s progress is the load’s', async () => {
    const { control, engine } = fake({ availability: 'downloadable', downloadSteps: 4 });
    const refused = await engine.load(BUILTIN_AI_MODEL_ID, OPTS);
    expect(refused.ok).toBe(false);
    if (!refused.ok) expect(refused.error).toMatchObject({ code: 'backend-unavailable', retryable: true, message: expect.stringContaining('Download') });
    control.userActivation = true;
    const seen: LoadProgress[] = [];
    expect((await engine.load(BUILTIN_AI_MODEL_ID, OPTS, (p) => seen.push(p))).ok).toBe(true);
    expect(seen.filter((p) => p.phase === 'download').map((p) => p.progress)).toEqual([0, 0, 0.25, 0.5, 0.75]);
    expect(seen.at(-1)).toEqual({ phase: 'prepare', progress: 1 });
    expect(control.state).toBe('available');
  });

  it('no model on this device: a clear error that Retry cannot fix', async () => {
    const { engine } = fake({ availability: 'unavailable' });
    const out = await engine.load(BUILTIN_AI_MODEL_ID, OPTS);
    expect(out.ok).toBe(false);
    if (!out.ok) expect(out.error).toMatchObject({ code: 'backend-unavailable', retryable: false });
    delete (globalThis as { LanguageModel?: unknown }).LanguageModel;
    const none = await new BuiltInAiEngine().load(BUILTIN_AI_MODEL_ID, OPTS);
    expect(none.ok ? null : none.error.code).toBe('backend-unavailable');
  });

  it('streams a reply as deltas, with the history as initialPrompts and Chrome’s usage', async () => {
    const { control, engine } = fake({ availability: 'available' });
    expect(await engine.generate(ask('hi'))).toMatchObject({ ok: false, error: { code: 'not-loaded' } });
    await engine.load(BUILTIN_AI_MODEL_ID, OPTS);
    const pieces: string[] = [];
    const request: GenerateRequest = {
      turns: [
        { role: 'user', content: 'What is tea?' },
        { role: 'assistant', content: 'A drink.' },
        { role: 'user', content: 'How do I make a cup of tea?' },
      ],
      systemPrompt: 'Be brief.',
      params: DEFAULT_GENERATION,
    };
    const out = await engine.generate(request, (p) => pieces.push(p));
    expect(out.ok).toBe(true);
    if (!out.ok) return;
    const text = 'Nano says: How do I make a cup of tea?';
    expect(pieces.length).toBeGreaterThan(3);
    expect(pieces.join('')).toBe(text);
    expect(out.value).toMatchObject({ text, finishReason: 'stop', droppedTurns: 0, truncatedLatest: false, backend: 'browser', modelId: BUILTIN_AI_MODEL_ID });
    expect(control.creates.at(-1)?.initialPrompts).toEqual([
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'What is tea?' },
      { role: 'assistant', content: 'A drink.' },
    ]);
    expect(control.prompts.at(-1)).toEqual([{ role: 'user', content: 'How do I make a cup of tea?' }]);
    // Usage from the session's counters: history + this message, and the reply (fake: 4 chars a token).
    // "Be brief." 3, "What is tea?" 3, "A drink." 2, the question 7, and 4 per message.
    expect(out.value.promptTokens).toBe(3 + 3 + 2 + 7 + 4 * 4);
    expect(out.value.completionTokens).toBe(Math.ceil(text.length / 4));
    // The reply's session is gone; the base session (keeping the model loaded) stays.
    expect(control.destroyed).toBe(1);
  });

  it('Stop aborts the stream: the reply ends interrupted with what came so far', async () => {
    const { engine } = fake({ availability: 'available', reply: 'one two three four five six seven eight nine ten', chunkDelayMs: 20 });
    await engine.load(BUILTIN_AI_MODEL_ID, OPTS);
    const pieces: string[] = [];
    const running = engine.generate(ask('count'), (p) => {
      pieces.push(p);
      if (pieces.length === 2) void engine.interrupt();
    });
    const out = await running;
    expect(out).toMatchObject({ ok: true, value: { finishReason: 'interrupted', text: 'one two ' } });
    expect(pieces).toEqual(['one ', 'two ']);
    // The engine is free again.
    expect((await engine.generate(ask('again'))).ok).toBe(true);
  });

  it('fits the context window: older turns left out, an over-long message shortened', async () => {
    const { control, engine } = fake({ availability: 'available', contextWindow: 300 });
    await engine.load(BUILTIN_AI_MODEL_ID, OPTS);
    const long = 'word '.repeat(60);
    const turns = Array.from({ length: 10 }, (_, i) => ({ role: i % 2 ? ('assistant' as const) : ('user' as const), content: `${i}: ${long}` }));
    const out = await engine.generate({ turns: [...turns, { role: 'user', content: 'last question, please answer it' }], params: { ...DEFAULT_GENERATION, maxNewTokens: 50 } });
    expect(out.ok).toBe(true);
    if (!out.ok) return;
    expect(out.value.droppedTurns).toBeGreaterThan(0);
    expect(out.value.truncatedLatest).toBe(false);
    expect(control.creates.at(-1)!.initialPrompts.length).toBe(10 - out.value.droppedTurns);
    expect(out.value.text).toBe('Nano says: last question, please answer it');

    const huge = await engine.generate({ ...ask(`${'x'.repeat(4000)} the end`), params: { ...DEFAULT_GENERATION, maxNewTokens: 50 } });
    expect(huge.ok).toBe(true);
    if (huge.ok) expect(huge.value.truncatedLatest).toBe(true);
    expect(String((control.prompts.at(-1)![0] as { content: string }).content)).toMatch(/the end$/);
  });

  it('ends at the length limit (estimated) so Continue can go on with a prefix message', async () => {
    const { control, engine } = fake({ availability: 'available', reply: 'a'.repeat(40) + ' ' + 'b'.repeat(40) + ' ' + 'c'.repeat(40) });
    await engine.load(BUILTIN_AI_MODEL_ID, OPTS);
    const cut = await engine.generate({ ...ask('long please'), params: { ...DEFAULT_GENERATION, maxNewTokens: 15 } });
    expect(cut).toMatchObject({ ok: true, value: { finishReason: 'length' } });
    const more = await engine.generate(ask('long please', { continueFrom: 'aaaa' }));
    expect(more).toMatchObject({ ok: true, value: { text: ' and more.', finishReason: 'stop' } });
    expect(control.prompts.at(-1)).toEqual([{ role: 'user', content: 'long please' }, { role: 'assistant', content: 'aaaa', prefix: true }]);
  });

  it('works with the older names (inputQuota, inputUsage, measureInputUsage)', async () => {
    const { engine } = fake({ availability: 'available', legacyNames: true, contextWindow: 777 });
    const loaded = await engine.load(BUILTIN_AI_MODEL_ID, OPTS);
    expect(loaded.ok && loaded.value.contextLength).toBe(777);
    const out = await engine.generate(ask('old names'));
    expect(out.ok && out.value.promptTokens).toBe(Math.ceil('old names'.length / 4) + 4);
  });

  it('sets temperature and topK only where Chrome takes them (params() exists), clamped', async () => {
    const { control, engine } = fake({ availability: 'available', params: true });
    await engine.load(BUILTIN_AI_MODEL_ID, OPTS);
    await engine.generate({ ...ask('warm'), params: { ...DEFAULT_GENERATION, temperature: 5 } });
    expect(control.creates.at(-1)).toMatchObject({ temperature: 2, topK: 3 });
    const web = fake({ availability: 'available' });
    await web.engine.load(BUILTIN_AI_MODEL_ID, OPTS);
    await web.engine.generate(ask('web page'));
    expect(web.control.creates.at(-1)).toMatchObject({ temperature: undefined, topK: undefined });
  });

  it('unload destroys the session: a running reply ends, the next one says not loaded', async () => {
    const { engine } = fake({ availability: 'available', reply: 'a b c d e f g h', chunkDelayMs: 20 });
    await engine.load(BUILTIN_AI_MODEL_ID, OPTS);
    const running = engine.generate(ask('go'), () => void engine.unload());
    expect(await running).toMatchObject({ ok: true, value: { finishReason: 'interrupted' } });
    expect(await engine.generate(ask('again'))).toMatchObject({ ok: false, error: { code: 'not-loaded' } });
  });
});

describe('builtInAiError', () => {
  it('turns each documented DOMException into an EngineError that says what to do', () => {
    const cases: Array<[string, string, boolean]> = [
      ['NotSupportedError', 'backend-unavailable', false],
      ['NotAllowedError', 'backend-unavailable', true],
      ['NetworkError', 'backend-unavailable', true],
      ['QuotaExceededError', 'generation-failed', false],
      ['NotReadableError', 'generation-failed', true],
      ['InvalidStateError', 'not-loaded', true],
      ['UnknownError', 'generation-failed', true],
    ];
    for (const [name, code, retryable] of cases) {
      const err = builtInAiError(new DOMException('detail', name));
      expect(err).toMatchObject({ code, retryable });
      expect(err.message.length).toBeGreaterThan(20);
    }
    expect(builtInAiError('odd').message).toContain('odd');
  });
});

describe('the app with Chrome’s built-in AI', () => {
  let cleanup: (() => void) | null = null;
  afterEach(() => cleanup?.());

  it('offers it where Chrome has it; Download (a click) then Use; replies come from it, labelled', async () => {
    const control = installFakeLanguageModel({ availability: 'downloadable' });
    const loads: string[] = [];
    const worker = workerEngineStub(loads);
    history.replaceState(null, '', '/');
    const stores = createRoot((dispose) => {
      cleanup = dispose;
      return createAppStores({ storage: openStorage(`builtin-${Date.now()}`), engine: worker, url: {}, locks: null, languageModel: languageModelApi });
    });
    const { models, engine, chat } = stores;
    await models.ready;
    expect(models.builtIn.status()).toBe('downloadable');
    control.userActivation = true;
    expect(await models.builtIn.start()).toBe(true);
    expect(models.builtIn.status()).toBe('available');
    await models.use(BUILTIN_AI_MODEL_ID);
    await until(() => engine.state() === 'ready');
    expect(engine.info()).toMatchObject({ modelId: BUILTIN_AI_MODEL_ID, backend: 'browser' });
    expect(loads).toEqual([]);
    await chat.send('Hello Nano');
    await until(() => chat.path()[1]?.status === 'complete');
    expect(chat.path()[1].content).toBe('Nano says: Hello Nano');
    expect(chat.path()[1].metadata).toMatchObject({ modelId: BUILTIN_AI_MODEL_ID, backend: 'browser' });
    // Back to a Hearth model: the worker engine loads it.
    await models.use('hearth-chat');
    await until(() => engine.state() === 'ready' && loads.length === 1);
    expect(engine.info()?.backend).toBe('wasm');
  });
});
