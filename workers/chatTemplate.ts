// How the engine renders a conversation with a model's own chat template (docs/catalog.md,
// "Chat templates and thinking"): the one place that calls apply_chat_template's options.
//  - Thinking models (Qwen3's enable_thinking) answer directly: every template gets
//    enable_thinking: false, which Qwen3's turns into an empty <think></think> block before the
//    reply; templates without the variable ignore it.
//  - Roles alternate: Gemma's template raises on two user turns in a row (a reply that failed or
//    was deleted leaves one), so consecutive turns of one role are joined into one.
//  - Newer exports keep the template in chat_template.jinja instead of tokenizer_config.json,
//    which transformers.js's AutoTokenizer does not read: ensureChatTemplate reads it.
import type { ChatTurn } from '../src/shared/engine';

/* eslint-disable @typescript-eslint/no-explicit-any -- transformers.js tokenizer types are loose */
type Tokenizer = any;

/** Variables every chat template render gets. */
export const TEMPLATE_VARIABLES = { enable_thinking: false } as const;

/** The turns with consecutive turns of one role joined (blank line between), so roles alternate. */
export function alternating(messages: readonly ChatTurn[]): ChatTurn[] {
  const out: ChatTurn[] = [];
  for (const m of messages) {
    const last = out[out.length - 1];
    if (last && last.role === m.role) out[out.length - 1] = { role: m.role, content: `${last.content}\n\n${m.content}` };
    else out.push({ role: m.role, content: m.content });
  }
  return out;
}

/** apply_chat_template with Hearth's variables, on alternating turns, ending in the reply's opening. */
export function applyChat(tokenizer: Tokenizer, messages: readonly ChatTurn[], options: Record<string, unknown>): any {
  return tokenizer.apply_chat_template(alternating(messages), { ...TEMPLATE_VARIABLES, add_generation_prompt: true, ...options });
}

export const TEMPLATE_FILE = 'chat_template.jinja';

/**
 * Gives `tokenizer` the model's chat_template.jinja when tokenizer_config.json had no template.
 * `read` returns a file of the model folder as text, or null when it is not there. A model with
 * neither keeps transformers.js's own error ("chat_template is not set") at its first render.
 */
export async function ensureChatTemplate(tokenizer: Tokenizer, read: (file: string) => Promise<string | null>): Promise<void> {
  if (tokenizer.chat_template) return;
  const text = await read(TEMPLATE_FILE);
  if (text?.trim()) tokenizer.chat_template = text;
}
