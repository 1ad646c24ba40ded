// One ChatGPT conversation (its `mapping` tree) mapped to Hearth records. Every branch is kept;
// the null root is dropped (its children become roots); `current_node` becomes the branch on
// screen. Hidden nodes (system, `is_visually_hidden_from_conversation`, custom instructions) are
// not messages: custom instructions become the system prompt, the others are kept as data in
// the next message. An assistant's turn (thoughts, tool calls and their output, its answer)
// becomes one assistant message when it does not branch: its answer is the body, the rest its
// `metadata.imported.steps` / `documents` (src/io/chatgptParts.ts). Ids are UUIDv5 of ChatGPT's.
import type { Attachment, Conversation, ImportedFrom, Message, MessageStatus } from '../db/types';
import type { ImportBundle } from './bundle';
import { displayName, type ChatGptAsset } from './chatgptAssets';
import { assetIdOf, listedFiles, newTurn, partAssetIds, readNode, type CgNodeMessage, type TurnState } from './chatgptParts';
import { timeOf, titleOf } from './importText';
import { CHATGPT_NAMESPACE, uuidv5 } from './uuidv5';

export interface CgNode {
  message?: (CgNodeMessage & { create_time?: unknown; update_time?: unknown; status?: string | null }) | null;
  parent?: string | null;
}

export interface CgTree {
  sourceId: string;
  title?: string | null;
  create_time?: unknown;
  update_time?: unknown;
  mapping: Record<string, CgNode>;
  current_node?: string | null;
  pinned_time?: unknown;
  is_starred?: unknown;
}

export interface Counters {
  missing: number;
  raw: number;
  hidden: number;
}

const CONTENT_MAX = 10_000_000;

function isHidden(m: CgNode['message']): boolean {
  if (!m) return true;
  if (m.author.role === 'system') return true;
  if (m.metadata?.is_visually_hidden_from_conversation === true || m.metadata?.is_user_system_message === true) return true;
  const type = m.content?.content_type;
  return type === 'user_editable_context' || type === 'model_editable_context';
}

/** An assistant text node with nothing in it (ChatGPT's placeholders between tool calls). */
function isEmpty(m: NonNullable<CgNode['message']>): boolean {
  const c = m.content;
  if (!c) return true;
  if (c.content_type !== 'text') return false;
  return (c.parts ?? []).every((p) => typeof p === 'string' && !p.trim());
}

/** Custom instructions (and any text of hidden system messages) become the system prompt. */
function instructionsOf(m: NonNullable<CgNode['message']>): string[] {
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

interface Group {
  message: Message;
  nodes: string[];
  raw: unknown[];
  turn: TurnState;
}

export async function mapConversation(conv: CgTree, assets: Map<string, ChatGptAsset>, counters: Counters): Promise<ImportBundle | null> {
  const { sourceId, mapping } = conv;
  const id = await uuidv5(`conversation:${sourceId}`, CHATGPT_NAMESPACE);
  const found = (pointer: string) => assets.has(assetIdOf(pointer));
  const convStart = timeOf(conv.create_time);

  // Nodes that become (part of) messages; the others are hidden (kept as data) or empty.
  const shown = new Set<string>();
  const prompt: string[] = [];
  for (const [key, node] of Object.entries(mapping)) {
    const m = node.message;
    if (!m) continue;
    if (isHidden(m)) {
      for (const line of instructionsOf(m)) if (!prompt.includes(line)) prompt.push(line);
      if (m.content?.content_type !== 'user_editable_context' && m.author.role !== 'system') counters.hidden++;
      continue;
    }
    if (!isEmpty(m)) shown.add(key);
  }
  const visibleParent = (key: string): string | null => {
    for (let k = mapping[key]?.parent; k; k = mapping[k]?.parent) if (shown.has(k)) return k;
    return null;
  };
  const children = new Map<string | null, string[]>();
  for (const key of shown) {
    const p = visibleParent(key);
    const list = children.get(p) ?? [];
    list.push(key);
    children.set(p, list);
  }
  const timeAt = (key: string) => timeOf(mapping[key].message?.create_time);
  for (const list of children.values()) list.sort((a, b) => (timeAt(a) ?? 0) - (timeAt(b) ?? 0) || (a < b ? -1 : 1));

  const groupOf = new Map<string, Group>();
  const groups: Group[] = [];
  const attachments: Attachment[] = [];
  const claimedHidden = new Set<string>();
  const stack: string[] = [...(children.get(null) ?? [])].reverse();
  while (stack.length) {
    const key = stack.pop()!;
    const m = mapping[key].message!;
    const parentKey = visibleParent(key);
    const parentGroup = parentKey ? groupOf.get(parentKey)! : null;
    const role = m.author.role === 'user' ? 'user' : 'assistant';
    const t = timeAt(key) ?? (parentGroup ? parentGroup.message.createdAt + 1 : (convStart ?? 0));
    let g: Group;
    if (role === 'assistant' && parentGroup?.message.role === 'assistant' && children.get(parentKey)?.length === 1) g = parentGroup;
    else {
      const inherited = parentGroup?.turn;
      g = {
        nodes: [],
        raw: [],
        turn: newTurn(new Map(inherited?.canvas), inherited?.lastCanvas ?? null),
        message: {
          id: await uuidv5(`message:${sourceId}:${key}`, CHATGPT_NAMESPACE),
          conversationId: id,
          parentId: parentGroup ? parentGroup.message.id : null,
          role,
          content: '',
          status: 'complete',
          createdAt: t,
          updatedAt: t,
          deletedAt: null,
          metadata: {},
          attachmentIds: [],
        },
      };
      groups.push(g);
    }
    // Hidden nodes between this one and its visible parent are kept as data here.
    for (let k = mapping[key].parent; k && k !== parentKey; k = mapping[k]?.parent) {
      const hidden = mapping[k].message;
      if (hidden && !claimedHidden.has(k) && hidden.author.role !== 'system' && hidden.content?.content_type !== 'user_editable_context') {
        claimedHidden.add(k);
        g.nodes.push(k);
        g.raw.push({ hidden: true, content: hidden.content, ...(hidden.metadata?.user_context_message_data ? { user_context_message_data: hidden.metadata.user_context_message_data } : {}) });
      }
    }
    const view = readNode(m, g.turn, found);
    // Uploaded documents appear only in metadata.attachments (images are parts as well).
    const inParts = new Set(partAssetIds(m.content?.parts));
    for (const [i, f] of listedFiles(m.metadata).entries()) {
      if (inParts.has(f.id)) continue;
      if (assets.has(f.id)) view.assets.push({ pointer: f.id, part: 10_000 + i, kind: 'file' });
      else {
        view.missing++;
        view.body = [view.body, `[File not included in the export: ${f.name || f.id}]`].filter(Boolean).join('\n\n');
      }
    }
    g.message.content = [g.message.content, view.body].filter((s) => s.trim()).join('\n\n');
    g.message.updatedAt = Math.max(g.message.updatedAt, timeOf(m.update_time) ?? t);
    g.message.status = statusOf(m.status);
    const slug = m.metadata?.model_slug;
    if (role === 'assistant' && typeof slug === 'string' && slug.length <= 200) g.message.metadata.modelId = g.message.metadata.modelName = slug;
    g.nodes.push(key);
    g.raw.push(...view.raw);
    counters.raw += view.raw.length;
    counters.missing += view.missing;
    const named = listedFiles(m.metadata);
    for (const { pointer, part, kind, seconds } of view.assets) {
      const asset = assets.get(assetIdOf(pointer))!;
      const own = named.find((a) => a.id === assetIdOf(pointer))?.name;
      const attachmentId = await uuidv5(`attachment:${sourceId}:${key}:${part}`, CHATGPT_NAMESPACE);
      attachments.push({
        id: attachmentId,
        conversationId: id,
        messageId: g.message.id,
        name: displayName(asset, kind, own, seconds),
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
    const imported: ImportedFrom = { source: 'chatgpt', nodeIds: g.nodes };
    if (g.raw.length) imported.raw = g.raw;
    if (g.turn.steps.length) imported.steps = g.turn.steps;
    if (g.turn.documents.length) imported.documents = g.turn.documents;
    g.message.metadata.imported = imported;
    if (g.message.content.length > CONTENT_MAX) throw new Error(`a message is longer than ${CONTENT_MAX} characters`);
  }
  let leaf: string | null = null;
  if (conv.current_node && mapping[conv.current_node]) {
    const k = shown.has(conv.current_node) ? conv.current_node : visibleParent(conv.current_node);
    leaf = k ? groupOf.get(k)!.message.id : null;
  }
  const times = groups.map((g) => g.message.createdAt);
  const createdAt = convStart ?? Math.min(...times);
  const conversation: Conversation = {
    id,
    title: titleOf(conv.title, groups.find((g) => g.message.role === 'user' && g.message.content.trim())?.message.content),
    createdAt,
    updatedAt: Math.max(createdAt, timeOf(conv.update_time) ?? 0, ...groups.map((g) => g.message.updatedAt)),
    pinned: (conv.pinned_time != null && conv.pinned_time !== false) || conv.is_starred === true,
    systemPrompt: prompt.join('\n\n'),
    settings: null,
    currentLeafId: leaf,
    deletedAt: null,
  };
  return { conversation, messages: groups.map((g) => g.message), attachments };
}
