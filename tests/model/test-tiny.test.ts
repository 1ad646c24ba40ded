// Loads models/hearth-test-tiny through transformers.js in Node (no remote models),
// applies the chat template and decodes greedily with the KV cache for fp32 and q8.
import { describe, it, expect, beforeAll } from 'vitest';
import path from 'node:path';
import fs from 'node:fs';
import { env, AutoTokenizer, AutoModelForCausalLM, Tensor } from '@huggingface/transformers';

const MODELS = path.resolve(__dirname, '../../models');
const ID = 'hearth-test-tiny';

beforeAll(() => {
  env.localModelPath = MODELS + '/';
  env.allowRemoteModels = false;
  env.allowLocalModels = true;
});

describe('hearth-test-tiny', () => {
  it('has the contract files, specials and generation config', () => {
    const dir = path.join(MODELS, ID);
    for (const f of ['config.json', 'generation_config.json', 'tokenizer.json', 'tokenizer_config.json',
      'onnx/model.onnx', 'onnx/model_quantized.onnx']) {
      expect(fs.existsSync(path.join(dir, f)), f).toBe(true);
    }
    const cfg = JSON.parse(fs.readFileSync(path.join(dir, 'config.json'), 'utf8'));
    expect(cfg.model_type).toBe('gpt2');
    expect(cfg.n_positions).toBeGreaterThan(0);
    expect(cfg.max_position_embeddings).toBe(cfg.n_positions);
    const tj = JSON.parse(fs.readFileSync(path.join(dir, 'tokenizer.json'), 'utf8'));
    const specials = Object.fromEntries(tj.added_tokens.map((t: any) => [t.content, t.id]));
    expect(specials['<|endoftext|>']).toBe(0);
    for (const s of ['<|system|>', '<|user|>', '<|assistant|>', '<|end|>']) expect(specials[s]).toBeTypeOf('number');
    const gen = JSON.parse(fs.readFileSync(path.join(dir, 'generation_config.json'), 'utf8'));
    expect(gen.eos_token_id).toEqual([specials['<|end|>'], 0]);
    expect(gen.bos_token_id).toBe(0);
    expect(gen.pad_token_id).toBe(0);
    let total = 0;
    const walk = (d: string) => { for (const e of fs.readdirSync(d, { withFileTypes: true })) { const p = path.join(d, e.name); if (e.isDirectory()) walk(p); else total += fs.statSync(p).size; } };
    walk(dir);
    expect(total).toBeLessThan(2 * 1024 * 1024);
  });

  it('applies the chat template exactly', async () => {
    const tok = await AutoTokenizer.from_pretrained(ID);
    const messages = [
      { role: 'system', content: 'Be kind.' },
      { role: 'user', content: 'Hi there' },
      { role: 'assistant', content: 'Hello!' },
      { role: 'user', content: 'How are you?' },
    ];
    const text = tok.apply_chat_template(messages, { add_generation_prompt: true, tokenize: false });
    expect(text).toBe('<|system|>\nBe kind.<|end|>\n<|user|>\nHi there<|end|>\n<|assistant|>\nHello!<|end|>\n<|user|>\nHow are you?<|end|>\n<|assistant|>\n');
    const ids = tok.encode(text);
    const tj = JSON.parse(fs.readFileSync(path.join(MODELS, ID, 'tokenizer.json'), 'utf8'));
    const sys = tj.added_tokens.find((t: any) => t.content === '<|system|>').id;
    const end = tj.added_tokens.find((t: any) => t.content === '<|end|>').id;
    expect(ids[0]).toBe(sys);
    expect(ids.filter((i: number) => i === end).length).toBe(4);
    expect(tok.decode(ids)).toBe(text);
  });

  for (const dtype of ['fp32', 'q8'] as const) {
    it(`generates greedily with the KV cache (${dtype})`, async () => {
      const tok = await AutoTokenizer.from_pretrained(ID);
      const model = await AutoModelForCausalLM.from_pretrained(ID, { dtype });
      const inputs = tok.apply_chat_template([{ role: 'user', content: 'Hello! What do you like to do?' }],
        { add_generation_prompt: true, return_dict: true }) as any;
      const promptLen = inputs.input_ids.dims[1];
      const out = (await model.generate({ ...inputs, max_new_tokens: 12, do_sample: false,
        return_dict_in_generate: true })) as any;
      const seq = out.sequences.tolist()[0].map(Number);
      const newIds = seq.slice(promptLen);
      expect(newIds.length).toBeGreaterThan(1);
      // past_key_values were produced and grew with every decoded token
      const pkv = out.past_key_values;
      expect(pkv).toBeTruthy();
      const k0 = pkv['past_key_values.0.key'];
      expect(k0.dims[2]).toBe(seq.length - 1);
      // fp32: cached multi-step decoding equals recomputing the sequence without cache.
      // q8 quantizes activations per tensor at run time, so only the prefill step is comparable.
      const L = dtype === 'fp32' ? seq.length - 1 : promptLen;
      const input_ids = new Tensor('int64', BigInt64Array.from(seq.slice(0, L).map(BigInt)), [1, L]);
      const attention_mask = new Tensor('int64', new BigInt64Array(L).fill(1n), [1, L]);
      const { logits } = (await model({ input_ids, attention_mask })) as any;
      const V = logits.dims[2];
      const data = logits.data as Float32Array;
      for (let i = promptLen - 1; i < L; i++) {
        let best = 0;
        for (let v = 1; v < V; v++) if (data[i * V + v] > data[i * V + best]) best = v;
        expect(best, `position ${i}`).toBe(seq[i + 1]);
      }
      const text = tok.decode(newIds, { skip_special_tokens: true });
      expect(text.trim().length).toBeGreaterThan(0);
      await model.dispose();
    });
  }
});
