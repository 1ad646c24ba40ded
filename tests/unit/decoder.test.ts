// Hearth's decode loop (workers/decoder.ts) against transformers.js's generate() on real models in
// Node (onnxruntime-node): the GPT-2-layout test model and a tiny Llama-layout model (random
// weights, grouped-query attention, rotary positions; tests/fixtures/tiny-llama, made by
// scripts/bench/make_llama.py --shape tiny). Same greedy tokens, with and without the 4-gram
// guard; stop mid-reply; a KV cache reused across turns gives the fresh prompt's reply; sampling;
// classifier-free guidance against both prompts recomputed from scratch at every step.
import { resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { AutoModelForCausalLM, AutoTokenizer, Tensor, env } from '@huggingface/transformers';
import { KvDecoder, isDecoderSession, type OrtTensor } from '../../workers/decoder';
import { guide, penalizeRepeats } from '../../workers/sampling';

const MODELS = [
  { id: 'hearth-test-tiny', root: resolve(__dirname, '../../models') + '/' },
  { id: 'tiny-llama', root: resolve(__dirname, '../fixtures') + '/' },
];
const makeTensor = (type: string, data: unknown, dims: number[]) =>
  new Tensor(type as 'float32', data as Float32Array, dims).ort_tensor as unknown as OrtTensor;

/* eslint-disable @typescript-eslint/no-explicit-any */
async function load(id: string, root: string, dtype: 'q8' | 'fp32') {
  env.localModelPath = root;
  env.allowRemoteModels = false;
  env.allowLocalModels = true;
  const tokenizer: any = await AutoTokenizer.from_pretrained(id);
  const model: any = await AutoModelForCausalLM.from_pretrained(id, { device: 'cpu', dtype });
  const session = model.sessions.model;
  if (!isDecoderSession(session)) throw new Error(`${id}: not a decoder session`);
  const chat = (turns: Array<{ role: string; content: string }>): number[] =>
    tokenizer.apply_chat_template(turns, { add_generation_prompt: true, tokenize: true, return_tensor: false, return_dict: false });
  return { tokenizer, model, decoder: new KvDecoder(session, model.config, makeTensor), chat };
}

/**
 * transformers.js's greedy tokens for `prompt` (no EOS, so every run has the same length);
 * `penalty`: Hearth's reply-only repetition penalty, as a logits processor in the library's loop.
 */
async function libraryGreedy(model: any, prompt: number[], maxNewTokens: number, ngram: number, penalty = 1): Promise<number[]> {
  const replyOnly = (ids: bigint[][], logits: any) => {
    for (let i = 0; i < ids.length; i++) penalizeRepeats(logits[i].data, new Set(ids[i].slice(prompt.length).map(Number)), penalty);
    return logits;
  };
  const input_ids = new Tensor('int64', BigInt64Array.from(prompt, BigInt), [1, prompt.length]);
  const attention_mask = new Tensor('int64', new BigInt64Array(prompt.length).fill(1n), [1, prompt.length]);
  const out = await model.generate({
    input_ids,
    attention_mask,
    max_new_tokens: maxNewTokens,
    do_sample: false,
    no_repeat_ngram_size: ngram,
    eos_token_id: [],
    ...(penalty > 1 ? { logits_processor: [replyOnly] } : {}),
  });
  return Array.from(out.tolist()[0] as bigint[], Number).slice(prompt.length);
}

const greedy = { temperature: 0, topP: 1, eosIds: [] as number[] };

/** The last position's logits of `ids`, computed from scratch (no KV cache), by the library. */
async function lastLogits(model: any, ids: number[]): Promise<Float32Array> {
  const input_ids = new Tensor('int64', BigInt64Array.from(ids, BigInt), [1, ids.length]);
  const attention_mask = new Tensor('int64', new BigInt64Array(ids.length).fill(1n), [1, ids.length]);
  const { logits } = await model({ input_ids, attention_mask });
  const vocab = logits.dims[logits.dims.length - 1];
  return (logits.data as Float32Array).slice(logits.data.length - vocab);
}

/** Greedy with classifier-free guidance, written out: both prompts recomputed at every step. */
async function guidedReference(model: any, prompt: number[], uncond: number[], scale: number, n: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const c = await lastLogits(model, [...prompt, ...out]);
    const u = await lastLogits(model, [...uncond, ...out]);
    let best = 0;
    for (let k = 1; k < c.length; k++) if (u[k] + scale * (c[k] - u[k]) > u[best] + scale * (c[best] - u[best])) best = k;
    out.push(best);
  }
  return out;
}

describe.each(MODELS)('KvDecoder on $id', ({ id, root }) => {
  let m: Awaited<ReturnType<typeof load>>;
  let prompt: number[];
  beforeAll(async () => {
    m = await load(id, root, 'q8');
    prompt = m.chat([{ role: 'user', content: 'Tell me about the garden behind the old house, please.' }]);
  });

  it('gives the same greedy tokens as generate(), with and without the 4-gram guard', async () => {
    for (const ngram of [0, 4]) {
      const expected = await libraryGreedy(m.model, prompt, 48, ngram);
      m.decoder.reset();
      const got = await m.decoder.generate(prompt, { ...greedy, maxNewTokens: 48, noRepeatNgram: ngram });
      expect(got.tokens).toEqual(expected);
      expect(got.finish).toBe('length');
    }
  });

  it("applies the reply-only repetition penalty as the library's loop does, and it changes the reply", async () => {
    m.decoder.reset();
    const plain = await m.decoder.generate(prompt, { ...greedy, maxNewTokens: 32, noRepeatNgram: 0 });
    // The model repeats itself without a penalty (else this test could not tell).
    expect(new Set(plain.tokens).size).toBeLessThan(plain.tokens.length);
    const expected = await libraryGreedy(m.model, prompt, 32, 0, 1.5);
    m.decoder.reset();
    const got = await m.decoder.generate(prompt, { ...greedy, maxNewTokens: 32, noRepeatNgram: 0, repetitionPenalty: 1.5 });
    expect(got.tokens).toEqual(expected);
    expect(got.tokens).not.toEqual(plain.tokens);
  });

  it('never repeats a 4-gram when the guard is on', async () => {
    m.decoder.reset();
    const { tokens } = await m.decoder.generate(prompt, { ...greedy, maxNewTokens: 120, noRepeatNgram: 4 });
    const all = [...prompt, ...tokens];
    const seen = new Set<string>();
    for (let i = 0; i + 4 <= all.length; i++) {
      const key = all.slice(i, i + 4).join(',');
      expect(seen.has(key), `repeated 4-gram ${key}`).toBe(false);
      seen.add(key);
    }
  });

  it('stops mid-reply when asked and ends on an EOS token', async () => {
    m.decoder.reset();
    let n = 0;
    const stopped = await m.decoder.generate(prompt, {
      ...greedy,
      maxNewTokens: 100,
      noRepeatNgram: 4,
      shouldStop: () => n >= 5,
      onToken: () => n++,
    });
    expect(stopped).toMatchObject({ finish: 'interrupted' });
    expect(stopped.tokens).toHaveLength(5);
    const full = await libraryGreedy(m.model, prompt, 8, 4);
    m.decoder.reset();
    const eos = await m.decoder.generate(prompt, { ...greedy, eosIds: [full[3]], maxNewTokens: 100, noRepeatNgram: 4 });
    expect(eos.finish).toBe('stop');
    expect(eos.tokens).toEqual(full.slice(0, full.indexOf(full[3]) + 1));
  });

  it('samples: a tiny top-p is greedy, temperature gives varied replies without repeated 4-grams', async () => {
    m.decoder.reset();
    const base = await m.decoder.generate(prompt, { ...greedy, maxNewTokens: 20, noRepeatNgram: 4 });
    // From scratch again, so both runs compute the same steps (with q8 weights a reused KV cache
    // can differ from a fresh prefill in the last bits, enough to flip a near-tie of random weights).
    m.decoder.reset();
    const nucleus = await m.decoder.generate(prompt, { eosIds: [], temperature: 1, topP: 1e-6, maxNewTokens: 20, noRepeatNgram: 4 });
    expect(nucleus.tokens).toEqual(base.tokens);
    const replies = new Set<string>();
    for (let seed = 1; seed <= 4; seed++) {
      let s = seed;
      const random = () => ((s = (s * 16807) % 2147483647) / 2147483647);
      const r = await m.decoder.generate(prompt, { eosIds: [], temperature: 1.5, topP: 0.95, random, maxNewTokens: 20, noRepeatNgram: 4 });
      expect(r.tokens).toHaveLength(20);
      replies.add(r.tokens.join(','));
    }
    expect(replies.size).toBeGreaterThan(1);
  });
});

describe.each(MODELS)('KV cache reuse across turns on $id (fp32)', ({ id, root }) => {
  it('a continued conversation computes only the new tokens and replies as a fresh prompt would', async () => {
    const m = await load(id, root, 'fp32');
    const first = [{ role: 'user', content: 'What should I plant in a shady garden?' }];
    const p1 = m.chat(first);
    const r1 = await m.decoder.generate(p1, { ...greedy, maxNewTokens: 24, noRepeatNgram: 4 });
    const text = m.tokenizer.decode(r1.tokens, { skip_special_tokens: true });
    const p2 = m.chat([...first, { role: 'assistant', content: text }, { role: 'user', content: 'And in a sunny one?' }]);
    const reused = await m.decoder.generate(p2, { ...greedy, maxNewTokens: 24, noRepeatNgram: 4 });
    expect(reused.reusedTokens).toBeGreaterThanOrEqual(p1.length);
    m.decoder.reset();
    const fresh = await m.decoder.generate(p2, { ...greedy, maxNewTokens: 24, noRepeatNgram: 4 });
    expect(fresh.reusedTokens).toBe(0);
    expect(reused.tokens).toEqual(fresh.tokens);
    // An edited earlier turn shares only the tokens before the edit: the rest is recomputed.
    const edited = m.chat([{ role: 'user', content: 'What should I plant in a sunny garden?' }]);
    const afterEdit = await m.decoder.generate(edited, { ...greedy, maxNewTokens: 24, noRepeatNgram: 4 });
    expect(afterEdit.reusedTokens).toBeLessThan(p1.length);
    m.decoder.reset();
    expect(afterEdit.tokens).toEqual((await m.decoder.generate(edited, { ...greedy, maxNewTokens: 24, noRepeatNgram: 4 })).tokens);
  });
});

describe.each(MODELS)('classifier-free guidance on $id (fp32)', ({ id, root }) => {
  it('mixes the unconditional row as recomputing both prompts would, changes the reply, and reuses its cache', async () => {
    const m = await load(id, root, 'fp32');
    const prompt = m.chat([{ role: 'user', content: 'Tell me about the garden behind the old house, please.' }]);
    const uncond = m.chat([{ role: 'user', content: '' }]);
    const expected = await guidedReference(m.model, prompt, uncond, 2, 16);
    const guided = { ...greedy, maxNewTokens: 16, noRepeatNgram: 0, guidance: { scale: 2, prompt: uncond } };
    const got = await m.decoder.generate(prompt, guided);
    expect(got.tokens).toEqual(expected);
    m.decoder.reset();
    const plain = await m.decoder.generate(prompt, { ...greedy, maxNewTokens: 16, noRepeatNgram: 0 });
    expect(plain.tokens).not.toEqual(got.tokens);
    // Scale 1 is plain greedy (the unconditional prompt is not even run).
    m.decoder.reset();
    expect((await m.decoder.generate(prompt, { ...guided, guidance: { scale: 1, prompt: uncond } })).tokens).toEqual(plain.tokens);
    // A second guided reply reuses both caches and matches a fresh start.
    m.decoder.reset();
    await m.decoder.generate(prompt, guided);
    const again = await m.decoder.generate(prompt, guided);
    expect(again.reusedTokens).toBe(prompt.length - 1);
    expect(again.tokens).toEqual(expected);
  });
});

describe('reply rules from generation_config.json', () => {
  it('reads no_repeat_ngram_size, the reply repetition penalty and the guidance scale, ignoring hostile values', async () => {
    const { replyRules } = await import('../../workers/sampling');
    expect(replyRules({})).toEqual({ noRepeatNgram: 4, repetitionPenalty: 1, guidanceScale: 1 });
    expect(replyRules({ no_repeat_ngram_size: 0, hearth_reply_repetition_penalty: 1.2, hearth_guidance_scale: 2 })).toEqual({
      noRepeatNgram: 0,
      repetitionPenalty: 1.2,
      guidanceScale: 2,
    });
    for (const bad of [0.5, 0, -1, 4.5, 1e9, '2', null, NaN, Infinity]) expect(replyRules({ hearth_guidance_scale: bad }).guidanceScale).toBe(1);
    // transformers' guidance_scale means a doubled batch this loop does not run: not read.
    expect(replyRules({ guidance_scale: 3 }).guidanceScale).toBe(1);
    // transformers' own repetition_penalty counts the prompt: not Hearth's rule, not read.
    expect(replyRules({ repetition_penalty: 1.3 }).repetitionPenalty).toBe(1);
    for (const bad of [-1, 2.5, 1e9, '3', null, NaN]) expect(replyRules({ no_repeat_ngram_size: bad }).noRepeatNgram).toBe(4);
    for (const bad of [0.5, -2, 1e9, 'x', Infinity]) expect(replyRules({ hearth_reply_repetition_penalty: bad }).repetitionPenalty).toBe(1);
  });

  it('guides: uncond + scale * (cond - uncond), in place; scale 1 or a row of another size changes nothing', () => {
    const cond = Float32Array.of(2, -1, 0.5);
    guide(cond, Float32Array.of(1, -1, 1.5), 2);
    expect(Array.from(cond)).toEqual([3, -1, -0.5]);
    guide(cond, Float32Array.of(0, 0, 0), 1);
    guide(cond, Float32Array.of(0, 0), 3);
    expect(Array.from(cond)).toEqual([3, -1, -0.5]);
  });

  it('penalizes only what the reply produced: positive logits divided, negative multiplied', () => {
    const logits = Float32Array.of(2, -2, 3, 0.5);
    penalizeRepeats(logits, [0, 1], 2);
    expect(Array.from(logits)).toEqual([1, -4, 3, 0.5]);
    penalizeRepeats(logits, [2, 99], 1);
    expect(Array.from(logits)).toEqual([1, -4, 3, 0.5]);
  });
});
