// Builds a Hearth export file (src/io/format.ts) as a Blob made of Blob parts: each conversation
// and each slice of attachment base64 becomes its own small Blob as soon as it is written, so the
// strings are short-lived and memory stays bounded however large the export is.
import type { Attachment, Conversation, Message } from '../db/types';
import { encodeBlob } from './base64';
import { conversationFields, EXPORT_FORMAT, EXPORT_VERSION, type ExportAttachment, type ExportMessage } from './format';

/** What the builder reads (the app passes the storage repositories). */
export interface ExportSource {
  /** Live (not deleted) conversations. */
  conversations(): Promise<Conversation[]>;
  messages(conversationId: string): Promise<Message[]>;
  attachments(conversationId: string): Promise<Attachment[]>;
}

export interface ExportOptions {
  includeAttachments: boolean;
  /** Only these conversations (default: all). */
  conversationIds?: string[];
  now?: Date;
  onProgress?: (done: number, total: number) => void;
}

const byTime = <T extends { createdAt: number; id: string }>(a: T, b: T) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/** Objects with their keys sorted (recursively), so equal data always serialises the same. */
export function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === 'object' && !(value instanceof Blob)) {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
        .map((k) => [k, sortKeys((value as Record<string, unknown>)[k])]),
    );
  }
  return value;
}

export function exportMessage(m: Message): ExportMessage {
  return {
    id: m.id,
    parentId: m.parentId,
    role: m.role,
    content: m.content,
    status: m.status,
    createdAt: m.createdAt,
    updatedAt: m.updatedAt,
    metadata: sortKeys(m.metadata ?? {}) as ExportMessage['metadata'],
    attachmentIds: [...(m.attachmentIds ?? [])],
  };
}

function attachmentHead(a: Attachment, sha256: string): Omit<ExportAttachment, 'data'> {
  return {
    id: a.id,
    messageId: a.messageId,
    name: a.name,
    type: a.type,
    size: a.data.size,
    sha256,
    createdAt: a.createdAt,
    updatedAt: a.updatedAt,
  };
}

/** The export as a Blob (application/json). */
export async function buildExport(source: ExportSource, options: ExportOptions): Promise<Blob> {
  const wanted = options.conversationIds ? new Set(options.conversationIds) : null;
  const conversations = (await source.conversations()).filter((c) => c.deletedAt === null && (!wanted || wanted.has(c.id))).sort(byTime);
  const parts: Blob[] = [];
  const write = (text: string) => parts.push(new Blob([text]));
  write(
    `{"format":${JSON.stringify(EXPORT_FORMAT)},"version":${EXPORT_VERSION},"exportedAt":${JSON.stringify((options.now ?? new Date()).toISOString())},` +
      `"includesAttachments":${options.includeAttachments},"conversations":[`,
  );
  let done = 0;
  for (const c of conversations) {
    const messages = (await source.messages(c.id)).filter((m) => m.deletedAt === null).sort(byTime).map(exportMessage);
    const attachments = (await source.attachments(c.id)).filter((a) => a.deletedAt === null).sort(byTime);
    const head = JSON.stringify({ ...conversationFields(c), messages });
    write(`${done ? ',' : ''}\n${head.slice(0, -1)},"attachments":[`);
    for (const [i, a] of attachments.entries()) {
      const sep = i ? ',' : '';
      if (!options.includeAttachments) {
        write(sep + JSON.stringify(attachmentHead(a, await encodeBlob(a.data))));
        continue;
      }
      // The hash is needed before the data (key order is fixed), so the bytes are read twice.
      const sha256 = await encodeBlob(a.data);
      write(`${sep}${JSON.stringify(attachmentHead(a, sha256)).slice(0, -1)},"data":"`);
      await encodeBlob(a.data, write);
      write('"}');
    }
    write(']}');
    done++;
    options.onProgress?.(done, conversations.length);
  }
  write('\n]}\n');
  return new Blob(parts, { type: 'application/json' });
}

/** `hearth-export-2026-12-01.json`, or `hearth-<title>-2026-12-01.json` for one conversation. */
export function exportFileName(now: Date, title?: string, ext = 'json'): string {
  const day = now.toISOString().slice(0, 10);
  return title ? `${slug(title)}-${day}.${ext}` : `hearth-export-${day}.${ext}`;
}

export function slug(title: string): string {
  const s = title
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60)
    .replace(/-+$/, '');
  return `hearth-${s || 'conversation'}`;
}

/** The export source over the app's storage repositories (live records only). */
export function exportSourceOf(storage: {
  conversations: { list(): Promise<Conversation[]> };
  messages: { listByConversation(id: string): Promise<Message[]> };
  attachments: { listByConversation(id: string): Promise<Attachment[]> };
}): ExportSource {
  return {
    conversations: () => storage.conversations.list(),
    messages: (id) => storage.messages.listByConversation(id),
    attachments: (id) => storage.attachments.listByConversation(id),
  };
}
