// Files in a real prompt: the in-thread engine on the tiny test model (its real tokenizer and
// chat template, context 256) with a document too long for the window: the best passages go,
// the prompt stays within the budget, and the result says what was sent.
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { promptFile } from '../../src/attachments/prepare';
import { createInThreadEngine } from '../../workers/inThreadEngine';
import type { EngineApi } from '../../src/shared/engine';

const MODELS = resolve(__dirname, '../../models') + '/';
const doc = Array.from({ length: 30 }, (_, i) =>
  i === 21 ? 'The spare key to the boathouse hangs behind the blue door.' : `Note ${i}: the garden needs water and the fence needs paint this spring.`,
).join('\n\n');

describe('attached files through the engine (tiny model)', () => {
  let engine: EngineApi;
  let contextLength = 0;
  beforeAll(async () => {
    engine = createInThreadEngine();
    const loaded = await engine.load('hearth-test-tiny', { backend: 'auto', modelBaseUrl: MODELS, warmup: false });
    if (!loaded.ok) throw new Error(loaded.error.message);
    contextLength = loaded.value.contextLength;
  });
  afterAll(() => engine.unload());

  it('sends the most relevant passages that fit and reports them', async () => {
    const question = 'Where is the spare key to the boathouse?';
    const file = promptFile({ id: 'f1', name: 'notes.txt' }, doc, question, contextLength);
    const maxNewTokens = 16;
    const r = await engine.generate({ turns: [{ role: 'user', content: question }], files: [file], returnPrompt: true, params: { temperature: 0, topP: 1, maxNewTokens } });
    if (!r.ok) throw new Error(r.error.message);
    const [usage] = r.value.files!;
    expect(usage).toMatchObject({ id: 'f1', name: 'notes.txt', whole: false, totalPassages: file.totalPassages });
    expect(usage.passages.length).toBeGreaterThan(0);
    expect(usage.passages.length).toBeLessThan(file.totalPassages);
    const prompt = r.value.prompt!;
    expect(prompt).toContain('The spare key to the boathouse hangs behind the blue door.');
    expect(prompt).toContain(`<file name="notes.txt" passages="${usage.passages.length} of ${file.totalPassages}">`);
    expect(prompt).toContain(question);
    expect(r.value.promptTokens).toBeLessThanOrEqual(contextLength - maxNewTokens);
    expect(r.value.droppedTurns).toBe(0);
  });

  it('sends a short file whole, and no usage or prompt unless asked', async () => {
    const file = promptFile({ id: 'f2', name: 'a.txt' }, 'Milk, eggs, bread.', 'list?', contextLength);
    const r = await engine.generate({ turns: [{ role: 'user', content: 'What is on the list?' }], files: [file], params: { temperature: 0, topP: 1, maxNewTokens: 8 } });
    if (!r.ok) throw new Error(r.error.message);
    expect(r.value.files).toEqual([{ id: 'f2', name: 'a.txt', whole: true, passages: [], totalPassages: 1, passageChars: file.passageChars }]);
    expect(r.value.prompt).toBeUndefined();
    const plain = await engine.generate({ turns: [{ role: 'user', content: 'hi' }], params: { temperature: 0, topP: 1, maxNewTokens: 4 } });
    expect(plain.ok && plain.value.files).toBeUndefined();
  });
});
