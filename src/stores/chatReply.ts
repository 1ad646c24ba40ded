// The chat store's replies (src/stores/chat.ts): one assistant reply at a time. It starts the reply
// message (or reopens one to continue it), waits for the model (Stop ends that wait at once; the
// load goes on), streams the text into memory (what the UI shows) and persists it through a
// ReplyWriter (at most every 400 ms) while a Web Lock marks it as live for other tabs, records how
// the reply was made, and recovers replies a closed tab left streaming.
import { createSignal } from 'solid-js';
import { ReplyWriter } from '../chat/replyWriter';
import { defaultLocks, liveReplyIds, LOCK_PREFIX, withLock } from '../chat/replyLocks';
import { promptFiles } from '../attachments/prepare';
import type { Conversation, Message, MessageMetadata, Storage } from '../db';
import { isQuotaError } from '../lib/errorText';
import type { ChatTurn, EngineError, GenerateResult } from '../shared/engine';
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

/** What replies need: the chat store's dependencies but the conversations store. */
export interface ReplyDeps {
  storage: Storage;
  engine: EngineStore;
  settings: SettingsStore;
  toasts: ToastStore;
  locks?: LockManager | null;
  /** Keep the prompt the model received in each reply's metadata (`?debug=prompt`). */
  debugPrompt?: boolean;
  /** The name shown for the model the engine loaded by `modelId` (recorded with each reply). */
  modelName?: (modelId: string) => string;
}

export interface Replies {
  streaming: () => StreamingReply | null;
  /** A finished reply whose final save failed (e.g. storage full): what it would have saved. */
  unsaved(id: string): { content: string; status: Message['status'] } | undefined;
  /**
   * Streams an assistant reply to `user`, whose branch (root..user) is `branch`; with `continuing`,
   * extends that reply (cut at the length limit) instead of adding a new one.
   */
  reply(conv: Conversation, user: Message, branch: Message[], continuing?: Message): Promise<void>;
  stop(): void;
  /** Writes the streaming text now (on `pagehide`). */
  flush(): Promise<void>;
  /** Marks replies left streaming by a closed tab as interrupted (skipping ones another tab still holds). */
  recover(): Promise<number>;
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

export function createReplies(deps: ReplyDeps): Replies {
  const { storage, engine, settings, toasts } = deps;
  const locks = deps.locks === undefined ? defaultLocks() : deps.locks;
  const [streaming, setStreaming] = createSignal<StreamingReply | null>(null);
  const [unsaved, setUnsaved] = createSignal<ReadonlyMap<string, { content: string; status: Message['status'] }>>(new Map());
  let writer: ReplyWriter | null = null;
  let stopRequested = false;
  /** Ends the wait of a reply that waits for the model to load (set only during that wait). */
  let stopWaiting: (() => void) | null = null;
  /** New replies wait for start-up recovery, so it never marks them interrupted. */
  let recovery: Promise<unknown> = Promise.resolve();

  const reportSaveError = (e: unknown) => {
    toasts.error(e, isQuotaError(e) ? '' : 'The reply could not be saved.');
  };

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

  return {
    streaming,
    unsaved: (id) => unsaved().get(id),
    reply,
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
