// Open WebUI's chat export (Settings → Chats → Export chats: a JSON list of
// `{id, title, chat: {history: {messages: {<id>: {id, parentId, childrenIds, role, content,
// timestamp, model}}, currentId}, messages}, created_at, updated_at, pinned, archived}`), mapped to
// Hearth records with every branch of the `history` tree; `chat.messages` (the branch on screen)
// is read when there is no history. Times are epoch seconds. Images inline as `data:` URLs in a
// message's `files` become attachments; files kept on the Open WebUI server are named instead.
import '../shared/zodConfig';
import { z } from 'zod';
import type { ImportBundle, ParsedImport, SkippedConversation } from './bundle';
import { Base64Error, decodeToBlob } from './base64';
import { bundleOf, type SourceMessage } from './importTree';
import { plural, timeOf } from './importText';
import { fieldPath, ImportProblem, problemText } from './problems';

const WebUiMessage = z.looseObject({
  id: z.string(),
  parentId: z.string().nullish(),
  role: z.string(),
  content: z.unknown().optional(),
  timestamp: z.unknown().optional(),
  model: z.string().nullish(),
  modelName: z.string().nullish(),
  files: z.array(z.looseObject({ type: z.string().nullish(), url: z.string().nullish(), name: z.string().nullish() })).nullish(),
});
const WebUiChat = z.looseObject({
  id: z.string().nullish(),
  title: z.string().nullish(),
  created_at: z.unknown().optional(),
  updated_at: z.unknown().optional(),
  pinned: z.boolean().nullish(),
  archived: z.boolean().nullish(),
  chat: z.looseObject({
    id: z.string().nullish(),
    title: z.string().nullish(),
    timestamp: z.unknown().optional(),
    history: z.looseObject({ messages: z.record(z.string(), WebUiMessage), currentId: z.string().nullish() }).nullish(),
    messages: z.array(WebUiMessage).nullish(),
  }),
});

const isChat = (c: unknown) => !!c && typeof c === 'object' && !!(c as { chat?: unknown }).chat && typeof (c as { chat: unknown }).chat === 'object' && ('history' in (c as { chat: object }).chat || 'messages' in (c as { chat: object }).chat);

export function isOpenWebUiJson(json: unknown): boolean {
  return Array.isArray(json) ? json.length > 0 && json.every(isChat) : isChat(json);
}

const text = (v: unknown): string =>
  typeof v === 'string' ? v : Array.isArray(v) ? v.map((p) => (typeof p === 'string' ? p : typeof (p as { text?: unknown })?.text === 'string' ? (p as { text: string }).text : '')).join('\n\n') : '';

/** Images the export holds inline (`data:` URLs) become files; others (on the server) are named. */
function filesOf(list: { type?: string | null; url?: string | null; name?: string | null }[]): { files: NonNullable<SourceMessage['files']>; missing: string[] } {
  const files: NonNullable<SourceMessage['files']> = [];
  const missing: string[] = [];
  for (const f of list) {
    const inline = /^data:([\w.+-]+\/[\w.+-]+);base64,(.*)$/s.exec(f.url ?? '');
    if (inline) {
      try {
        files.push({ name: f.name || `${f.type === 'image' ? 'Image' : 'File'}.${inline[1].split('/')[1].replace(/\W.*$/, '') || 'bin'}`, type: inline[1], data: decodeToBlob(inline[2], inline[1]) });
        continue;
      } catch (e) {
        if (!(e instanceof Base64Error)) throw e;
      }
    }
    missing.push(f.name || (f.type === 'image' ? 'an image' : 'a file'));
  }
  return { files, missing };
}

export async function readOpenWebUiExport(json: unknown, fileName: string): Promise<ParsedImport> {
  const bundles: ImportBundle[] = [];
  const skipped: SkippedConversation[] = [];
  let archived = 0;
  for (const [index, item] of (Array.isArray(json) ? json : [json]).entries()) {
    const title = (item as { title?: unknown } | null)?.title;
    const parsed = WebUiChat.safeParse(item);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new ImportProblem('invalid-file', problemText({ file: fileName, conversation: { index, title }, field: fieldPath(issue.path) || undefined, message: issue.message }));
    }
    const c = parsed.data;
    const key = c.id ?? c.chat.id;
    if (!key) {
      skipped.push({ title: (c.title ?? '').trim() || `Conversation ${index + 1}`, reason: 'it has no id in the export' });
      continue;
    }
    const source = c.chat.history && Object.keys(c.chat.history.messages).length ? Object.values(c.chat.history.messages) : (c.chat.messages ?? []);
    const messages: SourceMessage[] = source
      .filter((m) => m.role === 'user' || m.role === 'assistant')
      .map((m) => {
        const { files, missing } = filesOf(m.files ?? []);
        const content = [text(m.content), ...missing.map((n) => `[File not included in the export: ${n}]`)].filter((t) => t.trim()).join('\n\n');
        return { key: m.id, parentKey: m.parentId ?? null, role: m.role as 'user' | 'assistant', content, createdAt: timeOf(m.timestamp), modelId: m.model ?? undefined, files };
      });
    const bundle = await bundleOf({
      source: 'openwebui',
      key,
      title: c.title ?? (c.chat.title === 'New Chat' ? null : c.chat.title), // Open WebUI's placeholder is no title
      createdAt: timeOf(c.created_at) ?? timeOf(c.chat.timestamp),
      updatedAt: timeOf(c.updated_at),
      pinned: c.pinned === true,
      currentKey: c.chat.history?.currentId ?? null,
      messages,
    });
    if (bundle) {
      bundles.push(bundle);
      if (c.archived) archived++;
    } else skipped.push({ title: (c.title ?? '').trim() || `Conversation ${index + 1}`, reason: 'it has no messages' });
  }
  const notes = archived ? [`${plural(archived, 'archived conversation')} ${archived === 1 ? 'is' : 'are'} imported with the others.`] : [];
  return { source: 'openwebui', fileName, bundles, skipped, notes };
}
