// workers/chatTemplate.ts on the real chat templates of the catalog's models (their fixtures in
// tests/fixtures/catalog, loaded with transformers.js's AutoTokenizer): Qwen3 answers without a
// thinking pass, Gemma 3's template comes from chat_template.jinja and gets alternating roles.
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { AutoTokenizer, env } from '@huggingface/transformers';
import { alternating, applyChat, ensureChatTemplate } from '../../workers/chatTemplate';

const ROOT = resolve(__dirname, '../fixtures/catalog');
const reader = (repo: string) => async (file: string) => {
  const path = join(ROOT, repo, file);
  return existsSync(path) ? readFileSync(path, 'utf8') : null;
};

/* eslint-disable @typescript-eslint/no-explicit-any */
async function tokenizer(repo: string): Promise<any> {
  const tok: any = await AutoTokenizer.from_pretrained(repo);
  await ensureChatTemplate(tok, reader(repo));
  return tok;
}

beforeAll(() => {
  env.localModelPath = ROOT + '/';
  env.allowRemoteModels = false;
  env.allowLocalModels = true;
});

describe('chat templates', () => {
  it('Qwen3: the reply opens after an empty think block (thinking off)', async () => {
    const tok = await tokenizer('onnx-community/Qwen3-0.6B-ONNX');
    const text = applyChat(tok, [{ role: 'user', content: 'Hello!' }], { tokenize: false });
    expect(text).toBe('<|im_start|>user\nHello!<|im_end|>\n<|im_start|>assistant\n<think>\n\n</think>\n\n');
    // An earlier reply's thinking is not sent back (the template keeps only its answer).
    const again = applyChat(
      tok,
      [
        { role: 'user', content: 'Hi' },
        { role: 'assistant', content: '<think>\nhmm\n</think>\n\nHello.' },
        { role: 'user', content: 'Bye' },
      ],
      { tokenize: false },
    );
    expect(again).toContain('<|im_start|>assistant\nHello.<|im_end|>');
    expect(again).not.toContain('hmm');
  });

  it('Gemma 3: reads chat_template.jinja when tokenizer_config.json has no template', async () => {
    const bare: any = await AutoTokenizer.from_pretrained('onnx-community/gemma-3-270m-it-ONNX');
    expect(bare.chat_template).toBeNull();
    const tok = await tokenizer('onnx-community/gemma-3-270m-it-ONNX');
    const text = applyChat(tok, [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'Hello!' }], { tokenize: false });
    expect(text).toBe('<bos><start_of_turn>user\nBe brief.\n\nHello!<end_of_turn>\n<start_of_turn>model\n');
  });

  it('Gemma 3: two user turns in a row become one, which its template requires', async () => {
    const tok = await tokenizer('onnx-community/gemma-3-1b-it-ONNX');
    const turns = [
      { role: 'user' as const, content: 'First' },
      { role: 'user' as const, content: 'Second' },
    ];
    expect(() => tok.apply_chat_template(turns, { tokenize: false, add_generation_prompt: true })).toThrow(/alternate/);
    expect(applyChat(tok, turns, { tokenize: false })).toBe('<bos><start_of_turn>user\nFirst\n\nSecond<end_of_turn>\n<start_of_turn>model\n');
  });

  it('keeps a template that tokenizer_config.json has, and leaves a model with none as it is', async () => {
    const tok: any = await AutoTokenizer.from_pretrained('onnx-community/Qwen2.5-0.5B-Instruct');
    const before = tok.chat_template;
    let asked = 0;
    await ensureChatTemplate(tok, async () => {
      asked++;
      return 'other';
    });
    expect(asked).toBe(0);
    expect(tok.chat_template).toBe(before);
    const none: any = { chat_template: null };
    await ensureChatTemplate(none, async () => null);
    expect(none.chat_template).toBeNull();
  });

  it('alternating joins only neighbours of one role', () => {
    expect(
      alternating([
        { role: 'system', content: 's' },
        { role: 'user', content: 'a' },
        { role: 'user', content: 'b' },
        { role: 'assistant', content: 'c' },
        { role: 'user', content: 'd' },
      ]),
    ).toEqual([
      { role: 'system', content: 's' },
      { role: 'user', content: 'a\n\nb' },
      { role: 'assistant', content: 'c' },
      { role: 'user', content: 'd' },
    ]);
  });
});
