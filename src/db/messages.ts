// Message repository: the message tree of each conversation. Adding a message also moves
// the conversation's current leaf to it (and titles a new conversation from its first message).
import type { Role } from '../shared/engine';
import { titleFrom, UNTITLED } from './conversations';
import { guard, StorageError } from './errors';
import { after, newId, now } from './ids';
import { enqueue } from './outbox';
import type { HearthDb } from './schema';
import type { Message, MessageMetadata, MessageStatus } from './types';

export interface NewMessage {
  conversationId: string;
  parentId: string | null;
  role: Role;
  content: string;
  status?: MessageStatus;
  metadata?: MessageMetadata;
  attachmentIds?: string[];
}

export type MessagePatch = Partial<Pick<Message, 'content' | 'status' | 'metadata'>>;

export class MessageRepo {
  constructor(private readonly db: HearthDb) {}

  add(input: NewMessage): Promise<Message> {
    return guard(() =>
      this.db.transaction('rw', this.db.conversations, this.db.messages, this.db.outbox, async () => {
        const conv = await this.db.conversations.get(input.conversationId);
        if (!conv || conv.deletedAt !== null) {
          throw new StorageError('not-found', 'That conversation no longer exists.', false);
        }
        if (input.parentId) {
          const parent = await this.db.messages.get(input.parentId);
          if (!parent || parent.conversationId !== input.conversationId) {
            throw new StorageError('invalid', 'The message to reply to is not in this conversation.', false);
          }
        }
        const t = now();
        const msg: Message = {
          id: newId(),
          conversationId: input.conversationId,
          parentId: input.parentId,
          role: input.role,
          content: input.content,
          status: input.status ?? 'complete',
          createdAt: t,
          updatedAt: t,
          deletedAt: null,
          metadata: input.metadata ?? {},
          attachmentIds: input.attachmentIds ?? [],
        };
        await this.db.messages.add(msg);
        const title = conv.title === UNTITLED && input.role === 'user' ? titleFrom(input.content) : conv.title;
        await this.db.conversations.update(conv.id, { currentLeafId: msg.id, updatedAt: after(conv.updatedAt), title });
        await enqueue(this.db, 'message', msg.id);
        await enqueue(this.db, 'conversation', conv.id);
        return msg;
      }),
    );
  }

  get(id: string): Promise<Message | undefined> {
    return guard(() => this.db.messages.get(id));
  }

  update(id: string, patch: MessagePatch): Promise<void> {
    return guard(() =>
      this.db.transaction('rw', this.db.messages, this.db.outbox, async () => {
        const cur = await this.db.messages.get(id);
        if (!cur) throw new StorageError('not-found', 'That message no longer exists.', false);
        await this.db.messages.update(id, { ...patch, updatedAt: after(cur.updatedAt) });
        await enqueue(this.db, 'message', id);
      }),
    );
  }

  listByConversation(conversationId: string): Promise<Message[]> {
    return guard(async () =>
      (await this.db.messages.where('conversationId').equals(conversationId).toArray())
        .filter((m) => m.deletedAt === null)
        .sort((a, b) => a.createdAt - b.createdAt),
    );
  }

  /**
   * After a reload, replies left in 'streaming' by a closed tab become 'interrupted'.
   * `isActive` says whether some live tab is still writing that message (Web Locks).
   */
  recoverStreaming(isActive: (id: string) => boolean = () => false): Promise<number> {
    return guard(async () => {
      const stale = (await this.db.messages.filter((m) => m.status === 'streaming').toArray()).filter(
        (m) => !isActive(m.id),
      );
      const t = now();
      await this.db.transaction('rw', this.db.messages, this.db.outbox, async () => {
        await this.db.messages.bulkUpdate(
          stale.map((m) => ({
            key: m.id,
            changes: { status: 'interrupted' as const, updatedAt: Math.max(t, m.updatedAt + 1), metadata: { ...m.metadata, finishReason: 'interrupted' as const } },
          })),
        );
        for (const m of stale) await enqueue(this.db, 'message', m.id);
      });
      return stale.length;
    });
  }
}
