// Applies records pulled from the sync server, without putting them in the outbox (they came from
// the server; queueing them would echo every pull back as a push), in one transaction with the
// cursor update, so a crash leaves either the whole page applied with its cursor or nothing.
//
// Rules (documented in README "Sync"):
// - Last writer wins by server order: a pulled version replaces the local one...
// - ...unless the record has a pending local change (an outbox entry): then the local version is
//   kept, and since it is pushed after this pull it gets a later server seq and wins everywhere.
// - A record that does not fit what this device knows (same id but another kind, a message or
//   attachment moved to another conversation) is refused: nothing from it is written, the cursor
//   stops just before it, and the caller reports it. Records before it in the page are applied.
// - A record pulled as gone (`record: null`, a tombstone) is removed locally (unless a local change
//   waits). A conversation tombstone also removes the conversation's messages and attachments
//   (those without a local change waiting), since tombstones carry no content; a conversation this
//   device already holds as deleted is left as it is (its own delete, which it may still undo: the
//   undo pushes the conversation with all its messages and attachments again).
import { guard } from './errors';
import { outboxKey } from './outbox';
import type { HearthDb } from './schema';
import type { Attachment, Conversation, Message, SyncKind } from './types';

export type ApplyRecord =
  | { seq: number; kind: 'conversation'; id: string; record: Conversation | null }
  | { seq: number; kind: 'message'; id: string; record: Message | null }
  /** `record.data` undefined keeps the local bytes (the attachment's content never changes). */
  | { seq: number; kind: 'attachment'; id: string; record: (Omit<Attachment, 'data'> & { data?: Blob }) | null };

export interface ApplyResult {
  applied: number;
  /** Records not overwritten because a local change waits to be pushed. */
  keptLocal: number;
  /** The first record refused, and why; nothing from it or after it was written. */
  refused?: { seq: number; id: string; reason: string };
  cursor: number;
}

/** The syncState key of the pull cursor. */
export const SYNC_CURSOR_KEY = 'cursor';

const KINDS: SyncKind[] = ['conversation', 'message', 'attachment'];

export function applyPulled(db: HearthDb, records: ApplyRecord[], cursor: number): Promise<ApplyResult> {
  const table = (kind: SyncKind) =>
    (kind === 'conversation' ? db.conversations : kind === 'message' ? db.messages : db.attachments) as unknown as typeof db.messages;
  return guard(() =>
    db.transaction('rw', [db.conversations, db.messages, db.attachments, db.outbox, db.syncState], async () => {
      const before = ((await db.syncState.get(SYNC_CURSOR_KEY))?.value as number | undefined) ?? 0;
      const result: ApplyResult = { applied: 0, keptLocal: 0, cursor };
      let lastGood = before;
      for (const r of records) {
        const reason = await conflict(r);
        if (reason) {
          result.refused = { seq: r.seq, id: r.id, reason };
          result.cursor = lastGood;
          break;
        }
        lastGood = r.seq;
        if (await db.outbox.get(outboxKey(r.kind, r.id))) {
          result.keptLocal++;
          continue;
        }
        const t = table(r.kind);
        if (!r.record && r.kind === 'conversation') await removeConversation(r.id);
        else if (!r.record) await t.delete(r.id);
        else if (r.kind === 'attachment') {
          const local = (await db.attachments.get(r.id))?.data;
          await db.attachments.put({ ...r.record, data: r.record.data ?? local ?? new Blob([]) });
        } else await t.put(r.record as Message);
        result.applied++;
      }
      result.cursor = Math.max(before, result.cursor);
      await db.syncState.put({ key: SYNC_CURSOR_KEY, value: result.cursor });
      return result;
    }),
  );

  async function removeConversation(id: string): Promise<void> {
    const local = await db.conversations.get(id);
    if (local && local.deletedAt !== null) return;
    for (const kind of ['message', 'attachment'] as const) {
      const children = (await table(kind).where('conversationId').equals(id).primaryKeys()) as string[];
      const waiting = await db.outbox.bulkGet(children.map((c) => outboxKey(kind, c)));
      await table(kind).bulkDelete(children.filter((_, i) => !waiting[i]));
    }
    await db.conversations.delete(id);
  }

  async function conflict(r: ApplyRecord): Promise<string | null> {
    for (const other of KINDS) {
      if (other !== r.kind && (await table(other).get(r.id))) return `it claims to be a ${r.kind} but this device has it as a ${other}`;
    }
    if (r.kind === 'conversation' || !r.record) return null;
    const local = (await table(r.kind).get(r.id)) as Message | Attachment | undefined;
    if (local && local.conversationId !== r.record.conversationId) return `it would move a ${r.kind} to another conversation`;
    return null;
  }
}
