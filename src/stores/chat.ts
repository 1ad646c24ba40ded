// The active conversation's messages (live via `observe`), the branch on screen (`pathTo` the
// current leaf), and the actions on it: send, regenerate, edit-and-resend, switch branch, stop.
// Replies (streaming, persisting, stopping, recovery) are src/stores/chatReply.ts.
import { createEffect, createMemo, createSignal, onCleanup } from 'solid-js';
import { observe, type Conversation, type Message, type NewAttachment } from '../db';
import { indexTree, pathTo, siblingsOf, switchBranch as branchLeaf, type TreeIndex } from '../lib/tree';
import { isQuotaError } from '../lib/errorText';
import type { FileUsage } from '../shared/engine';
import { createReplies, type ReplyDeps, type StreamingReply } from './chatReply';
import type { ConversationsStore } from './conversations';

export { turnsFrom, type StreamingReply } from './chatReply';

export interface ChatStore {
  messages: () => Message[];
  index: () => TreeIndex<Message>;
  /** Root-to-leaf messages of the branch on screen. */
  path: () => Message[];
  streaming: () => StreamingReply | null;
  /** True when a reply of the active conversation is streaming. */
  streamingHere: () => boolean;
  /** The live text of `id` while it streams, else undefined. */
  liveText(id: string): string | undefined;
  /** A finished reply whose final save failed (e.g. storage full): what it would have saved. */
  unsaved(id: string): { content: string; status: Message['status'] } | undefined;
  branches(id: string): { position: number; count: number };
  /** System prompt for a chat that is not saved yet (it is saved with the first message). */
  draftSystemPrompt: () => string;
  setDraftSystemPrompt(text: string): void;
  /** Sends `text` with `files` (saved with the message in one transaction); text may be empty when there are files. */
  send(text: string, files?: NewAttachment[]): Promise<boolean>;
  /** What of attachment `attachmentId` of message `messageId` went to the model with the reply on screen. */
  fileUsage(messageId: string, attachmentId: string): FileUsage | undefined;
  regenerate(assistantId: string): Promise<void>;
  /** Extends a reply that ended at the length limit (the same message grows). */
  continueReply(assistantId: string): Promise<void>;
  editAndResend(userId: string, text: string): Promise<boolean>;
  switchBranch(id: string, step: -1 | 1): Promise<void>;
  stop(): void;
  /** Writes the streaming text now (on `pagehide`). */
  flush(): Promise<void>;
  /** Marks replies left streaming by a closed tab as interrupted (skipping ones another tab still holds). */
  recover(): Promise<number>;
}

/** The reply dependencies (src/stores/chatReply.ts) and the conversations store. */
export interface ChatDeps extends ReplyDeps {
  conversations: ConversationsStore;
}

export function createChatStore(deps: ChatDeps): ChatStore {
  const { storage, conversations, toasts } = deps;
  const [messages, setMessages] = createSignal<Message[]>([]);
  const [draftSystemPrompt, setDraftSystemPrompt] = createSignal('');
  const { streaming, unsaved, reply, stop, flush, recover } = createReplies(deps);

  createEffect(() => {
    const id = conversations.activeId();
    setMessages([]);
    if (!id) return;
    const sub = observe(
      () => storage.messages.listByConversation(id),
      (list) => {
        if (conversations.activeId() === id) setMessages(list);
      },
      (e) => toasts.error(e),
    );
    onCleanup(() => sub.unsubscribe());
  });

  const index = createMemo(() => indexTree(messages()));
  const path = createMemo(() => pathTo(index(), conversations.active()?.currentLeafId ?? null));
  const streamingHere = () => {
    const s = streaming();
    return !!s && s.conversationId === conversations.activeId();
  };

  const busy = () => streaming() !== null;

  return {
    messages,
    index,
    path,
    streaming,
    streamingHere,
    liveText(id) {
      const s = streaming();
      return s && s.messageId === id ? s.text : undefined;
    },
    unsaved,
    branches(id) {
      const { siblings, position } = siblingsOf(index(), id);
      return { position, count: siblings.length };
    },
    draftSystemPrompt,
    setDraftSystemPrompt,
    fileUsage(messageId, attachmentId) {
      const p = path();
      const reply = p[p.findIndex((m) => m.id === messageId) + 1];
      return reply?.parentId === messageId ? reply.metadata.attachments?.find((u) => u.id === attachmentId) : undefined;
    },
    async send(text, files = []) {
      if ((!text.trim() && !files.length) || busy()) return false;
      let conv: Conversation;
      let user: Message;
      const branch = conversations.active() ? path() : [];
      try {
        conv = await conversations.ensureActive({ systemPrompt: draftSystemPrompt() });
        const parentId = branch.length ? branch[branch.length - 1].id : conv.currentLeafId;
        const input = { conversationId: conv.id, parentId, role: 'user' as const, content: text };
        user = files.length ? (await storage.attachments.addMessageWithFiles(storage.messages, input, files)).message : await storage.messages.add(input);
      } catch (e) {
        toasts.error(e, isQuotaError(e) ? '' : 'Your message could not be saved.');
        return false;
      }
      setDraftSystemPrompt('');
      const upTo = branch.length || !user.parentId ? branch : pathTo(index(), user.parentId);
      void reply(conv, user, [...upTo, user]);
      return true;
    },
    async regenerate(assistantId) {
      const conv = conversations.active();
      const msg = index().byId.get(assistantId);
      if (!conv || !msg || msg.role !== 'assistant' || !msg.parentId || busy()) return;
      const user = index().byId.get(msg.parentId);
      if (!user) return;
      await reply(conv, user, pathTo(index(), user.id));
    },
    async continueReply(assistantId) {
      const conv = conversations.active();
      const msg = index().byId.get(assistantId);
      if (!conv || !msg || msg.role !== 'assistant' || !msg.parentId || msg.metadata.finishReason !== 'length' || busy()) return;
      const user = index().byId.get(msg.parentId);
      if (!user) return;
      await reply(conv, user, pathTo(index(), user.id), msg);
    },
    async editAndResend(userId, text) {
      const conv = conversations.active();
      const msg = index().byId.get(userId);
      if (!conv || !msg || msg.role !== 'user' || (!text.trim() && !msg.attachmentIds.length) || busy()) return false;
      let user: Message;
      try {
        // The edited question keeps the original's files.
        user = await storage.messages.add({ conversationId: conv.id, parentId: msg.parentId, role: 'user', content: text, attachmentIds: msg.attachmentIds });
      } catch (e) {
        toasts.error(e, isQuotaError(e) ? '' : 'Your message could not be saved.');
        return false;
      }
      const before = msg.parentId ? pathTo(index(), msg.parentId) : [];
      void reply(conv, user, [...before, user]);
      return true;
    },
    async switchBranch(id, step) {
      const conv = conversations.active();
      const leaf = branchLeaf(index(), id, step);
      if (conv && leaf) await conversations.setCurrentLeaf(conv.id, leaf.id);
    },
    stop,
    flush,
    recover,
  };
}
