// Files for the prompt: each readable attachment becomes a PromptFile (src/shared/engine.ts):
// its whole text when it might fit the context window and its passages ranked by BM25 against
// the question. The engine's prompt planner (src/shared/promptFiles.ts) decides, with exact
// token counts, what fits; the reply records it and the chips show it.
import type { FileUsage, PromptFile } from '../shared/engine';
import { chunkText, passageChars } from './chunk';
import { readableText } from './extract';
import type { AttachmentKind } from './kinds';
import { rankPassages } from './retrieve';

export interface ReadableAttachment {
  id: string;
  name: string;
  type: string;
  data: Blob;
  kind?: AttachmentKind;
  text?: string;
}

/** Characters per token no tokenizer goes above (bounds what is handed to the engine). */
const MAX_CHARS_PER_TOKEN = 16;

export function promptFile(a: Pick<ReadableAttachment, 'id' | 'name'>, text: string, question: string, contextLength: number): PromptFile {
  const size = passageChars(contextLength);
  const passages = chunkText(text, size);
  const cap = contextLength * MAX_CHARS_PER_TOKEN;
  const ranked: PromptFile['passages'] = [];
  let chars = 0;
  for (const index of rankPassages(passages, question)) {
    if (chars + passages[index].length > cap) break;
    chars += passages[index].length;
    ranked.push({ index, text: passages[index] });
  }
  return { id: a.id, name: a.name, ...(text.length <= cap ? { text } : {}), passages: ranked, totalPassages: passages.length, passageChars: size };
}

/** The prompt files of a message's attachments (files the model cannot read are left out). */
export async function promptFiles(atts: ReadableAttachment[], question: string, contextLength: number): Promise<PromptFile[]> {
  const out: PromptFile[] = [];
  for (const a of atts) {
    const text = await readableText(a);
    if (text !== null) out.push(promptFile(a, text, question, contextLength));
  }
  return out;
}

/** What a chip says went to the model. */
export function usageText(u: Pick<FileUsage, 'whole' | 'passages' | 'totalPassages'>): string {
  if (u.whole) return 'sent to the model: whole file';
  const n = u.passages.length;
  return `sent to the model: ${n} of ${u.totalPassages} passage${u.totalPassages === 1 ? '' : 's'}${n === 0 ? ' (no room in the context window)' : ''}`;
}

/** The passages a reply sent, as text (for the preview). */
export function sentPassages(text: string, usage: Pick<FileUsage, 'passages' | 'passageChars'>): Array<{ index: number; text: string }> {
  const passages = chunkText(text, usage.passageChars);
  return usage.passages.filter((i) => i < passages.length).map((i) => ({ index: i, text: passages[i] }));
}
