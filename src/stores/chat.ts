// The active conversation's messages (live via `observe`), the branch on screen (`pathTo` the
// current leaf), and the actions on it: send, regenerate, edit-and-resend, switch branch, stop.
// A reply streams into memory (what the UI shows) and is persisted by a ReplyWriter (at most
// every 400 ms) while a Web Lock marks it as live for other tabs. Stop ends a reply that still
// waits for the model at once ("Stopped before the reply started"); the load goes on.
import { createEffect, createMemo, createSignal, onCleanup } from 'solid-js';
import { ReplyWriter } from '../chat/replyWriter';
import { defaultLocks, liveReplyIds, LOCK_PREFIX, withLock } from '../chat/replyLocks';
import { promptFiles } from '../attachments/prepare';
import { observe, type Conversation, type Message, type MessageMetadata, type NewAttachment, type Storage } from '../db';
import { indexTree, pathTo, siblingsOf, switchBranch as branchLeaf, type TreeIndex } from '../lib/tree';
import { isQuotaError } from '../lib/errorText';
import type { ChatTurn, EngineError, FileUsage, GenerateResult } from '../shared/engine';
import type { ConversationsStore } from './conversations';
import type { EngineStore } from './engine';
import type { SettingsStore } from './settings';
import type { ToastStore } from './toasts';

export interface StreamingReply {
  messageId: string;
  conversationId: string;
  /** The text so far (from memory, not from the database). */
  text: string;
  /** True while the reply waits for the model to finish loading. */
  waiting: boolean;
}

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

export interface ChatDeps {
  storage: Storage;
  engine: EngineStore;
  conversations: ConversationsStore;
  settings: SettingsStore;
  toasts: ToastStore;
  locks?: LockManager | null;
  /** Keep the prompt the model received in each reply's metadata (`?debug=prompt`). */
  debugPrompt?: boolean;
  /** The name shown for the model the engine loaded by `modelId` (recorded with each reply). */
  modelName?: (modelId: string) => string;
}

/** The turns sent to the model: the path's user/assistant messages, minus failed or empty replies. */
export function turnsFrom(path: Message[]): ChatTurn[] {
  return path
    .filter((m) => m.role !== 'system' && !(m.role === 'assistant' && (m.status === 'error' || !m.content.trim())))
    .map((m) => ({ role: m.role, content: m.content }));
}

/** What a finished reply records about how it was made, with the name of the model that wrote it. */
function metadataOf(r: GenerateResult, modelName?: string): MessageMetadata {
  const { modelId, backend, promptTokens, completionTokens, tokensPerSecond, droppedTurns, truncatedLatest, finishReason, files, prompt } = r;
  return {
    modelId, backend, promptTokens, completionTokens, tokensPerSecond, droppedTurns, truncatedLatest, finishReason,
    ...(modelName ? { modelName } : {}),
    ...(files ? { attachments: files } : {}),
    ...(prompt !== undefined ? { prompt } : {}),
  };
}

export function createChatStore(deps: ChatDeps): ChatStore {
  const { storage, engine, conversations, settings, toasts } = deps;
  const locks = deps.locks === undefined ? defaultLocks() : deps.locks;
  const [messages, setMessages] = createSignal<Message[]>([]);
  const [streaming, setStreaming] = createSignal<StreamingReply | null>(null);
  const [draftSystemPrompt, setDraftSystemPrompt] = createSignal('');
  const [unsaved, setUnsaved] = createSignal<ReadonlyMap<string, { content: string; status: Message['status'] }>>(new Map());
  let writer: ReplyWriter | null = null;
  let stopRequested = false;
  /** Ends the wait of a reply that waits for the model to load (set only during that wait). */
  let stopWaiting: (() => void) | null = null;
  /** New replies wait for start-up recovery, so it never marks them interrupted. */
  let recovery: Promise<unknown> = Promise.resolve();

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

  const reportSaveError = (e: unknown) => {
    toasts.error(e, isQuotaError(e) ? '' : 'The reply could not be saved.');
  };

  /**
   * Streams an assistant reply to `user`, whose branch (root..user) is `branch`; with `continuing`,
   * extends that reply (cut at the length limit) instead of adding a new one.
   */
  const reply = async (conv: Conversation, user: Message, branch: Message[], continuing?: Message): Promise<void> => {
    let assistant: Message;
    const prefix = continuing?.content ?? '';
    await recovery;
    try {
      if (continuing) {
        await storage.messages.update(continuing.id, { status: 'streaming' });
        assistant = continuing;
      } else {
        assistant = await storage.messages.add({ conversationId: conv.id, parentId: user.id, role: 'assistant', content: '', status: 'streaming' });
      }
    } catch (e) {
      toasts.error(e, isQuotaError(e) ? '' : 'The reply could not be started.');
      return;
    }
    stopRequested = false;
    const live: StreamingReply = { messageId: assistant.id, conversationId: conv.id, text: prefix, waiting: engine.state() !== 'ready' };
    setStreaming({ ...live });
    let reportedSaveError = false;
    let finishing = false;
    let finalFailed = false;
    const w = new ReplyWriter(storage.messages, assistant.id, {
      initial: prefix,
      onError: (e) => {
        if (finishing) finalFailed = true;
        if (!reportedSaveError) reportSaveError(e);
        reportedSaveError = true;
      },
    });
    const finish = async (patch: Parameters<ReplyWriter['finish']>[0]) => {
      finishing = true;
      await w.finish(patch);
      if (finalFailed) {
        // Keep showing the reply as it ended; the stored copy stays as last saved.
        setUnsaved((m) => new Map(m).set(assistant.id, { content: w.content, status: patch.status ?? 'error' }));
      }
    };
    /** Stopped before anything was generated: "Stopped before the reply started" (Regenerate asks again). */
    const finishStopped = () => finish({ status: 'interrupted', metadata: { ...continuing?.metadata, finishReason: 'interrupted', stopped: true } });
    writer = w;
    try {
      await withLock(locks, LOCK_PREFIX + assistant.id, async () => {
        // Stop during the load ends the wait at once; the load itself goes on (the next message needs it).
        const stopped = new Promise<'stopped'>((resolve) => (stopWaiting = () => resolve('stopped')));
        const ready = await Promise.race([engine.whenReady(), stopped]).finally(() => (stopWaiting = null));
        if (ready === 'stopped' || stopRequested) {
          await finishStopped();
          return;
        }
        if (!ready) {
          const error: EngineError = engine.error() ?? { code: 'not-loaded', message: 'The model is not loaded.', retryable: true };
          await finish({ status: 'error', metadata: { error } });
          return;
        }
        const fresh = (await storage.conversations.get(conv.id).catch(() => undefined)) ?? conv;
        // The files of the message being answered: whole or their passages most relevant to it.
        const atts = user.attachmentIds.length ? await storage.attachments.getMany(user.attachmentIds) : [];
        const files = await promptFiles(atts, user.content, engine.info()?.contextLength ?? 2048);
        if (stopRequested) {
          // Stopped while the prompt was being prepared: nothing was generated.
          await finishStopped();
          return;
        }
        setStreaming({ ...live, waiting: false });
        let text = prefix;
        const outcome = await engine.generate(
          {
            turns: turnsFrom(branch),
            systemPrompt: fresh.systemPrompt.trim() || undefined,
            params: settings.paramsFor(fresh),
            ...(continuing ? { continueFrom: prefix } : {}),
            ...(files.length ? { files } : {}),
            ...(deps.debugPrompt ? { returnPrompt: true } : {}),
          },
          (piece) => {
            text += piece;
            w.append(piece);
            setStreaming({ ...live, waiting: false, text });
          },
        );
        if (outcome.ok) {
          const r = outcome.value;
          const interrupted = r.finishReason === 'interrupted' || stopRequested;
          const metadata = { ...metadataOf(r, deps.modelName?.(r.modelId) ?? r.modelId), ...(stopRequested ? { stopped: true } : {}) };
          if (continuing) {
            metadata.completionTokens = (continuing.metadata.completionTokens ?? 0) + r.completionTokens;
            if (r.completionTokens === 0 && r.finishReason === 'length') metadata.contextFull = true;
          }
          await finish({ content: r.text ? prefix + r.text : text, status: interrupted ? 'interrupted' : 'complete', metadata });
        } else if (continuing) {
          // A failed Continue keeps the reply as it was and says why.
          toasts.error(outcome.error, 'The reply could not be continued.');
          await finish({ content: prefix, status: continuing.status, metadata: continuing.metadata });
        } else {
          await finish({ status: 'error', metadata: { error: outcome.error } });
        }
      });
    } catch (e) {
      toasts.error(e);
      await finish({ status: 'error', metadata: { error: { code: 'unknown', message: 'The reply failed.', retryable: true } } });
    } finally {
      if (writer === w) writer = null;
      setStreaming((s) => (s?.messageId === assistant.id ? null : s));
    }
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
    unsaved: (id) => unsaved().get(id),
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
    stop() {
      if (!streaming()) return;
      stopRequested = true;
      // A reply waiting for the model has nothing to interrupt: end its wait, leave the load running.
      if (stopWaiting) stopWaiting();
      else void engine.interrupt();
    },
    flush: () => writer?.flush() ?? Promise.resolve(),
    recover() {
      const run = recoverNow();
      recovery = run.catch(() => 0);
      return run;
    },
  };

  async function recoverNow(): Promise<number> {
    const live = await liveReplyIds(locks);
    try {
      return await storage.messages.recoverStreaming((id) => live.has(id));
    } catch (e) {
      toasts.error(e);
      return 0;
    }
  }
}
