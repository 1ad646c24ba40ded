// The in-thread engine (transformers.js + onnxruntime-node) on the new catalog models' fixtures
// (tests/fixtures/catalog): Gemma 3, whose chat template is only in chat_template.jinja, loads and
// replies, with two user turns in a row joined as its template requires; Qwen3's prompt opens the
// reply after an empty think block (thinking off). The prompts are the engine's own (returnPrompt).
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createInThreadEngine } from '../../workers/inThreadEngine';
import type { ChatTurn } from '../../src/shared/engine';

const ROOT = resolve(__dirname, '../fixtures/catalog') + '/';

async function prompt(repo: string, dtype: string, turns: ChatTurn[]): Promise<{ prompt: string; completionTokens: number }> {
  const engine = createInThreadEngine();
  try {
    const loaded = await engine.load(repo, { backend: 'auto', modelBaseUrl: ROOT, dtype });
    if (!loaded.ok) throw new Error(`load failed: ${loaded.error.code} ${loaded.error.message}`);
    const out = await engine.generate({ turns, params: { temperature: 0, topP: 1, maxNewTokens: 3 }, returnPrompt: true, ignoreEos: true });
    if (!out.ok) throw new Error(`generate failed: ${out.error.code} ${out.error.message}`);
    return { prompt: out.value.prompt ?? '', completionTokens: out.value.completionTokens };
  } finally {
    await engine.unload();
  }
}

describe('engine on the catalog fixtures', () => {
  it('Gemma 3: template from chat_template.jinja, consecutive user turns joined, a reply', async () => {
    const { prompt: text, completionTokens } = await prompt('onnx-community/gemma-3-270m-it-ONNX', 'q4', [
      { role: 'user', content: 'First' },
      { role: 'user', content: 'Second' },
    ]);
    expect(text).toBe('<bos><start_of_turn>user\nFirst\n\nSecond<end_of_turn>\n<start_of_turn>model\n');
    expect(completionTokens).toBe(3);
  }, 60_000);

  it('Qwen3: the reply starts after an empty think block', async () => {
    const { prompt: text, completionTokens } = await prompt('onnx-community/Qwen3-0.6B-ONNX', 'q8', [{ role: 'user', content: 'Hello!' }]);
    expect(text.endsWith('<|im_start|>assistant\n<think>\n\n</think>\n\n')).toBe(true);
    expect(completionTokens).toBe(3);
  }, 60_000);
});
