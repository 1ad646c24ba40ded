// Canonical ids for local records: UUID-shaped ids in lower case (sync binds ids into the
// encryption and the server refuses other spellings). Imports write canonical ids; records an
// older version imported with upper-case ids are rewritten here, with every reference to them and
// their outbox entries, in one transaction (run when a push meets such an id, and at sign-in).
import { canonicalId } from '../shared/sync/protocol';
import { guard } from './errors';
import { enqueueMany, outboxKey } from './outbox';
import type { HearthDb } from './schema';
import type { Attachment, Conversation, Message, SyncKind } from './types';

const opt = (v: string | null) => (v === null ? null : canonicalId(v));

export const canonicalConversation = (c: Conversation): Conversation => ({ ...c, id: canonicalId(c.id), currentLeafId: opt(c.currentLeafId) });
export const canonicalMessage = (m: Message): Message => ({
  ...m,
  id: canonicalId(m.id),
  conversationId: canonicalId(m.conversationId),
  parentId: opt(m.parentId),
  attachmentIds: m.attachmentIds.map(canonicalId),
});
export const canonicalAttachment = (a: Attachment): Attachment => ({ ...a, id: canonicalId(a.id), conversationId: canonicalId(a.conversationId), messageId: opt(a.messageId) });

/** Rewrites local records whose ids (or references) are not canonical; returns how many. Call inside or outside a transaction. */
export function canonicalizeLocalIds(db: HearthDb): Promise<number> {
  return guard(() =>
    db.transaction('rw', [db.conversations, db.messages, db.attachments, db.outbox], async () => {
      let changed = 0;
      const fix = async <T extends { id: string }>(kind: SyncKind, table: HearthDb['messages'], rows: T[], canon: (r: T) => T) => {
        for (const row of rows) {
          const next = canon(row);
          if (JSON.stringify({ ...next, data: undefined }) === JSON.stringify({ ...row, data: undefined })) continue;
          if (next.id !== row.id) {
            await table.delete(row.id);
            await db.outbox.delete(outboxKey(kind, row.id));
          }
          await (table as unknown as HearthDb['conversations']).put(next as unknown as Conversation);
          await enqueueMany(db, [{ kind, id: next.id }]);
          changed++;
        }
      };
      const t = (x: unknown) => x as HearthDb['messages'];
      await fix('conversation', t(db.conversations), await db.conversations.toArray(), canonicalConversation);
      await fix('message', t(db.messages), await db.messages.toArray(), canonicalMessage);
      await fix('attachment', t(db.attachments), await db.attachments.toArray(), canonicalAttachment);
      return changed;
    }),
  );
}
