// Hearth's decode loop numbers positions as transformers.js does for each model type: Gemma 3's
// exports count from 1, Llama-style ones from 0. Both loops run on the same ONNX session (the
// catalog fixtures of Gemma 3 270M and SmolLM2, tests/fixtures/catalog) and the position_ids
// each feeds the model are recorded.
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AutoModelForCausalLM, Tensor, env } from '@huggingface/transformers';
import { KvDecoder, isDecoderSession, type OrtTensor } from '../../workers/decoder';

const ROOT = resolve(__dirname, '../fixtures/catalog') + '/';
const makeTensor = (type: string, data: unknown, dims: number[]) =>
  new Tensor(type as 'float32', data as Float32Array, dims).ort_tensor as unknown as OrtTensor;

/* eslint-disable @typescript-eslint/no-explicit-any */
/** The position_ids of each run of the model's session, by the library's generate() and by KvDecoder. */
async function positions(repo: string): Promise<{ library: number[][]; hearth: number[][] }> {
  env.localModelPath = ROOT;
  env.allowRemoteModels = false;
  env.allowLocalModels = true;
  const model: any = await AutoModelForCausalLM.from_pretrained(repo, { device: 'cpu', dtype: 'fp32' });
  try {
    const session = model.sessions.model;
    if (!isDecoderSession(session)) throw new Error(`${repo}: not a decoder session`);
    const seen: number[][] = [];
    const run = session.run.bind(session);
    (session as any).run = (feeds: Record<string, OrtTensor>, ...rest: unknown[]) => {
      seen.push(Array.from(feeds.position_ids.data as BigInt64Array, Number));
      return (run as any)(feeds, ...rest);
    };
    const prompt = [5, 6, 7];
    await model.generate({
      input_ids: new Tensor('int64', BigInt64Array.from(prompt, BigInt), [1, 3]),
      attention_mask: new Tensor('int64', new BigInt64Array(3).fill(1n), [1, 3]),
      max_new_tokens: 2,
      do_sample: false,
      eos_token_id: [],
    });
    const library = seen.splice(0);
    await new KvDecoder(session, model.config, makeTensor).generate(prompt, { maxNewTokens: 2, eosIds: [], noRepeatNgram: 0, temperature: 0, topP: 1 });
    return { library, hearth: seen.splice(0) };
  } finally {
    await model.dispose();
  }
}

describe('KvDecoder position ids', () => {
  it('counts from 1 on Gemma 3, as transformers.js does', async () => {
    const { library, hearth } = await positions('onnx-community/gemma-3-270m-it-ONNX');
    expect(library).toEqual([[1, 2, 3], [4]]);
    expect(hearth).toEqual(library);
  }, 60_000);

  it('counts from 0 on a Llama-style model', async () => {
    const { library, hearth } = await positions('HuggingFaceTB/SmolLM2-135M-Instruct');
    expect(library).toEqual([[0, 1, 2], [3]]);
    expect(hearth).toEqual(library);
  }, 60_000);
});
