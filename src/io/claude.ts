// Claude's data export (claude.ai → Settings → Privacy → Export data: a zip whose
// conversations.json is a list of `{uuid, name, created_at, updated_at, chat_messages}`), mapped to
// Hearth records. A message's `content` blocks are read in order: `text` is the message,
// `thinking` and `tool_use` / `tool_result` are steps shown in a closed disclosure (as Claude
// shows them), anything else is kept as data. Attachments with `extracted_content` (the text
// Claude read from the file) become text attachments named as uploaded; `files` the export does
// not hold are named in the message. `parent_message_uuid`, when present, keeps branches.
import '../shared/zodConfig';
import { z } from 'zod';
import type { ImportedStep } from '../db/types';
import type { ImportBundle, ParsedImport, SkippedConversation } from './bundle';
import { fenced } from './chatgptParts';
import { bundleOf, type SourceMessage } from './importTree';
import { timeOf } from './importText';
import { fieldPath, ImportProblem, problemText } from './problems';

/** The parent Claude gives a conversation's first messages. */
const ROOT = '00000000-0000-4000-8000-000000000000';

const Block = z.looseObject({ type: z.string() });
const ChatMessage = z.looseObject({
  uuid: z.string(),
  sender: z.string(),
  text: z.string().nullish(),
  content: z.array(Block).nullish(),
  created_at: z.unknown().optional(),
  updated_at: z.unknown().optional(),
  parent_message_uuid: z.string().nullish(),
  attachments: z.array(z.looseObject({ file_name: z.string().nullish(), file_type: z.string().nullish(), extracted_content: z.string().nullish() })).nullish(),
  files: z.array(z.looseObject({ file_name: z.string().nullish() })).nullish(),
});
const ClaudeConversation = z.looseObject({
  uuid: z.string(),
  name: z.string().nullish(),
  created_at: z.unknown().optional(),
  updated_at: z.unknown().optional(),
  is_starred: z.boolean().nullish(),
  current_leaf_message_uuid: z.string().nullish(),
  chat_messages: z.array(ChatMessage),
});

const listOf = (json: unknown): unknown[] | null => {
  const list = Array.isArray(json) ? json : Array.isArray((json as { conversations?: unknown } | null)?.conversations) ? (json as { conversations: unknown[] }).conversations : null;
  return list;
};

export function isClaudeJson(json: unknown): boolean {
  const list = listOf(json);
  return !!list && list.length > 0 && list.every((c) => !!c && typeof c === 'object' && 'chat_messages' in c);
}

const text = (v: unknown): string => (typeof v === 'string' ? v : Array.isArray(v) ? v.map((x) => text((x as { text?: unknown })?.text ?? x)).join('\n') : '');

function readMessage(m: z.infer<typeof ChatMessage>): SourceMessage {
  const steps: ImportedStep[] = [];
  const raw: unknown[] = [];
  const body: string[] = [];
  for (const b of m.content ?? []) {
    if (b.type === 'text') body.push(text(b.text));
    else if (b.type === 'thinking') steps.push({ kind: 'thought', label: 'Thought', text: text(b.thinking) });
    else if (b.type === 'tool_use') {
      const input = (b.input ?? {}) as Record<string, unknown>;
      const search = b.name === 'web_search' || b.name === 'web_fetch';
      steps.push(search ? { kind: 'search', label: 'Searched the web', text: `- ${text(input.query) || text(input.url)}` } : { kind: 'tool', label: `Used ${text(b.name) || 'a tool'}`, text: fenced(JSON.stringify(input, null, 2), 'json') });
    } else if (b.type === 'tool_result') {
      const result = text(b.content);
      const last = steps[steps.length - 1];
      if (last && result) last.text = [last.text, fenced(result)].join('\n\n');
      else raw.push(b);
    } else raw.push(b);
  }
  if (!m.content?.length && m.text) body.push(m.text);
  const files: SourceMessage['files'] = [];
  for (const a of m.attachments ?? []) {
    if (a.extracted_content) files.push({ name: a.file_name || 'attachment.txt', type: 'text/plain', data: new Blob([a.extracted_content], { type: 'text/plain' }) });
  }
  const kept = new Set(files.map((f) => f.name));
  for (const f of m.files ?? []) if (f.file_name && !kept.has(f.file_name)) body.push(`[File not included in the export: ${f.file_name}]`);
  return {
    key: m.uuid,
    parentKey: m.parent_message_uuid === ROOT ? null : (m.parent_message_uuid ?? undefined),
    role: m.sender === 'human' || m.sender === 'user' ? 'user' : 'assistant',
    content: body.filter((s) => s.trim()).join('\n\n'),
    createdAt: timeOf(m.created_at),
    updatedAt: timeOf(m.updated_at),
    steps,
    raw,
    files,
  };
}

export async function readClaudeExport(json: unknown, fileName: string): Promise<ParsedImport> {
  const bundles: ImportBundle[] = [];
  const skipped: SkippedConversation[] = [];
  for (const [index, item] of (listOf(json) ?? []).entries()) {
    const title = (item as { name?: unknown } | null)?.name;
    const parsed = ClaudeConversation.safeParse(item);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new ImportProblem('invalid-file', problemText({ file: fileName, conversation: { index, title }, field: fieldPath(issue.path) || undefined, message: issue.message }));
    }
    const c = parsed.data;
    const bundle = await bundleOf({
      source: 'claude',
      key: c.uuid,
      title: c.name,
      createdAt: timeOf(c.created_at),
      updatedAt: timeOf(c.updated_at),
      pinned: c.is_starred === true,
      currentKey: c.current_leaf_message_uuid ?? null,
      messages: c.chat_messages.map(readMessage),
    });
    if (bundle) bundles.push(bundle);
    else skipped.push({ title: (c.name ?? '').trim() || `Conversation ${index + 1}`, reason: 'it has no messages' });
  }
  return { source: 'claude', fileName, bundles, skipped, notes: [] };
}
