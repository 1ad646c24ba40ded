// Reads a Hearth export (src/io/format.ts): schema first (zod), then what a schema cannot say
// (unique ids, parents and leaves inside the conversation, no cycles, attachment references, each
// attachment's size and SHA-256 against its bytes). Any problem rejects the whole file, naming the
// file, the conversation and the field. Ids are kept, so a second import of the file adds nothing.
import type { Attachment, Conversation, Message } from '../db/types';
import { Base64Error, decodeToBlob, sha256Hex } from './base64';
import type { ImportBundle, ParsedImport } from './bundle';
import { conversationFields, EXPORT_FORMAT, EXPORT_VERSION, ExportSchema, type ExportConversation } from './format';
import { fieldPath, ImportProblem, problemText } from './problems';

export function isHearthExport(json: unknown): boolean {
  return !!json && typeof json === 'object' && !Array.isArray(json) && (json as { format?: unknown }).format === EXPORT_FORMAT;
}

/** Problems a schema cannot see, for one conversation: `[field, message]` pairs. */
function checkReferences(c: ExportConversation, globalIds: Set<string>): [string, string][] {
  const out: [string, string][] = [];
  const messages = new Map<string, ExportConversation['messages'][number]>();
  const claim = (id: string, field: string) => {
    if (globalIds.has(id)) out.push([field, `the id ${id} is used twice in the file`]);
    globalIds.add(id);
  };
  claim(c.id, 'id');
  c.messages.forEach((m, i) => {
    claim(m.id, `messages[${i}].id`);
    messages.set(m.id, m);
  });
  const attachments = new Set<string>();
  c.attachments.forEach((a, i) => {
    claim(a.id, `attachments[${i}].id`);
    attachments.add(a.id);
  });
  c.messages.forEach((m, i) => {
    if (m.parentId !== null && !messages.has(m.parentId)) out.push([`messages[${i}].parentId`, 'refers to a message that is not in this conversation']);
    m.attachmentIds.forEach((id, j) => {
      if (!attachments.has(id)) out.push([`messages[${i}].attachmentIds[${j}]`, 'refers to an attachment that is not in this conversation']);
    });
  });
  // No cycles: every chain of parents ends at a root.
  const ok = new Set<string>();
  c.messages.forEach((m, i) => {
    const chain = new Set<string>();
    let cur: typeof m | undefined = m;
    while (cur && !ok.has(cur.id)) {
      if (chain.has(cur.id)) {
        out.push([`messages[${i}].parentId`, 'makes a loop of parents']);
        return;
      }
      chain.add(cur.id);
      cur = cur.parentId === null ? undefined : messages.get(cur.parentId);
    }
    for (const id of chain) ok.add(id);
  });
  if (c.currentLeafId !== null && !messages.has(c.currentLeafId)) out.push(['currentLeafId', 'refers to a message that is not in this conversation']);
  c.attachments.forEach((a, i) => {
    if (a.messageId !== null && !messages.has(a.messageId)) out.push([`attachments[${i}].messageId`, 'refers to a message that is not in this conversation']);
  });
  return out;
}

export async function readHearthExport(json: unknown, fileName: string): Promise<ParsedImport> {
  const version = (json as { version?: unknown }).version;
  if (typeof version === 'number' && version > EXPORT_VERSION) {
    throw new ImportProblem('unsupported', `${fileName}: made by a newer Hearth (format version ${version}); this Hearth reads version ${EXPORT_VERSION}. Update Hearth and try again.`);
  }
  const parsed = ExportSchema.safeParse(json);
  const raw = (json as { conversations?: unknown }).conversations;
  const rawTitle = (i: number) => (Array.isArray(raw) ? (raw[i] as { title?: unknown } | undefined)?.title : undefined);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const path = issue.path;
    const inConversation = path[0] === 'conversations' && typeof path[1] === 'number';
    const more = parsed.error.issues.length > 1 ? ` (and ${parsed.error.issues.length - 1} more problem${parsed.error.issues.length > 2 ? 's' : ''})` : '';
    throw new ImportProblem(
      'invalid-file',
      problemText({
        file: fileName,
        conversation: inConversation ? { index: path[1] as number, title: rawTitle(path[1] as number) } : undefined,
        field: fieldPath(inConversation ? path.slice(2) : path) || undefined,
        message: issue.message + more,
      }),
    );
  }
  const file = parsed.data;
  const ids = new Set<string>();
  const bundles: ImportBundle[] = [];
  let leftOut = 0;
  for (const [index, c] of file.conversations.entries()) {
    const fail = (field: string, message: string) => new ImportProblem('invalid-file', problemText({ file: fileName, conversation: { index, title: c.title }, field, message }));
    const refs = checkReferences(c, ids);
    if (refs.length) throw fail(...refs[0]);
    const attachments: Attachment[] = [];
    for (const [i, a] of c.attachments.entries()) {
      if (a.data === undefined) {
        if (file.includesAttachments) throw fail(`attachments[${i}].data`, 'is missing (the file says it includes attachments)');
        leftOut++;
        continue;
      }
      let data: Blob;
      try {
        data = decodeToBlob(a.data, a.type);
      } catch (e) {
        throw fail(`attachments[${i}].data`, e instanceof Base64Error ? e.message : String(e));
      }
      if (data.size !== a.size) throw fail(`attachments[${i}].data`, `holds ${data.size} bytes but size says ${a.size}`);
      if ((await sha256Hex(data)) !== a.sha256) throw fail(`attachments[${i}].data`, 'does not match its SHA-256 (the file is damaged)');
      attachments.push({ id: a.id, conversationId: c.id, messageId: a.messageId, name: a.name, type: a.type, size: a.size, data, createdAt: a.createdAt, updatedAt: a.updatedAt, deletedAt: null });
    }
    const kept = new Set(attachments.map((a) => a.id));
    const messages: Message[] = c.messages.map((m) => ({
      ...m,
      conversationId: c.id,
      deletedAt: null,
      metadata: m.metadata as Message['metadata'],
      attachmentIds: m.attachmentIds.filter((id) => kept.has(id)),
    }));
    const conversation: Conversation = { ...conversationFields(c), deletedAt: null };
    bundles.push({ conversation, messages, attachments });
  }
  const notes = leftOut ? [`${leftOut} attachment${leftOut === 1 ? ' was' : 's were'} left out of this file when it was exported (“Include attachments” was off).`] : [];
  return { source: 'hearth', fileName, bundles, skipped: [], notes };
}
