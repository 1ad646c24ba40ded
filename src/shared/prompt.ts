// Prompt planning: which turns of a conversation fit the model's context window.
// Pure code shared by the worker and the tests; token counting is injected so the
// plan is exact for the loaded tokenizer.
import type { ChatTurn, FileUsage, PromptFile } from './engine';
import { fitFiles } from './promptFiles';

export interface PromptPlanInput {
  turns: ChatTurn[];
  /** Files attached to the last turn (whole if they fit, else their most relevant passages). */
  files?: PromptFile[];
  systemPrompt?: string;
  contextLength: number;
  maxNewTokens: number;
  /** Token count of the prompt that `messages` render to (chat template included). */
  countTokens: (messages: ChatTurn[]) => number;
  /** Keep the first (`from: 'start'`) or last (`from: 'end'`) `n` tokens of `text`. */
  clipText: (text: string, n: number, from: 'start' | 'end') => string;
}

export interface PromptPlan {
  messages: ChatTurn[];
  promptTokens: number;
  /** Number of turns left out, oldest first. */
  droppedTurns: number;
  truncatedLatest: boolean;
  /** New tokens allowed so that prompt + reply fit the context window. */
  maxNewTokens: number;
  /** What of each file was sent (empty without files). */
  files: FileUsage[];
}

/** Share of the context window kept free for the reply when the history is long. */
const MIN_REPLY_SHARE = 0.5;

export function planPrompt(input: PromptPlanInput): PromptPlan {
  const { turns, contextLength, countTokens, clipText } = input;
  if (turns.length === 0) throw new Error('planPrompt needs at least one turn');
  if (contextLength < 8) throw new Error(`context length ${contextLength} is too small`);
  const reserve = Math.max(1, Math.min(input.maxNewTokens, Math.floor(contextLength * MIN_REPLY_SHARE)));
  const budget = contextLength - reserve;

  let system: ChatTurn[] = input.systemPrompt?.trim() ? [{ role: 'system', content: input.systemPrompt }] : [];
  const latest = turns[turns.length - 1];
  let kept: ChatTurn[] = [latest];
  let truncatedLatest = false;
  const files = input.files ?? [];
  let usage: FileUsage[] = files.map((f) => ({ id: f.id, name: f.name, whole: false, passages: [], totalPassages: f.totalPassages, passageChars: f.passageChars }));

  // The system prompt and newest turn must fit first; shorten them if they do not.
  if (countTokens([...system, latest]) > budget) {
    const overhead = countTokens([...system, { ...latest, content: '' }]);
    if (overhead > budget / 2 && system.length) {
      // A system prompt that eats most of the window keeps only its start.
      const sysRoom = Math.max(1, Math.floor(budget / 2) - (overhead - countTokens(system)));
      system = [{ role: 'system', content: clipText(system[0].content, sysRoom, 'start') }];
    }
    let room = budget - countTokens([...system, { ...latest, content: '' }]);
    let content = latest.content;
    // Clipping and re-rendering can differ by a token or two at the seams: tighten until it fits.
    for (let guard = 0; guard < 8 && countTokens([...system, { ...latest, content }]) > budget; guard++) {
      content = clipText(latest.content, Math.max(0, room), 'end');
      room -= 2;
    }
    kept = [{ ...latest, content }];
    truncatedLatest = true;
  } else {
    // Files come before older turns: the question is about them.
    if (files.length) {
      const fitted = fitFiles({ files, question: latest, system, budget, countTokens });
      kept = [fitted.turn];
      usage = fitted.usage;
    }
    for (let i = turns.length - 2; i >= 0; i--) {
      const candidate = [turns[i], ...kept];
      if (countTokens([...system, ...candidate]) > budget) break;
      kept = candidate;
    }
    // A kept history starts on a user turn, so the model never sees an answer to a missing question.
    while (kept.length > 1 && kept[0].role !== 'user') kept = kept.slice(1);
  }

  const messages = [...system, ...kept];
  const promptTokens = countTokens(messages);
  return {
    messages,
    promptTokens,
    droppedTurns: turns.length - kept.length,
    truncatedLatest,
    maxNewTokens: Math.max(0, Math.min(input.maxNewTokens, contextLength - promptTokens)),
    files: usage,
  };
}
