// Per-token cost as a reply grows (run by scripts/bench.mjs with tsx, in Node on onnxruntime-node):
// the engine's former path (transformers.js generate() with its TextStreamer and 4-gram processor)
// against Hearth's decode loop with its incremental guard and detokenizer, on one long greedy
// reply. Prints JSON: ms per token over the first and the last quarter of the reply, per path.
import { AutoModelForCausalLM, AutoTokenizer, Tensor, TextStreamer, env } from '@huggingface/transformers';
import { KvDecoder, type OrtTensor } from '../../workers/decoder';
import { IncrementalText } from '../../workers/textStream';

/* eslint-disable @typescript-eslint/no-explicit-any */
const [root, id, tokensArg] = process.argv.slice(2);
const NEW = Number(tokensArg ?? 200);

env.localModelPath = root;
env.allowRemoteModels = false;
const tok: any = await AutoTokenizer.from_pretrained(id);
const model: any = await AutoModelForCausalLM.from_pretrained(id, { device: 'cpu', dtype: 'q8' });
const prompt: number[] = tok.apply_chat_template([{ role: 'user', content: 'Tell me a long story about a garden.' }], {
  add_generation_prompt: true,
  tokenize: true,
  return_tensor: false,
  return_dict: false,
});
const quarters = (times: number[]) => {
  const q = Math.max(2, Math.floor(times.length / 4));
  const per = (a: number[]) => (a[a.length - 1] - a[0]) / (a.length - 1);
  return { firstQuarterMsPerToken: per(times.slice(0, q)), lastQuarterMsPerToken: per(times.slice(-q)), tokens: times.length };
};

async function library() {
  const times: number[] = [];
  const streamer = new TextStreamer(tok, {
    skip_prompt: true,
    callback_function: () => undefined,
    token_callback_function: () => times.push(performance.now()),
  });
  await model.generate({
    input_ids: new Tensor('int64', BigInt64Array.from(prompt, BigInt), [1, prompt.length]),
    attention_mask: new Tensor('int64', new BigInt64Array(prompt.length).fill(1n), [1, prompt.length]),
    max_new_tokens: NEW,
    do_sample: false,
    no_repeat_ngram_size: 4,
    eos_token_id: [],
    streamer,
  });
  return quarters(times);
}

async function loop() {
  const decoder = new KvDecoder(model.sessions.model, model.config, (t, d, dims) => new Tensor(t as any, d, dims).ort_tensor as OrtTensor);
  const text = new IncrementalText((ids) => tok.decode(ids, { skip_special_tokens: true }));
  const times: number[] = [];
  await decoder.generate(prompt, {
    maxNewTokens: NEW,
    eosIds: [],
    noRepeatNgram: 4,
    temperature: 0,
    topP: 1,
    onToken: (t) => {
      text.push(t);
      times.push(performance.now());
    },
  });
  return quarters(times);
}

await library();
await loop();
console.log(JSON.stringify({ model: id, promptTokens: prompt.length, generate: await library(), hearthLoop: await loop() }));
