// ChatGPT's data export ("conversations.json", or split conversations-000.json, -001.json, …) mapped
// to Hearth records. Every branch of each `mapping` tree is kept; the null root is dropped (its
// children become roots); `current_node` becomes the branch on screen. Nodes hidden from the
// conversation (system, `is_visually_hidden_from_conversation`, custom instructions) are not
// messages: custom instructions become the system prompt. An assistant's turn (code it ran, the
// tool output, its answer) becomes one assistant message when it does not branch. Content types
// Hearth cannot show as text are kept as raw JSON in the message's metadata, with a visible note.
// Ids are UUIDv5 of ChatGPT's ids, so a second import of the same export adds nothing.
import '../shared/zodConfig';
import { z } from 'zod';
import type { Attachment, Conversation, Message, MessageStatus } from '../db/types';
import type { ImportBundle, ParsedImport, SkippedConversation } from './bundle';
import { fieldPath, ImportProblem, problemText } from './problems';
import { CHATGPT_NAMESPACE, uuidv5 } from './uuidv5';

const Content = z.looseObject({ content_type: z.string(), parts: z.array(z.unknown()).nullish() });
const Message_ = z.looseObject({
  id: z.string().nullish(),
  author: z.looseObject({ role: z.string(), name: z.string().nullish() }),
  create_time: z.number().nullish(),
  update_time: z.number().nullish(),
  content: Content.nullish(),
  status: z.string().nullish(),
  metadata: z.record(z.string(), z.unknown()).nullish(),
  recipient: z.string().nullish(),
});
const Node = z.looseObject({
  id: z.string().nullish(),
  message: Message_.nullish(),
  parent: z.string().nullish(),
  children: z.array(z.string()).nullish(),
});
const ConversationIn = z.looseObject({
  id: z.string().nullish(),
  conversation_id: z.string().nullish(),
  title: z.string().nullish(),
  create_time: z.number().nullish(),
  update_time: z.number().nullish(),
  mapping: z.record(z.string(), Node).nullish(),
  current_node: z.string().nullish(),
  pinned_time: z.unknown().optional(),
});
type CgConversation = z.infer<typeof ConversationIn>;
type CgMessage = z.infer<typeof Message_>;

/** An asset file from the zip (an image or file referenced by an `asset_pointer`). */
export interface ChatGptAsset {
  name: string;
  type: string;
  data: Blob;
}

export interface ChatGptFile {
  name: string;
  json: unknown;
}

const TITLE_MAX = 200;
const CONTENT_MAX = 10_000_000;

/** `file-service://file-AbC` / `sediment://file_00ab` → `file-AbC` / `file_00ab`. */
export function assetIdOf(pointer: string): string {
  return pointer.replace(/^[a-z][\w+.-]*:\/\//i, '').split('/').pop() ?? pointer;
}

const ms = (seconds: number | null | undefined): number | null =>
  typeof seconds === 'number' && Number.isFinite(seconds) && seconds >= 0 ? Math.round(seconds * 1000) : null;

/** A fence longer than any run of backticks inside `text`. */
function fenced(text: string, language = ''): string {
  const longest = Math.max(2, ...Array.from(text.matchAll(/`+/g), (m) => m[0].length));
  const fence = '`'.repeat(longest + 1);
  return `${fence}${language}\n${text.replace(/\n$/, '')}\n${fence}`;
}

const quoted = (text: string) => text.split('\n').map((l) => (l ? `> ${l}` : '>')).join('\n');

interface Rendered {
  text: string;
  assets: { pointer: string; part: number }[];
  raw: unknown[];
  missing: number;
}

/** Text of one ChatGPT message; asset parts are returned by pointer for the caller to resolve. */
function render(m: CgMessage, found: (pointer: string) => boolean): Rendered {
  const c = m.content;
  const out: Rendered = { text: '', assets: [], raw: [], missing: 0 };
  if (!c) return out;
  const str = (k: string) => (typeof c[k] === 'string' ? (c[k] as string) : '');
  const texts: string[] = [];
  const other = (value: unknown, type: string) => {
    out.raw.push(value);
    texts.push(`[ChatGPT content “${type}” is kept as data in this message]`);
  };
  switch (c.content_type) {
    case 'text':
    case 'multimodal_text':
      (c.parts ?? []).forEach((p, i) => {
        if (typeof p === 'string') {
          if (p) texts.push(p);
          return;
        }
        const part = (p ?? {}) as Record<string, unknown>;
        const type = typeof part.content_type === 'string' ? part.content_type : 'unknown';
        const pointer = typeof part.asset_pointer === 'string' ? part.asset_pointer : null;
        if (pointer) {
          if (found(pointer)) out.assets.push({ pointer, part: i });
          else {
            out.missing++;
            const what = type === 'image_asset_pointer' ? 'Image' : 'File';
            texts.push(`[${what} not included in the export: ${assetIdOf(pointer)}]`);
          }
        } else if (type === 'audio_transcription' && typeof part.text === 'string') texts.push(part.text);
        else other(p, type);
      });
      break;
    case 'code': {
      const lang = str('language');
      texts.push(fenced(str('text'), lang === 'unknown' ? '' : lang.replace(/[^\w+#.-]/g, '')));
      break;
    }
    case 'execution_output':
      texts.push(fenced(str('text')));
      break;
    case 'tether_quote': {
      const title = str('title') || str('domain');
      const url = str('url');
      const head = title || url ? `**${title || url}**${url && title ? ` (${url})` : ''}\n\n` : '';
      texts.push(quoted(head + str('text')));
      break;
    }
    case 'tether_browsing_display': {
      const body = [str('result'), str('summary')].filter((s) => s.trim()).join('\n\n');
      if (body) texts.push(quoted(body));
      break;
    }
    default:
      other(c, c.content_type);
  }
  out.text = texts.join('\n\n');
  return out;
}

function isHidden(m: CgMessage | null | undefined): boolean {
  if (!m) return true;
  if (m.author.role === 'system') return true;
  if (m.metadata?.is_visually_hidden_from_conversation === true) return true;
  const type = m.content?.content_type;
  return type === 'user_editable_context' || type === 'model_editable_context';
}

/** Custom instructions (and any text of hidden system messages) become the system prompt. */
function instructionsOf(m: CgMessage): string[] {
  const c = m.content;
  if (!c) return [];
  if (c.content_type === 'user_editable_context') {
    return ['user_profile', 'user_instructions'].map((k) => (typeof c[k] === 'string' ? (c[k] as string).trim() : '')).filter(Boolean);
  }
  if (m.author.role === 'system' && c.content_type === 'text') return (c.parts ?? []).filter((p): p is string => typeof p === 'string' && !!p.trim());
  return [];
}

function statusOf(status: string | null | undefined): MessageStatus {
  return status === 'in_progress' || status === 'finished_partial_completion' ? 'interrupted' : 'complete';
}

/** PNG, JPEG, GIF, WebP, PDF from their first bytes. */
async function sniffType(data: Blob, name: string): Promise<string> {
  const b = new Uint8Array(await data.slice(0, 12).arrayBuffer());
  const ascii = (from: number, to: number) => String.fromCharCode(...b.subarray(from, to));
  if (b[0] === 0x89 && ascii(1, 4) === 'PNG') return 'image/png';
  if (b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return 'image/jpeg';
  if (ascii(0, 3) === 'GIF') return 'image/gif';
  if (ascii(0, 4) === 'RIFF' && ascii(8, 12) === 'WEBP') return 'image/webp';
  if (ascii(0, 4) === '%PDF') return 'application/pdf';
  const ext = /\.([a-z0-9]{1,5})$/i.exec(name)?.[1]?.toLowerCase();
  const byExt: Record<string, string> = { txt: 'text/plain', md: 'text/markdown', csv: 'text/csv', json: 'application/json', wav: 'audio/wav', mp3: 'audio/mpeg', webm: 'audio/webm' };
  return (ext && byExt[ext]) || data.type || 'application/octet-stream';
}

/** Checks each file's shape; returns the conversations to map and the ones skipped. */
export function readChatGptFiles(files: ChatGptFile[]): { conversations: { file: string; index: number; conv: CgConversation }[]; skipped: SkippedConversation[] } {
  const conversations: { file: string; index: number; conv: CgConversation }[] = [];
  const skipped: SkippedConversation[] = [];
  const seen = new Set<string>();
  for (const f of files) {
    const list = !Array.isArray(f.json) && f.json && typeof f.json === 'object' && 'mapping' in f.json ? [f.json] : f.json;
    if (!Array.isArray(list)) throw new ImportProblem('invalid-file', `${f.name}: is not a list of ChatGPT conversations.`);
    list.forEach((item, index) => {
      const title = (item as { title?: unknown } | null)?.title;
      const where = (field: string | undefined, message: string) =>
        new ImportProblem('invalid-file', problemText({ file: f.name, conversation: { index, title }, field, message }));
      const parsed = ConversationIn.safeParse(item);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        throw where(fieldPath(issue.path) || undefined, issue.message);
      }
      const conv = parsed.data;
      const label = (conv.title ?? '').trim() || `Conversation ${index + 1} of ${f.name}`;
      const id = conv.conversation_id ?? conv.id;
      if (!conv.mapping || Object.keys(conv.mapping).length === 0) {
        skipped.push({ title: label, reason: 'it has no messages (no “mapping” in the export)' });
        return;
      }
      if (!id) {
        skipped.push({ title: label, reason: 'it has no id in the export' });
        return;
      }
      for (const [key, node] of Object.entries(conv.mapping)) {
        if (node.parent != null && !conv.mapping[node.parent]) throw where(`mapping.${key}.parent`, 'refers to a node that is not in the mapping');
      }
      for (const start of Object.keys(conv.mapping)) {
        const chain = new Set<string>();
        for (let k: string | null | undefined = start; k; k = conv.mapping[k]?.parent) {
          if (chain.has(k)) throw where(`mapping.${start}.parent`, 'makes a loop of parents');
          chain.add(k);
        }
      }
      if (seen.has(id)) {
        skipped.push({ title: label, reason: 'it appears twice in the export (the first copy was kept)' });
        return;
      }
      seen.add(id);
      conversations.push({ file: f.name, index, conv });
    });
  }
  return { conversations, skipped };
}

/** Asset ids (`file-…`) that messages point at. */
export function referencedAssets(conversations: { conv: CgConversation }[]): Set<string> {
  const ids = new Set<string>();
  for (const { conv } of conversations) {
    for (const node of Object.values(conv.mapping ?? {})) {
      for (const p of node.message?.content?.parts ?? []) {
        const pointer = (p as { asset_pointer?: unknown } | null)?.asset_pointer;
        if (typeof pointer === 'string') ids.add(assetIdOf(pointer));
      }
    }
  }
  return ids;
}

async function mapConversation(conv: CgConversation, assets: Map<string, ChatGptAsset>, counters: { missing: number; raw: number; hidden: number }): Promise<ImportBundle | null> {
  const sourceId = (conv.conversation_id ?? conv.id)!;
  const mapping = conv.mapping!;
  const id = await uuidv5(`conversation:${sourceId}`, CHATGPT_NAMESPACE);
  const found = (pointer: string) => assets.has(assetIdOf(pointer));
  const convStart = ms(conv.create_time);

  // Visible nodes, their rendering, and the nearest visible ancestor of every node.
  const rendered = new Map<string, Rendered>();
  const prompt: string[] = [];
  for (const [key, node] of Object.entries(mapping)) {
    const m = node.message;
    if (m && isHidden(m)) {
      for (const line of instructionsOf(m)) if (!prompt.includes(line)) prompt.push(line);
      if (m.content?.content_type !== 'user_editable_context' && m.author.role !== 'system') counters.hidden++;
      continue;
    }
    if (!m) continue;
    const r = render(m, found);
    if (!r.text.trim() && !r.assets.length && !r.raw.length) continue; // empty (e.g. a tool call's placeholder)
    rendered.set(key, r);
  }
  const visibleParent = (key: string): string | null => {
    for (let k = mapping[key]?.parent; k; k = mapping[k]?.parent) if (rendered.has(k)) return k;
    return null;
  };
  const children = new Map<string | null, string[]>();
  for (const key of rendered.keys()) {
    const p = visibleParent(key);
    const list = children.get(p) ?? [];
    list.push(key);
    children.set(p, list);
  }
  const timeOf = (key: string) => ms(mapping[key].message?.create_time);
  for (const list of children.values()) list.sort((a, b) => (timeOf(a) ?? 0) - (timeOf(b) ?? 0) || (a < b ? -1 : 1));

  interface Group { message: Message; nodes: string[]; raw: unknown[] }
  const groupOf = new Map<string, Group>();
  const groups: Group[] = [];
  const attachments: Attachment[] = [];
  const stack: string[] = [...(children.get(null) ?? [])].reverse();
  while (stack.length) {
    const key = stack.pop()!;
    const m = mapping[key].message!;
    const r = rendered.get(key)!;
    const parentKey = visibleParent(key);
    const parentGroup = parentKey ? groupOf.get(parentKey)! : null;
    const role = m.author.role === 'user' ? 'user' : 'assistant';
    const t = timeOf(key) ?? (parentGroup ? parentGroup.message.createdAt + 1 : (convStart ?? 0));
    let text = r.text;
    if (m.author.role === 'tool' && text) text = `*Output of ${m.author.name || 'a tool'}:*\n\n${text}`;
    let g: Group;
    if (role === 'assistant' && parentGroup?.message.role === 'assistant' && children.get(parentKey)?.length === 1) {
      g = parentGroup;
      g.message.content = [g.message.content, text].filter(Boolean).join('\n\n');
      g.message.updatedAt = Math.max(g.message.updatedAt, ms(m.update_time) ?? t);
      g.message.status = statusOf(m.status);
    } else {
      const messageId = await uuidv5(`message:${sourceId}:${key}`, CHATGPT_NAMESPACE);
      g = {
        nodes: [],
        raw: [],
        message: {
          id: messageId,
          conversationId: id,
          parentId: parentGroup ? parentGroup.message.id : null,
          role,
          content: text,
          status: statusOf(m.status),
          createdAt: t,
          updatedAt: Math.max(t, ms(m.update_time) ?? t),
          deletedAt: null,
          metadata: {},
          attachmentIds: [],
        },
      };
      groups.push(g);
    }
    const slug = m.metadata?.model_slug;
    // The label under the reply names ChatGPT's model as its export does (e.g. "gpt-4o").
    if (role === 'assistant' && typeof slug === 'string' && slug.length <= 200) g.message.metadata.modelId = g.message.metadata.modelName = slug;
    g.nodes.push(key);
    g.raw.push(...r.raw);
    counters.raw += r.raw.length;
    counters.missing += r.missing;
    for (const { pointer, part } of r.assets) {
      const asset = assets.get(assetIdOf(pointer))!;
      const attachmentId = await uuidv5(`attachment:${sourceId}:${key}:${part}`, CHATGPT_NAMESPACE);
      attachments.push({
        id: attachmentId,
        conversationId: id,
        messageId: g.message.id,
        name: asset.name.slice(0, 255),
        type: asset.type,
        size: asset.data.size,
        data: asset.data,
        createdAt: t,
        updatedAt: t,
        deletedAt: null,
      });
      g.message.attachmentIds.push(attachmentId);
    }
    groupOf.set(key, g);
    stack.push(...[...(children.get(key) ?? [])].reverse());
  }
  if (!groups.length) return null;
  for (const g of groups) {
    g.message.metadata.imported = { source: 'chatgpt', nodeIds: g.nodes, ...(g.raw.length ? { raw: g.raw } : {}) };
    if (g.message.content.length > CONTENT_MAX) throw new Error(`a message is longer than ${CONTENT_MAX} characters`);
  }
  let leaf: string | null = null;
  if (conv.current_node && mapping[conv.current_node]) {
    const k = rendered.has(conv.current_node) ? conv.current_node : visibleParent(conv.current_node);
    leaf = k ? groupOf.get(k)!.message.id : null;
  }
  const times = groups.map((g) => g.message.createdAt);
  const createdAt = convStart ?? Math.min(...times);
  const conversation: Conversation = {
    id,
    title: ((conv.title ?? '').replace(/\s+/g, ' ').trim() || 'Untitled conversation').slice(0, TITLE_MAX),
    createdAt,
    updatedAt: ms(conv.update_time) ?? Math.max(createdAt, ...groups.map((g) => g.message.updatedAt)),
    pinned: conv.pinned_time != null,
    systemPrompt: prompt.join('\n\n'),
    settings: null,
    currentLeafId: leaf,
    deletedAt: null,
  };
  return { conversation, messages: groups.map((g) => g.message), attachments };
}

/**
 * Maps ChatGPT export files to bundles. `loadAssets` is asked for the asset ids messages point at
 * (the zip's image and file entries) and returns those it has; the others become visible notes.
 */
export async function readChatGptExport(
  files: ChatGptFile[],
  fileName: string,
  loadAssets: (ids: Set<string>) => Promise<Map<string, ChatGptAsset>> = async () => new Map(),
  onProgress?: (done: number, total: number) => void,
): Promise<ParsedImport> {
  const { conversations, skipped } = readChatGptFiles(files);
  const assets = await loadAssets(referencedAssets(conversations));
  const counters = { missing: 0, raw: 0, hidden: 0 };
  const bundles: ImportBundle[] = [];
  for (const [i, { file, index, conv }] of conversations.entries()) {
    let bundle: ImportBundle | null;
    try {
      bundle = await mapConversation(conv, assets, counters);
    } catch (e) {
      throw new ImportProblem('invalid-file', problemText({ file, conversation: { index, title: conv.title }, message: e instanceof Error ? e.message : String(e) }));
    }
    if (bundle) bundles.push(bundle);
    else skipped.push({ title: (conv.title ?? '').trim() || `Conversation ${index + 1} of ${file}`, reason: 'it has no visible messages' });
    onProgress?.(i + 1, conversations.length);
  }
  const notes: string[] = [];
  if (counters.missing) notes.push(`${counters.missing} image${counters.missing === 1 ? ' or file was' : 's or files were'} not in the export; each is marked in its message.`);
  if (counters.raw) notes.push(`${counters.raw} piece${counters.raw === 1 ? '' : 's'} of content Hearth cannot show (e.g. reasoning, voice) ${counters.raw === 1 ? 'is' : 'are'} kept as data in ${counters.raw === 1 ? 'its message' : 'their messages'}.`);
  if (counters.hidden) notes.push(`${counters.hidden} hidden context message${counters.hidden === 1 ? ' was' : 's were'} not shown (ChatGPT hides ${counters.hidden === 1 ? 'it' : 'them'} too).`);
  return { source: 'chatgpt', fileName, bundles, skipped, notes };
}

/** Asset file name and type for a zip entry (names from conversation_asset_file_names.json). */
export async function assetFromEntry(entryName: string, data: Blob, friendlyNames: Record<string, unknown>): Promise<ChatGptAsset> {
  const base = entryName.split('/').pop() ?? entryName;
  const friendly = friendlyNames[entryName] ?? friendlyNames[base];
  // `file-AbC123-photo.png` → `photo.png`; `file_00ab.dat` keeps its name unless the map names it.
  const name = typeof friendly === 'string' && friendly.trim() ? friendly.trim() : base.replace(/^file[-_][A-Za-z0-9]+-(?=.)/, '');
  return { name, type: await sniffType(data, name), data };
}
