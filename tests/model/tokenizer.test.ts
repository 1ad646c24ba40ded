// Tokenizer parity: ids written by the Python BPE (scripts/tokenizer/fixture.py) must equal
// transformers.js' encoding of the same strings, and decoding must give the strings back.
import { describe, it, expect, beforeAll } from 'vitest';
import path from 'node:path';
import fs from 'node:fs';
import { env, AutoTokenizer } from '@huggingface/transformers';

const MODELS = path.resolve(__dirname, '../../models');
const FIXTURES = path.resolve(__dirname, 'fixtures');
const MODEL_IDS = ['hearth-test-tiny', 'hearth-chat'];

beforeAll(() => {
  env.localModelPath = MODELS + '/';
  env.allowRemoteModels = false;
});

for (const id of MODEL_IDS) {
  describe(`${id} tokenizer`, () => {
    const fixture = JSON.parse(fs.readFileSync(path.join(FIXTURES, `${id}.tokenizer.json`), 'utf8'));

    it('covers Unicode, emoji, code and the chat template', () => {
      const texts: string[] = fixture.cases.map((c: any) => c.text);
      expect(texts.some((t) => /\p{Extended_Pictographic}/u.test(t))).toBe(true);
      expect(texts.some((t) => t.includes('def ') && t.includes('\n    '))).toBe(true);
      expect(texts.some((t) => t.includes('<|assistant|>'))).toBe(true);
      expect(fixture.cases.length).toBeGreaterThan(20);
    });

    it('encodes exactly like the Python BPE and round-trips', async () => {
      const tok = await AutoTokenizer.from_pretrained(id);
      for (const { text, ids } of fixture.cases) {
        const got = tok.encode(text, { add_special_tokens: false });
        expect(got, JSON.stringify(text)).toEqual(ids);
        if (ids.length) expect(tok.decode(got), JSON.stringify(text)).toBe(text);
      }
    });

    it('renders the chat template to the same ids as Python', async () => {
      const tok = await AutoTokenizer.from_pretrained(id);
      const chat = fixture.cases.find((c: any) => c.text.startsWith('<|system|>'));
      const out = tok.apply_chat_template(
        [{ role: 'system', content: 'You are Hearth.' }, { role: 'user', content: 'Hi 👋' }],
        { add_generation_prompt: true, tokenize: true, return_tensor: false },
      ) as any;
      const ids = Array.isArray(out) ? out : out.input_ids;
      expect(Array.from(ids as number[]).map(Number)).toEqual(chat.ids);
    });
  });
}
