// @vitest-environment happy-dom
// The chat, conversations and engine stores against a real (fake-indexeddb) storage and a
// scripted engine: send / regenerate / edit-and-resend branches, stop, queued send while the
// model loads, load failures, and recovery of replies cut off by a closed tab.
import 'fake-indexeddb/auto';
import { createRoot } from 'solid-js';
import { afterEach, describe, expect, it } from 'vitest';
import { openStorage, StorageError, type Storage } from '../../src/db';
import { createAppStores, type Stores } from '../../src/stores';
import { until } from './until';
import { waitingText } from '../../src/components/MessageItem';
import type { EngineApi, GenerateRequest, LoadOptions, Outcome, ModelInfo, GenerateResult } from '../../src/shared/engine';

class FakeEngine implements EngineApi {
  requests: GenerateRequest[] = [];
  loads: LoadOptions[] = [];
  loadGate: Promise<void> = Promise.resolve();
  loadResult: Outcome<ModelInfo> = { ok: true, value: { modelId: 'm', backend: 'wasm', dtype: 'q8', contextLength: 256, threads: 1 } };
  pieces = ['Hello', ' there', '!'];
  pieceDelay = 5;
  finishReason: 'stop' | 'length' = 'stop';
  /** The id the model was loaded by (a downloaded model's is its name). */
  modelId = 'm';
  private stopped = false;
  async capabilities() {
    return { webgpu: false, crossOriginIsolated: false, hardwareConcurrency: 2, singleThreadReason: 'not isolated' };
  }
  async load(_id: string, options: LoadOptions, onProgress?: (p: { phase: 'download'; progress: number }) => void) {
    this.loads.push(options);
    onProgress?.({ phase: 'download', progress: 0.5 });
    await this.loadGate;
    return this.loadResult;
  }
  async generate(request: GenerateRequest, onToken?: (p: string) => void): Promise<Outcome<GenerateResult>> {
    this.requests.push(request);
    this.stopped = false;
    let text = '';
    for (const p of this.pieces) {
      if (this.stopped) break;
      await new Promise((r) => setTimeout(r, this.pieceDelay));
      text += p;
      onToken?.(p);
    }
    return {
      ok: true,
      value: { text, finishReason: this.stopped ? 'interrupted' : this.finishReason, promptTokens: 10, completionTokens: this.pieces.length, tokensPerSecond: 42, droppedTurns: 1, truncatedLatest: false, backend: 'wasm', modelId: this.modelId },
    };
  }
  async interrupt() {
    this.stopped = true;
  }
  async unload() {}
}

let n = 0;
let cleanup: (() => void) | null = null;
afterEach(() => {
  cleanup?.();
  cleanup = null;
});

function setup(engine = new FakeEngine(), storage: Storage = openStorage(`chat-test-${++n}`)) {
  history.replaceState(null, '', '/'); // the active conversation id lives in the URL hash
  return createRoot((dispose) => {
    cleanup = dispose;
    const stores: Stores = createAppStores({ storage, engine, url: {}, locks: null });
    return { stores, engine, storage };
  });
}

describe('chat store', () => {
  it('sends, streams from memory, persists a complete reply with metadata', async () => {
    const { stores, storage } = setup();
    const { chat, conversations, engine } = stores;
    expect(await chat.send('   ')).toBe(false);
    expect(await chat.send('Hi model')).toBe(true);
    await until(() => chat.streaming() !== null);
    await until(() => chat.streaming() === null);
    await until(() => chat.path().length === 2 && chat.path()[1].status === 'complete');
    const [user, reply] = chat.path();
    expect(user.content).toBe('Hi model');
    expect(reply.content).toBe('Hello there!');
    expect(reply.metadata).toMatchObject({ tokensPerSecond: 42, droppedTurns: 1, finishReason: 'stop', backend: 'wasm', modelId: 'm' });
    expect(engine.lastTokensPerSecond()).toBe(42);
    const conv = await storage.conversations.get(conversations.activeId()!);
    expect(conv?.title).toBe('Hi model');
    expect(conv?.currentLeafId).toBe(reply.id);
  });

  it('each reply records the name of the model that wrote it, when it is written', async () => {
    const { stores, engine } = setup();
    const { chat } = stores;
    await chat.send('Q1');
    await until(() => chat.path()[1]?.status === 'complete');
    const first = chat.path()[1];
    // Unknown to the catalog: the name is the id the engine loaded it by.
    expect(first.metadata.modelName).toBe('m');
    engine.modelId = 'SmolLM2 360M Instruct';
    await chat.regenerate(first.id);
    await until(() => chat.path()[1]?.id !== first.id && chat.path()[1]?.status === 'complete');
    expect(chat.path()[1].metadata.modelName).toBe('SmolLM2 360M Instruct');
    expect(chat.index().byId.get(first.id)?.metadata.modelName).toBe('m');
  });

  it('regenerate and edit-and-resend create branches that can be paged', async () => {
    const { stores, engine } = setup();
    const { chat } = stores;
    await chat.send('Q1');
    await until(() => chat.path().length === 2 && chat.path()[1].status === 'complete' && !chat.streaming());
    const firstReply = chat.path()[1];
    await chat.regenerate(firstReply.id);
    await until(() => chat.path().length === 2 && chat.path()[1].id !== firstReply.id && chat.path()[1].status === 'complete' && !chat.streaming());
    expect(chat.branches(chat.path()[1].id)).toEqual({ position: 1, count: 2 });
    expect(engine.requests[1].turns).toEqual([{ role: 'user', content: 'Q1' }]);

    await chat.switchBranch(chat.path()[1].id, -1);
    await until(() => chat.path()[1]?.id === firstReply.id);

    const user = chat.path()[0];
    expect(await chat.editAndResend(user.id, 'Q1 edited')).toBe(true);
    await until(() => chat.path()[0]?.content === 'Q1 edited' && chat.path()[1]?.status === 'complete' && !chat.streaming());
    expect(chat.branches(chat.path()[0].id)).toEqual({ position: 1, count: 2 });
    expect(engine.requests[2].turns).toEqual([{ role: 'user', content: 'Q1 edited' }]);

    // A follow-up sends the whole branch on screen, skipping nothing valid.
    await chat.send('Q2');
    await until(() => chat.path().length === 4 && chat.path()[3].status === 'complete');
    expect(engine.requests[3].turns.map((t) => t.content)).toEqual(['Q1 edited', 'Hello there!', 'Q2']);
  });

  it('stop marks the reply interrupted and keeps the partial text', async () => {
    const fake = new FakeEngine();
    fake.pieces = Array.from({ length: 50 }, (_, i) => `w${i} `);
    fake.pieceDelay = 10;
    const { stores } = setup(fake);
    const { chat } = stores;
    await chat.send('long please');
    await until(() => (chat.streaming()?.text.length ?? 0) > 0);
    chat.stop();
    await until(() => chat.streaming() === null);
    await until(() => chat.path()[1]?.status === 'interrupted');
    expect(chat.path()[1].content.length).toBeGreaterThan(0);
    expect(chat.path()[1].content.length).toBeLessThan(fake.pieces.join('').length);
    expect(chat.path()[1].metadata.stopped).toBe(true); // shown as "Stopped", not "Interrupted"
  });

  it('Continue extends a reply cut at the length limit, in the same message', async () => {
    const fake = new FakeEngine();
    fake.finishReason = 'length';
    const { stores } = setup(fake);
    const { chat } = stores;
    await chat.send('Tell me more');
    await until(() => chat.path()[1]?.status === 'complete');
    const first = chat.path()[1];
    expect(first.metadata.finishReason).toBe('length');
    fake.pieces = [' and', ' more'];
    fake.finishReason = 'stop';
    await chat.continueReply(first.id);
    await until(() => chat.path()[1]?.content === 'Hello there! and more' && chat.path()[1].status === 'complete');
    expect(chat.path()).toHaveLength(2);
    expect(chat.path()[1].id).toBe(first.id);
    expect(chat.path()[1].metadata).toMatchObject({ finishReason: 'stop', completionTokens: 5 });
    // The engine was asked to continue the reply, after the same user turn.
    expect(fake.requests[1].continueFrom).toBe('Hello there!');
    expect(fake.requests[1].turns.at(-1)).toEqual({ role: 'user', content: 'Tell me more' });
    // A complete reply that ended on its own is not continued.
    await chat.continueReply(first.id);
    expect(fake.requests).toHaveLength(2);
  });

  it('queues a reply sent while the model loads', async () => {
    const fake = new FakeEngine();
    let open!: () => void;
    fake.loadGate = new Promise((r) => (open = r));
    const { stores } = setup(fake);
    const { chat, engine } = stores;
    void engine.load();
    expect(engine.state()).toBe('loading');
    await chat.send('early');
    await until(() => chat.streaming()?.waiting === true);
    expect(fake.requests).toHaveLength(0);
    open();
    await until(() => chat.path()[1]?.status === 'complete');
    expect(fake.requests).toHaveLength(1);
    expect(engine.state()).toBe('ready');
  });

  it('Stop while the model loads ends the waiting reply at once; the load goes on and the next message is answered', async () => {
    const fake = new FakeEngine();
    let open!: () => void;
    fake.loadGate = new Promise((r) => (open = r));
    const { stores } = setup(fake);
    const { chat, engine } = stores;
    void engine.load();
    await chat.send('never mind');
    await until(() => chat.streaming()?.waiting === true);
    chat.stop();
    // The reply ends while the load is still running: marked Stopped, nothing was generated.
    await until(() => chat.streaming() === null && chat.path()[1]?.status === 'interrupted');
    expect(engine.state()).toBe('loading');
    expect(chat.path()[1].content).toBe('');
    expect(chat.path()[1].metadata).toMatchObject({ stopped: true, finishReason: 'interrupted' });
    expect(fake.requests).toHaveLength(0);
    // A new message waits for the same load (not a second one) and is answered once it is in.
    await chat.send('now answer');
    await until(() => chat.streaming()?.waiting === true);
    open();
    await until(() => chat.path()[3]?.status === 'complete');
    expect(chat.path()[3].content).toBe('Hello there!');
    expect(fake.loads).toHaveLength(1);
    expect(fake.requests).toHaveLength(1);
    expect(fake.requests[0].turns.at(-1)).toEqual({ role: 'user', content: 'now answer' });
  });

  it('a model chosen during a load (or a reply) is loaded once it ends, and a waiting reply waits for it', async () => {
    const fake = new FakeEngine();
    let open!: () => void;
    fake.loadGate = new Promise((r) => (open = r));
    const { stores } = setup(fake);
    const { chat, engine, models } = stores;
    void engine.load();
    await chat.send('which model?');
    await until(() => chat.streaming()?.waiting === true);
    await models.use('other-model');
    expect(fake.loads).toHaveLength(1);
    open();
    await until(() => chat.path()[1]?.status === 'complete');
    // The first load ended, the chosen model was loaded, and only then did the reply start.
    expect(fake.loads).toHaveLength(2);
    expect(fake.requests).toHaveLength(1);
    // Chosen while a reply streams: loaded after it.
    fake.pieceDelay = 30;
    await chat.send('again');
    await until(() => engine.state() === 'generating');
    await models.use('third-model');
    expect(fake.loads).toHaveLength(2);
    await until(() => chat.path()[3]?.status === 'complete' && engine.state() === 'ready');
    expect(fake.loads).toHaveLength(3);
  });

  it('a model that fails to load leaves an error reply and keeps the conversation', async () => {
    const fake = new FakeEngine();
    fake.loadResult = { ok: false, error: { code: 'model-not-found', message: 'config.json is missing', retryable: true } };
    const { stores } = setup(fake);
    const { chat, engine } = stores;
    expect(await engine.load()).toBe(false);
    expect(engine.state()).toBe('error');
    await chat.send('hello?');
    await until(() => chat.path()[1]?.status === 'error' && !chat.streaming());
    expect(chat.path()[0].content).toBe('hello?');
    expect(chat.path()[1].metadata.error?.code).toBe('model-not-found');
    // Retry succeeds once the files are there.
    fake.loadResult = { ok: true, value: { modelId: 'm', backend: 'wasm', dtype: 'q8', contextLength: 256, threads: 1 } };
    expect(await engine.retry()).toBe(true);
    await chat.regenerate(chat.path()[1].id);
    await until(() => chat.path()[1]?.status === 'complete');
  });

  it('applies per-conversation settings and the system prompt', async () => {
    const { stores, engine } = setup();
    const { chat, conversations, settings } = stores;
    chat.setDraftSystemPrompt('Be brief.');
    await settings.setDefaults({ temperature: 0.2, maxNewTokens: 99999 });
    await chat.send('x');
    await until(() => chat.path()[1]?.status === 'complete' && !chat.streaming());
    expect(engine.requests[0].systemPrompt).toBe('Be brief.');
    expect(engine.requests[0].params).toEqual({ temperature: 0.2, topP: 0.9, maxNewTokens: 4096 });
    await conversations.setSettings(conversations.activeId()!, { temperature: 1, topP: 0.5, maxNewTokens: 10 });
    await until(() => conversations.active()?.settings !== null);
    await chat.regenerate(chat.path()[1].id);
    await until(() => engine.requests.length === 2 && chat.streaming() === null);
    expect(engine.requests[1].params).toEqual({ temperature: 1, topP: 0.5, maxNewTokens: 10 });
  });

  it('recover() marks replies left streaming as interrupted unless their lock is held', async () => {
    const storage = openStorage(`chat-test-${++n}`);
    const conv = await storage.conversations.create();
    const u = await storage.messages.add({ conversationId: conv.id, parentId: null, role: 'user', content: 'q' });
    const a = await storage.messages.add({ conversationId: conv.id, parentId: u.id, role: 'assistant', content: 'part', status: 'streaming' });
    const b = await storage.messages.add({ conversationId: conv.id, parentId: u.id, role: 'assistant', content: 'live', status: 'streaming' });
    const locks = { query: async () => ({ held: [{ name: `hearth-reply:${b.id}`, mode: 'exclusive', clientId: 'x' }], pending: [] }), request: async () => undefined } as unknown as LockManager;
    const stores = createRoot((dispose) => {
      cleanup = dispose;
      return createAppStores({ storage, engine: new FakeEngine(), url: {}, locks });
    });
    expect(await stores.chat.recover()).toBe(1);
    expect((await storage.messages.get(a.id))?.status).toBe('interrupted');
    expect((await storage.messages.get(a.id))?.content).toBe('part');
    expect((await storage.messages.get(a.id))?.metadata.stopped).toBeUndefined(); // "Interrupted", not "Stopped"
    expect((await storage.messages.get(b.id))?.status).toBe('streaming');
  });
});

describe('storage full while a reply streams', () => {
  it('tells the user, keeps the reply on screen, loses nothing already saved', async () => {
    const storage = openStorage(`chat-test-${++n}`);
    const { stores } = setup(new FakeEngine(), storage);
    const { chat, toasts } = stores;
    storage.messages.update = async () => {
      throw new StorageError('quota', 'The browser has no more storage space for Hearth.', true);
    };
    await chat.send('hi');
    await until(() => chat.streaming() === null && chat.path().length === 2);
    const reply = chat.path()[1];
    expect(chat.unsaved(reply.id)).toEqual({ content: 'Hello there!', status: 'complete' });
    expect(toasts.toasts().some((t) => t.kind === 'error' && /storage space/.test(t.text))).toBe(true);
    expect(chat.path()[0].content).toBe('hi');
    // In the database: the conversation, the question and the reply as it was last saved (started,
    // empty), none of it removed or blanked by the failed writes.
    const conv = chat.path()[0].conversationId;
    expect(await storage.conversations.get(conv)).toMatchObject({ id: conv, deletedAt: null });
    const saved = await storage.messages.listByConversation(conv);
    expect(saved.map((m) => [m.id, m.role, m.content, m.status, m.deletedAt])).toEqual([
      [chat.path()[0].id, 'user', 'hi', 'complete', null],
      [reply.id, 'assistant', '', 'streaming', null],
    ]);
  });
});

describe('conversations store', () => {
  it('lists pinned first, searches, renames, deletes with undo', async () => {
    const { stores, storage } = setup();
    const { conversations, toasts } = stores;
    const a = await storage.conversations.create({ title: 'Alpha' });
    const b = await storage.conversations.create({ title: 'Beta' });
    await storage.messages.add({ conversationId: a.id, parentId: null, role: 'user', content: 'the zebra question' });
    await until(() => conversations.hits().length === 2);
    await conversations.togglePin(b.id);
    await until(() => conversations.hits()[0].conversation.id === b.id && conversations.hits()[0].conversation.pinned);
    conversations.setQuery('zebra');
    await until(() => conversations.hits().length === 1);
    expect(conversations.hits()[0].conversation.id).toBe(a.id);
    expect(conversations.hits()[0].snippet).toContain('zebra');
    conversations.setQuery('');
    expect(await conversations.rename(a.id, '  Renamed  ')).toBe(true);
    expect(await conversations.rename(a.id, '   ')).toBe(false);
    expect((await storage.conversations.get(a.id))?.title).toBe('Renamed');
    conversations.select(a.id);
    await until(() => conversations.active()?.title === 'Renamed');
    await conversations.remove(a.id);
    expect(conversations.activeId()).toBeNull();
    await until(() => conversations.hits().length === 1);
    const undo = toasts.toasts().find((t) => t.action?.label === 'Undo');
    expect(undo?.text).toContain('Renamed');
    await undo!.action!.run();
    await until(() => conversations.hits().length === 2);
    expect(conversations.activeId()).toBe(a.id);
  });
});

describe('what a reply waiting for the model says', () => {
  it('gives the download share while files arrive, then "Preparing" (never "Loading … 100%")', () => {
    expect(waitingText('loading', 'download', 0.42)).toMatch(/^Loading the model \(42%\)/);
    expect(waitingText('loading', 'download', 1)).toMatch(/^Preparing the model/);
    expect(waitingText('loading', 'prepare', 1)).toMatch(/^Preparing the model/);
    expect(waitingText('loading', 'warmup', 1)).toMatch(/^Preparing the model/);
    expect(waitingText('idle', '', 0)).toBe('Waiting for the model…');
  });
});
