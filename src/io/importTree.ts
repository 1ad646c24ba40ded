// A conversation from a source whose messages are already a tree or a list (Claude, Open WebUI)
// turned into Hearth records: ids are UUIDv5 of the source's ids (a second import adds nothing),
// a parent that is unknown or not in the conversation makes the message follow the one before it, a loop
// of parents is cut, siblings are ordered by time, and the current leaf is the source's or the
// newest message.
import type { Attachment, Conversation, ImportSource, ImportedStep, Message } from '../db/types';
import type { ImportBundle } from './bundle';
import { titleOf } from './importText';
import { CHATGPT_NAMESPACE, uuidv5 } from './uuidv5';

export interface SourceMessage {
  key: string;
  /** null: a root; undefined (the source does not say): it follows the message before it. */
  parentKey: string | null | undefined;
  role: 'user' | 'assistant';
  content: string;
  createdAt: number | null;
  updatedAt?: number | null;
  modelId?: string;
  steps?: ImportedStep[];
  raw?: unknown[];
  files?: { name: string; type: string; data: Blob }[];
}

export interface SourceConversation {
  source: ImportSource;
  key: string;
  title: unknown;
  createdAt: number | null;
  updatedAt: number | null;
  pinned: boolean;
  currentKey: string | null;
  messages: SourceMessage[];
}

const CONTENT_MAX = 10_000_000;

export async function bundleOf(c: SourceConversation): Promise<ImportBundle | null> {
  if (!c.messages.length) return null;
  const ns = (kind: string, key: string) => uuidv5(`${c.source}:${kind}:${c.key}:${key}`, CHATGPT_NAMESPACE);
  const id = await uuidv5(`${c.source}:conversation:${c.key}`, CHATGPT_NAMESPACE);
  const byKey = new Map(c.messages.map((m) => [m.key, m]));
  // Parents: the source's when it is in the conversation and makes no loop, else the previous message.
  const parent = new Map<string, string | null>();
  c.messages.forEach((m, i) => {
    const previous = i > 0 ? c.messages[i - 1].key : null;
    let p = m.parentKey === null ? null : m.parentKey !== undefined && byKey.has(m.parentKey) && m.parentKey !== m.key ? m.parentKey : previous;
    for (let k = p; k; k = parent.get(k) ?? null) {
      if (k === m.key) {
        p = null;
        break;
      }
    }
    parent.set(m.key, p);
  });
  const start = c.createdAt ?? c.messages.find((m) => m.createdAt !== null)?.createdAt ?? 0;
  const ids = new Map<string, string>();
  for (const m of c.messages) ids.set(m.key, await ns('message', m.key));
  const messages: Message[] = [];
  const attachments: Attachment[] = [];
  let last = start;
  for (const m of c.messages) {
    const t = m.createdAt ?? last + 1;
    last = t;
    if (m.content.length > CONTENT_MAX) throw new Error(`a message is longer than ${CONTENT_MAX} characters`);
    const message: Message = {
      id: ids.get(m.key)!,
      conversationId: id,
      parentId: parent.get(m.key) ? ids.get(parent.get(m.key)!)! : null,
      role: m.role,
      content: m.content,
      status: 'complete',
      createdAt: t,
      updatedAt: Math.max(t, m.updatedAt ?? t),
      deletedAt: null,
      metadata: {
        ...(m.modelId ? { modelId: m.modelId.slice(0, 200) } : {}),
        imported: { source: c.source, nodeIds: [m.key], ...(m.raw?.length ? { raw: m.raw } : {}), ...(m.steps?.length ? { steps: m.steps } : {}) },
      },
      attachmentIds: [],
    };
    for (const [i, f] of (m.files ?? []).entries()) {
      const attachmentId = await ns('attachment', `${m.key}:${i}`);
      attachments.push({ id: attachmentId, conversationId: id, messageId: message.id, name: f.name.slice(0, 255) || 'file', type: f.type, size: f.data.size, data: f.data, createdAt: t, updatedAt: t, deletedAt: null });
      message.attachmentIds.push(attachmentId);
    }
    messages.push(message);
  }
  const newest = messages.reduce((a, b) => (b.createdAt >= a.createdAt ? b : a));
  const leaf = c.currentKey && ids.has(c.currentKey) ? ids.get(c.currentKey)! : newest.id;
  const createdAt = c.createdAt ?? Math.min(...messages.map((m) => m.createdAt));
  const conversation: Conversation = {
    id,
    title: titleOf(c.title, c.messages.find((m) => m.role === 'user' && m.content.trim())?.content),
    createdAt,
    updatedAt: Math.max(createdAt, c.updatedAt ?? 0, ...messages.map((m) => m.updatedAt)),
    pinned: c.pinned,
    systemPrompt: '',
    settings: null,
    currentLeafId: leaf,
    deletedAt: null,
  };
  return { conversation, messages, attachments };
}
