// ChatGPT's data export ("conversations.json", split conversations-000.json, -001.json, …, or
// `{"conversations": [...]}`) checked and mapped to Hearth records (src/io/chatgptTree.ts for
// one conversation). Shapes seen in real exports are accepted: slim nodes without children,
// status, recipient, weight or metadata; parts holding objects; a conversation with only
// `conversation_id` or only `id`; null, missing or inverted timestamps; a null title.
import '../shared/zodConfig';
import { z } from 'zod';
import type { ImportBundle, ParsedImport, SkippedConversation } from './bundle';
import type { ChatGptAsset } from './chatgptAssets';
import { assetIdOf, listedFiles, partAssetIds } from './chatgptParts';
import { mapConversation, type CgTree, type Counters } from './chatgptTree';
import { plural } from './importText';
import { fieldPath, ImportProblem, problemText } from './problems';

export { assetIdOf };
export { assetFromEntry, type ChatGptAsset } from './chatgptAssets';

const Time = z.union([z.number(), z.string()]).nullish();
const Content = z.looseObject({ content_type: z.string(), parts: z.array(z.unknown()).nullish() });
const Message_ = z.looseObject({
  id: z.string().nullish(),
  author: z.looseObject({ role: z.string(), name: z.string().nullish() }),
  create_time: Time,
  update_time: Time,
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
  create_time: Time,
  update_time: Time,
  mapping: z.record(z.string(), Node).nullish(),
  current_node: z.string().nullish(),
  pinned_time: z.unknown().optional(),
  is_archived: z.unknown().optional(),
});
type CgConversation = z.infer<typeof ConversationIn>;

export interface ChatGptFile {
  name: string;
  json: unknown;
}

/** Whether parsed JSON looks like ChatGPT's conversations (a list of `mapping` trees, or one). */
export function isChatGptJson(json: unknown): boolean {
  const o = json as Record<string, unknown> | null;
  if (o && typeof o === 'object' && !Array.isArray(o)) return 'mapping' in o || (Array.isArray(o.conversations) && isChatGptJson(o.conversations));
  return Array.isArray(json) && (json.length === 0 || json.some((c) => !!c && typeof c === 'object' && 'mapping' in c));
}

function listOf(f: ChatGptFile): unknown[] {
  const o = f.json as Record<string, unknown> | null;
  if (Array.isArray(f.json)) return f.json;
  if (o && typeof o === 'object' && 'mapping' in o) return [o];
  if (o && typeof o === 'object' && Array.isArray(o.conversations)) return o.conversations;
  throw new ImportProblem('invalid-file', `${f.name}: is not a list of ChatGPT conversations.`);
}

interface Checked {
  file: string;
  index: number;
  conv: CgConversation;
}

/** Checks each file's shape; returns the conversations to map and the ones skipped. */
export function readChatGptFiles(files: ChatGptFile[]): { conversations: Checked[]; skipped: SkippedConversation[] } {
  const conversations: Checked[] = [];
  const skipped: SkippedConversation[] = [];
  const seen = new Set<string>();
  for (const f of files) {
    listOf(f).forEach((item, index) => {
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
      const ok = new Set<string>();
      for (const start of Object.keys(conv.mapping)) {
        const chain = new Set<string>();
        for (let k: string | null | undefined = start; k && !ok.has(k); k = conv.mapping[k]?.parent) {
          if (chain.has(k)) throw where(`mapping.${start}.parent`, 'makes a loop of parents');
          chain.add(k);
        }
        for (const k of chain) ok.add(k);
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

/** Asset ids (`file-…`) that messages point at or list in `metadata.attachments`. */
export function referencedAssets(conversations: { conv: CgConversation }[]): Set<string> {
  const ids = new Set<string>();
  for (const { conv } of conversations) {
    for (const node of Object.values(conv.mapping ?? {})) {
      for (const id of partAssetIds(node.message?.content?.parts)) ids.add(id);
      for (const f of listedFiles(node.message?.metadata)) ids.add(f.id);
    }
  }
  return ids;
}

/**
 * Maps ChatGPT export files to bundles. `loadAssets` is asked for the asset ids messages point at
 * (the zip's image, voice and file entries) and returns those it has; the others become visible notes.
 */
export async function readChatGptExport(
  files: ChatGptFile[],
  fileName: string,
  loadAssets: (ids: Set<string>) => Promise<Map<string, ChatGptAsset>> = async () => new Map(),
  onProgress?: (done: number, total: number) => void,
): Promise<ParsedImport> {
  const { conversations, skipped } = readChatGptFiles(files);
  const assets = await loadAssets(referencedAssets(conversations));
  const counters: Counters = { missing: 0, raw: 0, hidden: 0 };
  const bundles: ImportBundle[] = [];
  let archived = 0;
  for (const [i, { file, index, conv }] of conversations.entries()) {
    let bundle: ImportBundle | null;
    const tree: CgTree = { ...conv, sourceId: (conv.conversation_id ?? conv.id)!, mapping: conv.mapping! };
    try {
      bundle = await mapConversation(tree, assets, counters);
    } catch (e) {
      throw new ImportProblem('invalid-file', problemText({ file, conversation: { index, title: conv.title }, message: e instanceof Error ? e.message : String(e) }));
    }
    if (bundle) {
      bundles.push(bundle);
      if (conv.is_archived === true) archived++;
    } else skipped.push({ title: (conv.title ?? '').trim() || `Conversation ${index + 1} of ${file}`, reason: 'it has no visible messages' });
    onProgress?.(i + 1, conversations.length);
  }
  const notes: string[] = [];
  if (counters.missing) notes.push(`${plural(counters.missing, 'image, voice clip or file', 'images, voice clips or files')} ${counters.missing === 1 ? 'was' : 'were'} not in the export; each image or file is marked in its message.`);
  if (counters.raw) notes.push(`${plural(counters.raw, 'piece')} of content ChatGPT does not show (memory notes, tool replies) or Hearth cannot show ${counters.raw === 1 ? 'is' : 'are'} kept as data in ${counters.raw === 1 ? 'its message' : 'their messages'}.`);
  if (counters.hidden) notes.push(`${plural(counters.hidden, 'hidden context message')} ${counters.hidden === 1 ? 'was' : 'were'} not shown (ChatGPT hides ${counters.hidden === 1 ? 'it' : 'them'} too); kept as data.`);
  if (archived) notes.push(`${plural(archived, 'archived conversation')} ${archived === 1 ? 'is' : 'are'} imported with the others.`);
  return { source: 'chatgpt', fileName, bundles, skipped, notes };
}
