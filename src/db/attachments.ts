// Attachment repository: files kept as Blobs beside the messages that reference them.
// A user message and its files are saved in one transaction (all or nothing, so a full disk
// loses nothing already saved and leaves no half-saved message). Deleting a conversation is a
// tombstone with undo; once the tombstone is final (older than the undo window) `purgeDeleted`
// tombstones its attachments and messages too, dropping their bytes, text and file names (the records stay as
// tombstones so the delete syncs; each change goes to the outbox in the same transaction).
import { titleFrom, UNTITLED } from './conversations';
import { guard } from './errors';
import { newId, now } from './ids';
import { enqueue, enqueueMany } from './outbox';
import type { MessageRepo, NewMessage } from './messages';
import type { HearthDb } from './schema';
import type { Attachment, Message } from './types';

/** A file to save: its bytes and what was read from it. */
export type NewAttachment = Pick<Attachment, 'name' | 'type' | 'data'> & Partial<Pick<Attachment, 'kind' | 'text' | 'pageCount' | 'note'>>;

export class AttachmentRepo {
  constructor(private readonly db: HearthDb) {}

  private record(conversationId: string, messageId: string | null, file: NewAttachment, id = newId()): Attachment {
    const t = now();
    const { name, type, data, kind, text, pageCount, note } = file;
    return {
      id,
      conversationId,
      messageId,
      name,
      type: type || 'application/octet-stream',
      size: data.size,
      data,
      createdAt: t,
      updatedAt: t,
      deletedAt: null,
      ...(kind ? { kind } : {}),
      ...(text !== undefined ? { text } : {}),
      ...(pageCount !== undefined ? { pageCount } : {}),
      ...(note ? { note } : {}),
    };
  }

  add(conversationId: string, file: NewAttachment): Promise<Attachment> {
    return guard(async () => {
      const rec = this.record(conversationId, null, file);
      await this.db.transaction('rw', this.db.attachments, this.db.outbox, async () => {
        await this.db.attachments.add(rec);
        await enqueue(this.db, 'attachment', rec.id);
      });
      return rec;
    });
  }

  /** Saves a message with its files in one transaction: both are stored, or neither. */
  addMessageWithFiles(messages: MessageRepo, input: NewMessage, files: NewAttachment[]): Promise<{ message: Message; attachments: Attachment[] }> {
    return guard(() =>
      this.db.transaction('rw', [this.db.conversations, this.db.messages, this.db.attachments, this.db.outbox], async () => {
        const ids = files.map(() => newId());
        const message = await messages.add({ ...input, attachmentIds: [...(input.attachmentIds ?? []), ...ids] });
        // A first message of files alone titles the conversation by their names.
        const conv = await this.db.conversations.get(input.conversationId);
        if (conv?.title === UNTITLED && input.role === 'user' && files.length && !input.content.trim()) {
          await this.db.conversations.update(conv.id, { title: titleFrom(files.map((f) => f.name).join(', ')) });
        }
        const attachments = files.map((f, i) => this.record(input.conversationId, message.id, f, ids[i]));
        await this.db.attachments.bulkAdd(attachments);
        await enqueueMany(this.db, ids.map((id) => ({ kind: 'attachment' as const, id })));
        return { message, attachments };
      }),
    );
  }

  get(id: string): Promise<Attachment | undefined> {
    return guard(async () => {
      const a = await this.db.attachments.get(id);
      return a && a.deletedAt === null ? a : undefined;
    });
  }

  /** The live attachments with these ids, in that order (missing or deleted ones left out). */
  getMany(ids: string[]): Promise<Attachment[]> {
    return guard(async () => (await this.db.attachments.bulkGet(ids)).filter((a): a is Attachment => !!a && a.deletedAt === null));
  }

  listByConversation(conversationId: string): Promise<Attachment[]> {
    return guard(async () =>
      (await this.db.attachments.where('conversationId').equals(conversationId).toArray()).filter((a) => a.deletedAt === null),
    );
  }

  /**
   * Final deletes: the attachments and messages of conversations deleted before `cutoff` (past
   * their undo window) become tombstones (attachments lose their bytes, messages their text) and are
   * queued, so the server replaces their content by content-free tombstones too. Returns how many
   * records were purged.
   */
  purgeDeleted(cutoff: number): Promise<number> {
    const { db } = this;
    return guard(() =>
      db.transaction('rw', [db.conversations, db.attachments, db.messages, db.outbox], async () => {
        const deleted = await db.conversations.where('deletedAt').between(0, cutoff, true, false).toArray();
        const gone = deleted.map((c) => c.id);
        if (!gone.length) return 0;
        // Stamped at the delete's time, not now: an undo made meanwhile on another device is newer.
        const deletedAt = new Map(deleted.map((c) => [c.id, c.deletedAt!]));
        const stamp = (r: { conversationId: string; updatedAt: number }) => Math.max(deletedAt.get(r.conversationId)!, r.updatedAt + 1);
        const live = (await db.attachments.where('conversationId').anyOf(gone).toArray()).filter((a) => a.deletedAt === null);
        const messages = (await db.messages.where('conversationId').anyOf(gone).toArray()).filter((m) => m.deletedAt === null);
        const t = now();
        await db.attachments.bulkPut(live.map(({ text: _text, ...a }) => ({ ...a, name: '', data: new Blob([], { type: a.type }), deletedAt: t, updatedAt: stamp(a) })));
        await db.messages.bulkPut(messages.map((m) => ({ ...m, content: '', deletedAt: t, updatedAt: stamp(m) })));
        await enqueueMany(db, [
          ...live.map((a) => ({ kind: 'attachment' as const, id: a.id })),
          ...messages.map((m) => ({ kind: 'message' as const, id: m.id })),
        ]);
        return live.length + messages.length;
      }),
    );
  }
}
