// Generating one reply on a loaded model: Hearth's own decode loop (workers/decoder.ts) or, for
// graphs it does not know, transformers.js's generate(); both stream text in batches and report
// the tokens and their timing. Prompt planning and the result's shape stay with the engine.
import { InterruptableStoppingCriteria, TextStreamer } from '@huggingface/transformers';
import type { ChatTurn, GenerateRequest } from '../src/shared/engine';
import type { KvDecoder } from './decoder';
import { IncrementalText, PieceBatcher } from './textStream';
import { seededRandom } from './sampling';
import { applyChat } from './chatTemplate';
import type { Loaded } from './modelLoad';

export interface Run {
  generated: number[];
  text: string;
  count: number;
  first: number;
  last: number;
  reusedTokens?: number;
}

/** How often streamed text crosses to the page (one message per batch, not per token). */
const STREAM_INTERVAL_MS = 40;

/** A reply from Hearth's own decode loop (workers/decoder.ts), streamed in batches. */
export async function decodeReply(
  loaded: Loaded,
  decoder: KvDecoder,
  messages: ChatTurn[],
  tailIds: number[],
  maxNewTokens: number,
  request: GenerateRequest,
  stopper: InterruptableStoppingCriteria,
  onToken?: (piece: string) => void,
): Promise<Run> {
  const prompt = [...encodeChat(loaded, messages), ...tailIds];
  const decode = (ids: number[]) => (ids.length ? (loaded.tokenizer.decode(ids, { skip_special_tokens: true }) as string) : '');
  const stream = new IncrementalText(decode);
  const batcher = new PieceBatcher((text) => onToken?.(text), STREAM_INTERVAL_MS);
  let count = 0;
  let first = 0;
  let last = 0;
  const result = maxNewTokens > 0
    ? await decoder.generate(prompt, {
        maxNewTokens,
        eosIds: request.ignoreEos ? [] : loaded.eosIds,
        noRepeatNgram: loaded.rules.noRepeatNgram,
        repetitionPenalty: loaded.rules.repetitionPenalty,
        ...(loaded.rules.guidanceScale !== 1 && !request.unguided
          ? { guidance: { scale: loaded.rules.guidanceScale, prompt: [...unconditionalPrompt(loaded), ...tailIds] } }
          : {}),
        temperature: request.params.temperature,
        topP: request.params.topP,
        ...(request.seed !== undefined ? { random: seededRandom(request.seed) } : {}),
        shouldStop: () => stopper.interrupted,
        onToken: (id) => {
          count++;
          last = performance.now();
          if (count === 1) first = last;
          if (!loaded.eosIds.includes(id)) batcher.push(stream.push(id));
        },
      })
    : { tokens: [], finish: 'length' as const, reusedTokens: 0 };
  const text = decode(result.tokens);
  batcher.push(stream.rest(text));
  batcher.flush();
  return { generated: result.tokens, text, count, first, last, reusedTokens: result.reusedTokens };
}

/** A reply from transformers.js's generate() (models whose graph the decode loop does not know). */
export async function libraryReply(
  loaded: Loaded,
  messages: ChatTurn[],
  tail: string,
  maxNewTokens: number,
  request: GenerateRequest,
  stopper: InterruptableStoppingCriteria,
  onToken?: (piece: string) => void,
): Promise<Run> {
  const inputs = tail
    ? loaded.tokenizer(
        (applyChat(loaded.tokenizer, messages, { tokenize: false }) as string) + tail,
        { add_special_tokens: false },
      )
    : applyChat(loaded.tokenizer, messages, { return_dict: true });
  let count = 0;
  let first = 0;
  let last = 0;
  const streamer = new TextStreamer(loaded.tokenizer, {
    skip_prompt: true,
    skip_special_tokens: true,
    callback_function: (piece: string) => {
      if (piece) onToken?.(piece);
    },
    token_callback_function: () => {
      count++;
      last = performance.now();
      if (count === 1) first = last;
    },
  });
  const greedy = request.params.temperature <= 0;
  const output = maxNewTokens > 0
    ? await loaded.model.generate({
        ...inputs,
        max_new_tokens: maxNewTokens,
        do_sample: !greedy,
        ...(greedy ? {} : { temperature: request.params.temperature, top_p: request.params.topP }),
        // Small models loop ("I'm a model that I'm a model…"): block repeated n-grams. (This
        // fallback has no reply-only repetition penalty: transformers.js's counts the prompt.)
        no_repeat_ngram_size: loaded.rules.noRepeatNgram,
        eos_token_id: request.ignoreEos ? [] : loaded.eosIds,
        pad_token_id: loaded.eosIds[loaded.eosIds.length - 1],
        streamer,
        stopping_criteria: [stopper],
      })
    : null;
  const promptLen = Number(inputs.input_ids.dims.at(-1));
  const all: number[] = output ? Array.from(output.tolist()[0] as bigint[], Number) : [];
  const generated = all.slice(promptLen);
  const text = loaded.tokenizer.decode(generated, { skip_special_tokens: true }) as string;
  return { generated, text, count, first, last };
}

/**
 * Guidance's unconditional prompt: the chat template around one empty user turn, without the
 * conversation or the system prompt, so guidance favours what the conversation itself asks for.
 */
function unconditionalPrompt(loaded: Loaded): number[] {
  return encodeChat(loaded, [{ role: 'user', content: '' }]);
}

export function encodeChat(loaded: Loaded, messages: ChatTurn[]): number[] {
  return applyChat(loaded.tokenizer, messages, {
    tokenize: true,
    return_tensor: false,
    return_dict: false,
  }) as number[];
}
