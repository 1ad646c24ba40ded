// Search over conversation titles and message text (case-insensitive substring match).
import { sortConversations } from './conversations';
import { guard } from './errors';
import type { HearthDb } from './schema';
import type { Conversation } from './types';

export interface SearchHit {
  conversation: Conversation;
  /** A short excerpt around the first match in a message, when the title did not match. */
  snippet?: string;
}

function excerpt(text: string, at: number, length: number): string {
  const start = Math.max(0, at - 30);
  const end = Math.min(text.length, at + length + 50);
  return `${start > 0 ? '…' : ''}${text.slice(start, end).replace(/\s+/g, ' ')}${end < text.length ? '…' : ''}`;
}

export async function searchConversations(db: HearthDb, query: string): Promise<SearchHit[]> {
  const q = query.trim().toLocaleLowerCase();
  return guard(async () => {
    const conversations = sortConversations(await db.conversations.filter((c) => c.deletedAt === null).toArray());
    if (!q) return conversations.map((conversation) => ({ conversation }));
    const live = new Map(conversations.map((c) => [c.id, c]));
    const snippets = new Map<string, string>();
    await db.messages.each((m) => {
      if (m.deletedAt !== null || snippets.has(m.conversationId) || !live.has(m.conversationId)) return;
      const at = m.content.toLocaleLowerCase().indexOf(q);
      if (at >= 0) snippets.set(m.conversationId, excerpt(m.content, at, q.length));
    });
    return conversations
      .filter((c) => c.title.toLocaleLowerCase().includes(q) || snippets.has(c.id))
      .map((conversation) => ({
        conversation,
        snippet: conversation.title.toLocaleLowerCase().includes(q) ? undefined : snippets.get(conversation.id),
      }));
  });
}
