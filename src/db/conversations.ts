// Conversation repository: create, list, rename, pin, settings, tombstone delete and undo.
import type { GenerationParams } from '../shared/engine';
import { guard, StorageError } from './errors';
import { after, newId, now } from './ids';
import { enqueue, enqueueMany } from './outbox';
import type { HearthDb } from './schema';
import type { Conversation } from './types';

export const UNTITLED = 'New chat';
const TITLE_MAX = 60;

/** A title from the first message: first line, whitespace folded, cut at a word near 60 chars. */
export function titleFrom(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  if (!line) return UNTITLED;
  if (line.length <= TITLE_MAX) return line;
  const cut = line.slice(0, TITLE_MAX);
  const space = cut.lastIndexOf(' ');
  return `${(space > TITLE_MAX / 2 ? cut.slice(0, space) : cut).trimEnd()}…`;
}

/** Pinned first, then most recently updated. */
export function sortConversations(list: Conversation[]): Conversation[] {
  return [...list].sort((a, b) => Number(b.pinned) - Number(a.pinned) || b.updatedAt - a.updatedAt);
}

export class ConversationRepo {
  constructor(private readonly db: HearthDb) {}

  create(init: Partial<Pick<Conversation, 'title' | 'systemPrompt' | 'settings'>> = {}): Promise<Conversation> {
    return guard(async () => {
      const t = now();
      const conv: Conversation = {
        id: newId(),
        title: init.title ?? UNTITLED,
        createdAt: t,
        updatedAt: t,
        pinned: false,
        systemPrompt: init.systemPrompt ?? '',
        settings: init.settings ?? null,
        currentLeafId: null,
        deletedAt: null,
      };
      await this.db.transaction('rw', this.db.conversations, this.db.outbox, async () => {
        await this.db.conversations.add(conv);
        await enqueue(this.db, 'conversation', conv.id);
      });
      return conv;
    });
  }

  get(id: string): Promise<Conversation | undefined> {
    return guard(async () => {
      const c = await this.db.conversations.get(id);
      return c && c.deletedAt === null ? c : undefined;
    });
  }

  /** Live (not deleted) conversations, pinned first, newest first. */
  list(): Promise<Conversation[]> {
    return guard(async () => sortConversations(await this.db.conversations.filter((c) => c.deletedAt === null).toArray()));
  }

  rename(id: string, title: string): Promise<void> {
    const clean = title.replace(/\s+/g, ' ').trim();
    if (!clean) return Promise.reject(new StorageError('invalid', 'A title cannot be empty.', false));
    return this.patch(id, { title: clean.slice(0, 200) });
  }

  setPinned(id: string, pinned: boolean): Promise<void> {
    return this.patch(id, { pinned });
  }

  setSystemPrompt(id: string, systemPrompt: string): Promise<void> {
    return this.patch(id, { systemPrompt });
  }

  setSettings(id: string, settings: GenerationParams | null): Promise<void> {
    return this.patch(id, { settings });
  }

  setCurrentLeaf(id: string, currentLeafId: string | null): Promise<void> {
    return this.patch(id, { currentLeafId });
  }

  /** Delete as a tombstone, so it can be undone (and later synced). */
  remove(id: string): Promise<void> {
    return this.patch(id, { deletedAt: now() }, true);
  }

  /**
   * Undo a delete. Other devices dropped the conversation with its messages and attachments when
   * its tombstone arrived (tombstones carry no content), so all of it is queued to sync again,
   * stamped anew: the undo is newer than the delete and than the final delete (purge) another
   * device may make before it hears of the undo (stamped at the delete's time).
   */
  restore(id: string): Promise<void> {
    const { db } = this;
    return guard(() =>
      db.transaction('rw', [db.conversations, db.messages, db.attachments, db.outbox], async () => {
        await this.patch(id, { deletedAt: null }, true);
        const messages = (await db.messages.where('conversationId').equals(id).toArray()).filter((m) => m.deletedAt === null);
        const attachments = (await db.attachments.where('conversationId').equals(id).toArray()).filter((a) => a.deletedAt === null);
        await db.messages.bulkPut(messages.map((m) => ({ ...m, updatedAt: after(m.updatedAt) })));
        await db.attachments.bulkPut(attachments.map((a) => ({ ...a, updatedAt: after(a.updatedAt) })));
        await enqueueMany(db, [
          ...messages.map((m) => ({ kind: 'message' as const, id: m.id })),
          ...attachments.map((a) => ({ kind: 'attachment' as const, id: a.id })),
        ]);
      }),
    );
  }

  /** Bump `updatedAt` (a new message moves the conversation to the top). */
  touch(id: string): Promise<void> {
    return this.patch(id, {});
  }

  private patch(id: string, changes: Partial<Conversation>, includeDeleted = false): Promise<void> {
    return guard(async () => {
      await this.db.transaction('rw', this.db.conversations, this.db.outbox, async () => {
        const cur = await this.db.conversations.get(id);
        if (!cur || (!includeDeleted && cur.deletedAt !== null)) {
          throw new StorageError('not-found', 'That conversation no longer exists.', false);
        }
        await this.db.conversations.update(id, { ...changes, updatedAt: after(cur.updatedAt) });
        await enqueue(this.db, 'conversation', id);
      });
    });
  }
}
