// Writes an import: every conversation, message and attachment of the import plus their outbox
// entries in ONE transaction (design rule 4), so a failure (quota, a closed database) leaves the
// database exactly as it was. A conversation whose id is already here (imported before, or made
// here and exported) is skipped, so importing the same file twice adds nothing; so is one whose
// message or attachment ids belong to records already stored (a clash with other data). UUID ids
// are stored in canonical lower case (sync binds ids into the encryption and the server refuses
// other spellings), so a file with upper-case ids imports as the same conversation every time.
// Its outbox entries are queued to reconcile (src/db/syncApply.ts): pushed only if the account
// lacks the record or holds it older.
import { guard } from './errors';
import { canonicalAttachment, canonicalConversation, canonicalMessage } from './idRepair';
import { enqueueMany } from './outbox';
import type { HearthDb } from './schema';
import type { Attachment, Conversation, Message, SyncKind } from './types';

export interface ImportBundle {
  conversation: Conversation;
  messages: Message[];
  attachments: Attachment[];
}

export interface ImportWriteResult {
  imported: { id: string; title: string; messages: number; attachments: number }[];
  skipped: { id: string; title: string; reason: string }[];
}

export class ImportRepo {
  constructor(private readonly db: HearthDb) {}

  write(input: ImportBundle[]): Promise<ImportWriteResult> {
    const { db } = this;
    const bundles = input.map(canonicalBundle);
    return guard(() =>
      db.transaction('rw', [db.conversations, db.messages, db.attachments, db.outbox], async () => {
        const result: ImportWriteResult = { imported: [], skipped: [] };
        const existing = await db.conversations.bulkGet(bundles.map((b) => b.conversation.id));
        const messageIds = bundles.flatMap((b) => b.messages.map((m) => m.id));
        const attachmentIds = bundles.flatMap((b) => b.attachments.map((a) => a.id));
        const takenMessages = new Set((await db.messages.bulkGet(messageIds)).filter((m) => m).map((m) => m!.id));
        const takenAttachments = new Set((await db.attachments.bulkGet(attachmentIds)).filter((a) => a).map((a) => a!.id));
        const seen = new Set<string>();
        const add: ImportBundle[] = [];
        bundles.forEach((b, i) => {
          const { id, title } = b.conversation;
          const here = existing[i];
          if (here || seen.has(id)) {
            const reason = here?.deletedAt != null ? 'already in Hearth (deleted there)' : 'already in Hearth';
            result.skipped.push({ id, title, reason });
          } else if (b.messages.some((m) => takenMessages.has(m.id)) || b.attachments.some((a) => takenAttachments.has(a.id))) {
            result.skipped.push({ id, title, reason: 'its messages are already in Hearth in another conversation' });
          } else {
            add.push(b);
            result.imported.push({ id, title, messages: b.messages.length, attachments: b.attachments.length });
          }
          seen.add(id);
        });
        await db.conversations.bulkAdd(add.map((b) => b.conversation));
        await db.messages.bulkAdd(add.flatMap((b) => b.messages));
        await db.attachments.bulkAdd(add.flatMap((b) => b.attachments));
        const queue: { kind: SyncKind; id: string }[] = [];
        for (const b of add) {
          queue.push({ kind: 'conversation', id: b.conversation.id });
          for (const m of b.messages) queue.push({ kind: 'message', id: m.id });
          for (const a of b.attachments) queue.push({ kind: 'attachment', id: a.id });
        }
        // Queued to reconcile: an imported record is no edit made here but a copy with its own
        // `updatedAt` (perhaps of a record the account holds in a newer version): the next sync
        // pulls before it pushes it, and the newer version wins.
        await enqueueMany(db, queue, true);
        return result;
      }),
    );
  }
}

/** The bundle with every id (and reference to one) in canonical spelling. */
function canonicalBundle(b: ImportBundle): ImportBundle {
  return { conversation: canonicalConversation(b.conversation), messages: b.messages.map(canonicalMessage), attachments: b.attachments.map(canonicalAttachment) };
}
