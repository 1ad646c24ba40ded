// Attached files in the prompt. Each file is a delimited block before the question:
//   <file name="notes.txt">…whole text…</file>
//   <file name="book.pdf" passages="3 of 41">[passage 4 of 41] … [passage 17 of 41] …</file>
// A file goes whole when it fits; otherwise its passages (ranked by relevance by the UI) are
// taken best first while they fit and sent in file order. Nothing is cut silently: the usage
// returned says, per file, what went to the model. Names are escaped and a closing tag inside a
// file cannot end its block. Pure code (runs in the worker): token counts are injected.
import type { ChatTurn, FileUsage, PromptFile } from './engine';

/** A file name as an attribute value: no quote or angle bracket can escape it. */
export function escapeName(name: string): string {
  return name.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
}

/** File text inside a block: `</file` cannot close the block early. */
export function escapeBody(text: string): string {
  return text.replace(/<\/(file)/gi, '<\\/$1');
}

export const passageHeading = (index: number, total: number): string => `[passage ${index + 1} of ${total}]`;

type Choice = { whole: true } | { whole: false; passages: Array<{ index: number; text: string }> };

export function renderFileBlock(file: Pick<PromptFile, 'name' | 'text' | 'totalPassages'>, choice: Choice): string {
  const name = escapeName(file.name);
  if (choice.whole) return `<file name="${name}">\n${escapeBody(file.text ?? '')}\n</file>`;
  const sorted = [...choice.passages].sort((a, b) => a.index - b.index);
  const body = sorted.map((p) => `${passageHeading(p.index, file.totalPassages)}\n${escapeBody(p.text)}`).join('\n\n');
  return `<file name="${name}" passages="${sorted.length} of ${file.totalPassages}">\n${body}\n</file>`;
}

/** The user turn with its file blocks first, then the question. */
export function withFiles(question: ChatTurn, blocks: string[]): ChatTurn {
  return { ...question, content: [...blocks, question.content].filter((s) => s !== '').join('\n\n') };
}

export interface FitFilesInput {
  files: PromptFile[];
  question: ChatTurn;
  system: ChatTurn[];
  /** Prompt tokens allowed (system + this turn). */
  budget: number;
  countTokens: (messages: ChatTurn[]) => number;
}

/** Upper bound of characters per token used to skip counting text that cannot fit. */
const MAX_CHARS_PER_TOKEN = 16;

export function fitFiles(input: FitFilesInput): { turn: ChatTurn; usage: FileUsage[] } {
  const { files, question, system, budget, countTokens } = input;
  const empty = countTokens([{ role: 'user', content: '' }]);
  const cost = (text: string) => Math.max(0, countTokens([{ role: 'user', content: text }]) - empty) + 1;
  let room = budget - countTokens([...system, question]);
  const choices: Array<Choice | null> = files.map(() => null);
  /** Added in order, so the last can be taken back if the exact count is over. */
  const added: Array<{ file: number; passage?: number }> = [];

  // Whole files first, in the order they were attached.
  files.forEach((f, i) => {
    if (f.text === undefined || f.text.length > room * MAX_CHARS_PER_TOKEN) return;
    const c = cost(renderFileBlock(f, { whole: true }));
    if (c > room) return;
    choices[i] = { whole: true };
    room -= c;
    added.push({ file: i });
  });
  // Then passages of the others, best ranked first, taking turns between files.
  const rest = files.map((_, i) => i).filter((i) => choices[i] === null);
  const longest = Math.max(0, ...rest.map((i) => files[i].passages.length));
  for (let rank = 0; rank < longest && room > 0; rank++) {
    for (const i of rest) {
      const p = files[i].passages[rank];
      if (!p || p.text.length > room * MAX_CHARS_PER_TOKEN) continue;
      const first = choices[i] === null;
      const c = cost(`${passageHeading(p.index, files[i].totalPassages)}\n${escapeBody(p.text)}`) + (first ? cost(renderFileBlock(files[i], { whole: false, passages: [] })) : 0);
      if (c > room) continue;
      const cur = choices[i];
      choices[i] = { whole: false, passages: [...(cur && !cur.whole ? cur.passages : []), p] };
      room -= c;
      added.push({ file: i, passage: p.index });
    }
  }

  const render = () =>
    withFiles(
      question,
      files.flatMap((f, i) => {
        const c = choices[i];
        return c ? [renderFileBlock(f, c)] : [];
      }),
    );
  let turn = render();
  // Estimates are per piece; the exact count of the whole prompt decides. Take back the last added.
  while (added.length && countTokens([...system, turn]) > budget) {
    const last = added.pop()!;
    const c = choices[last.file];
    if (!c || c.whole || last.passage === undefined) choices[last.file] = null;
    else {
      const left = c.passages.filter((p) => p.index !== last.passage);
      choices[last.file] = left.length ? { whole: false, passages: left } : null;
    }
    turn = render();
  }
  const usage = files.map((f, i): FileUsage => {
    const c = choices[i];
    return {
      id: f.id,
      name: f.name,
      whole: !!c?.whole,
      passages: c && !c.whole ? c.passages.map((p) => p.index).sort((a, b) => a - b) : [],
      totalPassages: f.totalPassages,
      passageChars: f.passageChars,
    };
  });
  return { turn, usage };
}
