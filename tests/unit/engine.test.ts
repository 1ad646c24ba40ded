// The in-thread engine on the real tiny test model (transformers.js + onnxruntime-node):
// loading, streaming, greedy determinism, seeded sampling at temperature 1, interrupt, context
// cutting, load failures as data, and the reply rules of a model's generation_config.json
// (guidance). Each test loads its own engine: no KV cache or state carries over between tests.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createInThreadEngine } from '../../workers/inThreadEngine';
import type { EngineApi, GenerateRequest, LoadProgress } from '../../src/shared/engine';

const MODELS = resolve(__dirname, '../../models') + '/';
const MODEL = 'hearth-test-tiny';
/** The tiny model's context window (config.json n_positions). */
const CONTEXT = 256;
const greedy = (content: string, maxNewTokens = 24): GenerateRequest => ({
  turns: [{ role: 'user', content }],
  params: { temperature: 0, topP: 1, maxNewTokens },
});

describe('TransformersEngine (in-thread, Node)', () => {
  let engine: EngineApi;
  const progress: LoadProgress[] = [];

  beforeEach(async () => {
    progress.length = 0;
    engine = createInThreadEngine();
    const loaded = await engine.load(MODEL, { backend: 'auto', modelBaseUrl: MODELS }, (p) => progress.push(p));
    if (!loaded.ok) throw new Error(`load failed: ${loaded.error.code} ${loaded.error.message}`);
    expect(loaded.value).toMatchObject({ modelId: MODEL, backend: 'cpu', dtype: 'q8' });
    expect(loaded.value.contextLength).toBe(CONTEXT);
  });
  afterEach(() => engine.unload());

  it('reports load progress ending in warm-up', () => {
    expect(progress.length).toBeGreaterThan(0);
    expect(progress.at(-1)?.phase).toBe('warmup');
    // After the download it says the session is being prepared, and never goes back to "download".
    const phases = progress.map((p) => p.phase).filter((p, i, all) => p !== all[i - 1]);
    expect(phases).toEqual(['download', 'prepare', 'warmup']);
  });

  it('streams pieces that add up to the final text, greedily and reproducibly', async () => {
    const pieces: string[] = [];
    const a = await engine.generate(greedy('Hello, how are you today?'), (p) => pieces.push(p));
    if (!a.ok) throw new Error(a.error.message);
    expect(a.value.completionTokens).toBeGreaterThan(0);
    expect(a.value.text.trim().length).toBeGreaterThan(0);
    expect(pieces.length).toBeGreaterThan(1);
    expect(pieces.join('').trim()).toBe(a.value.text.trim());
    expect(['stop', 'length']).toContain(a.value.finishReason);
    expect(a.value.promptTokens).toBeGreaterThan(5);
    const b = await engine.generate(greedy('Hello, how are you today?'));
    expect(b.ok && b.value.text).toBe(a.value.text);
  });

  it('samples at temperature 1: seeds give different well-formed replies, a seed repeats its reply; temperature 0 repeats itself', async () => {
    const turns = [{ role: 'user' as const, content: 'Tell me about your favourite place to walk.' }];
    const MAX = 24;
    const run = async (temperature: number, seed?: number) => {
      const pieces: string[] = [];
      const res = await engine.generate({ turns, params: { temperature, topP: 1, maxNewTokens: MAX }, seed }, (p) => pieces.push(p));
      if (!res.ok) throw new Error(res.error.message);
      return { ...res.value, streamed: pieces.join('') };
    };
    const sampled = [];
    for (let seed = 1; seed <= 6; seed++) sampled.push(await run(1, seed));
    for (const r of sampled) {
      expect(r.completionTokens).toBeGreaterThan(0);
      expect(r.completionTokens).toBeLessThanOrEqual(MAX);
      expect(['stop', 'length']).toContain(r.finishReason);
      expect(r.streamed).toBe(r.text);
      // Text only: no chat-template markers, no broken UTF-8 (U+FFFD), no control characters.
      expect(r.text).not.toMatch(/<\|(?:user|assistant|system|end|endoftext)\|>/);
      expect(r.text).not.toMatch(/[\uFFFD\u0000-\u0008\u000B\u000C\u000E-\u001F]/);
    }
    expect(new Set(sampled.map((r) => r.text)).size).toBeGreaterThan(2);
    expect((await run(1, 3)).text).toBe(sampled[2].text);
    const [a, b] = [await run(0), await run(0)];
    expect(a.text).not.toBe('');
    expect(b.text).toBe(a.text);
    expect(b.completionTokens).toBe(a.completionTokens);
  });

  it('continues a reply cut at the length limit where it stopped (greedy: the same as one longer reply)', async () => {
    const prompt = 'Tell me a long story about the sea.';
    const whole = await engine.generate(greedy(prompt, 8));
    const head = await engine.generate(greedy(prompt, 3));
    if (!whole.ok || !head.ok) throw new Error('generate failed');
    expect(head.value.finishReason).toBe('length');
    const pieces: string[] = [];
    const tail = await engine.generate({ ...greedy(prompt, 5), continueFrom: head.value.text }, (p) => pieces.push(p));
    if (!tail.ok) throw new Error(tail.error.message);
    expect(tail.value.completionTokens).toBeGreaterThan(0);
    expect(pieces.join('')).toBe(tail.value.text);
    expect(head.value.text + tail.value.text).toBe(whole.value.text);
    expect(tail.value.promptTokens).toBeGreaterThan(head.value.promptTokens);
  });

  it('refuses a second generate while one runs, and stops on interrupt', async () => {
    let pieces = 0;
    const running = engine.generate(greedy('Tell me a long story about the sea.', 2000), () => {
      // Text arrives in batches (one per ~40 ms), so stop at the first one.
      pieces++;
      if (pieces === 1) void engine.interrupt();
    });
    const second = await engine.generate(greedy('hi'));
    expect(second).toMatchObject({ ok: false, error: { code: 'busy', retryable: true } });
    const res = await running;
    if (!res.ok) throw new Error(res.error.message);
    expect(res.value.finishReason).toBe('interrupted');
    expect(res.value.completionTokens).toBeLessThan(20);
    // The engine is usable again after an interrupt.
    const after = await engine.generate(greedy('hi', 4));
    expect(after.ok).toBe(true);
  });

  it('cuts a 100 kB message to the context window and says so', async () => {
    const huge = 'The quick brown fox jumps over the lazy dog. '.repeat(2300);
    const res = await engine.generate({
      turns: [
        { role: 'user', content: 'an old question' },
        { role: 'assistant', content: 'an old answer' },
        { role: 'user', content: huge },
      ],
      systemPrompt: 'You are Hearth.',
      params: { temperature: 0, topP: 1, maxNewTokens: 16 },
    });
    if (!res.ok) throw new Error(res.error.message);
    expect(res.value.truncatedLatest).toBe(true);
    expect(res.value.droppedTurns).toBe(2);
    expect(res.value.promptTokens + res.value.completionTokens).toBeLessThanOrEqual(CONTEXT);
  });

  it('reports a missing model as data', async () => {
    const other = createInThreadEngine();
    const res = await other.load('does-not-exist', { backend: 'auto', modelBaseUrl: MODELS, warmup: false });
    expect(res).toMatchObject({ ok: false, error: { code: 'model-not-found', retryable: true } });
    expect(typeof (res as { error: { message: string } }).error.message).toBe('string');
    expect(await other.generate(greedy('hi'))).toMatchObject({ ok: false, error: { code: 'not-loaded' } });
  });

  it("decodes with the guidance scale of the model's generation_config.json", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hearth-guided-'));
    const other = createInThreadEngine();
    const plainEngine = createInThreadEngine();
    try {
      cpSync(join(MODELS, MODEL), join(dir, MODEL), { recursive: true });
      const gen = join(dir, MODEL, 'generation_config.json');
      writeFileSync(gen, JSON.stringify({ ...JSON.parse(readFileSync(gen, 'utf8')), hearth_guidance_scale: 2.5 }));
      // fp32: with int8 weights a reused KV cache can differ from a fresh prefill in the last bits
      // (docs/architecture.md), and guidance magnifies differences.
      const loaded = await other.load(MODEL, { backend: 'auto', modelBaseUrl: dir + '/', warmup: false, dtype: 'fp32' });
      if (!loaded.ok) throw new Error(loaded.error.message);
      const plainLoaded = await plainEngine.load(MODEL, { backend: 'auto', modelBaseUrl: MODELS, warmup: false, dtype: 'fp32' });
      if (!plainLoaded.ok) throw new Error(plainLoaded.error.message);
      const ask = greedy('Tell me about the garden behind the old house, please.', 32);
      const plain = await plainEngine.generate(ask);
      const guided = await other.generate(ask);
      if (!plain.ok || !guided.ok) throw new Error('generate failed');
      expect(guided.value.text).not.toBe(plain.value.text);
      // Greedy with guidance is reproducible, also when the second reply reuses both KV caches.
      const again = await other.generate(ask);
      expect(again.ok && again.value.text).toBe(guided.value.text);
      expect(again.ok && again.value.reusedTokens).toBeGreaterThan(0);
    } finally {
      await other.unload();
      await plainEngine.unload();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reports a corrupt ONNX file as data', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hearth-corrupt-'));
    try {
      cpSync(join(MODELS, MODEL), join(dir, MODEL), { recursive: true });
      writeFileSync(join(dir, MODEL, 'onnx', 'model_quantized.onnx'), Buffer.from('this is not a protobuf at all'));
      const other = createInThreadEngine();
      const res = await other.load(MODEL, { backend: 'auto', modelBaseUrl: dir + '/', warmup: false });
      expect(res).toMatchObject({ ok: false, error: { code: 'model-corrupt', retryable: false } });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
