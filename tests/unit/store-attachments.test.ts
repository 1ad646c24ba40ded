// @vitest-environment happy-dom
// The attachments and chat stores on fake-indexeddb with an engine that plans its prompt with
// the real planner: pending files are read, refused above 50 MB, removable; a message saved with
// its files sends them to the engine; the reply records what was sent and the chip finds it;
// a later question does not send them again.
// Files are Node's (happy-dom's Blobs do not survive fake-indexeddb's structured clone).
import 'fake-indexeddb/auto';
import { File } from 'node:buffer';
import { createRoot } from 'solid-js';
import { afterEach, describe, expect, it } from 'vitest';
import { openStorage } from '../../src/db';
import type { EngineApi, GenerateRequest, GenerateResult, Outcome } from '../../src/shared/engine';
import { planPrompt } from '../../src/shared/prompt';
import { createAppStores, type Stores } from '../../src/stores';
import { until } from './until';

const words = (s: string) => s.split(/\s+/).filter(Boolean).length;

class PlanningEngine implements EngineApi {
  requests: GenerateRequest[] = [];
  async capabilities() {
    return { webgpu: false, crossOriginIsolated: false, hardwareConcurrency: 2 };
  }
  async load() {
    return { ok: true as const, value: { modelId: 'm', backend: 'wasm' as const, dtype: 'q8', contextLength: 256, threads: 1 } };
  }
  async generate(request: GenerateRequest): Promise<Outcome<GenerateResult>> {
    this.requests.push(request);
    const plan = planPrompt({
      turns: request.turns,
      files: request.files,
      contextLength: 256,
      maxNewTokens: request.params.maxNewTokens,
      countTokens: (ms) => ms.reduce((n, m) => n + 3 + words(m.content), 2),
      clipText: (t) => t,
    });
    return {
      ok: true,
      value: { text: 'ok', finishReason: 'stop', promptTokens: plan.promptTokens, completionTokens: 1, tokensPerSecond: 1, droppedTurns: 0, truncatedLatest: false, backend: 'wasm', modelId: 'm', files: plan.files },
    };
  }
  async interrupt() {}
  async unload() {}
}

let n = 0;
let cleanup: (() => void) | null = null;
afterEach(() => cleanup?.());

function setup() {
  history.replaceState(null, '', '/');
  const engine = new PlanningEngine();
  const storage = openStorage(`att-store-${++n}`);
  const stores: Stores = createRoot((dispose) => {
    cleanup = dispose;
    return createAppStores({ storage, engine, url: {}, locks: null });
  });
  return { stores, engine, storage };
}

describe('attachments store', () => {
  it('reads pending files, refuses files above 50 MB with a toast, and removes on request', async () => {
    const { stores } = setup();
    const { attachments, toasts } = stores;
    attachments.add([new File(['a,b\n1,2\n'], 'data.csv', { type: 'text/csv' }), new File(['x'], 'gone.txt'), { name: 'huge.bin', size: 60 * 1024 * 1024, type: '' } as File] as unknown as globalThis.File[]);
    expect(toasts.toasts().map((t) => t.text)).toEqual(['“huge.bin” is 60 MB; files up to 50 MB can be attached.']);
    expect(attachments.pending().map((p) => p.name)).toEqual(['data.csv', 'gone.txt']);
    await until(() => !attachments.reading());
    expect(attachments.pending()[0].extracted).toEqual({ kind: 'text' });
    attachments.remove(attachments.pending()[1].key);
    expect(attachments.toSave().map((f) => [f.name, f.kind])).toEqual([['data.csv', 'text']]);
  });

  it('sends a message with its files: the engine reads them, the reply records what was sent', async () => {
    const { stores, engine, storage } = setup();
    const { attachments, chat } = stores;
    attachments.add([new File(['The password is swordfish.'], 'secret.txt', { type: 'text/plain' })] as unknown as globalThis.File[]);
    await until(() => !attachments.reading());
    const sent = await chat.send('', attachments.toSave());
    expect(stores.toasts.toasts().map((t) => t.text)).toEqual([]);
    expect(sent).toBe(true);
    attachments.clear();
    await until(() => chat.streaming() === null && chat.path().length === 2 && chat.path()[1].status === 'complete');
    expect(engine.requests[0].files?.map((f) => [f.name, f.text])).toEqual([['secret.txt', 'The password is swordfish.']]);
    const [user, reply] = chat.path();
    expect(user.attachmentIds).toHaveLength(1);
    const attId = user.attachmentIds[0];
    expect(reply.metadata.attachments).toEqual([{ id: attId, name: 'secret.txt', whole: true, passages: [], totalPassages: 1, passageChars: 200 }]);
    expect(chat.fileUsage(user.id, attId)?.whole).toBe(true);
    await until(() => !!attachments.byId(attId));
    expect(attachments.byId(attId)).toMatchObject({ name: 'secret.txt', kind: 'text', messageId: user.id, size: 26 });
    // An edited question keeps its files and they go to the model again.
    expect(await chat.editAndResend(user.id, 'What is the password?')).toBe(true);
    await until(() => engine.requests.length === 2 && chat.streaming() === null);
    expect(engine.requests[1].files?.[0].text).toBe('The password is swordfish.');
    const edited = (await storage.messages.listByConversation(user.conversationId)).find((m) => m.content === 'What is the password?');
    expect(edited?.attachmentIds).toEqual([attId]);
  });

  it('does not send the files of earlier messages again with a later question', async () => {
    const { stores, engine } = setup();
    const { attachments, chat } = stores;
    attachments.add([new File(['The password is swordfish.'], 'secret.txt', { type: 'text/plain' })] as unknown as globalThis.File[]);
    await until(() => !attachments.reading());
    expect(await chat.send('Read this.', attachments.toSave())).toBe(true);
    attachments.clear();
    await until(() => chat.streaming() === null && chat.path().length === 2 && chat.path()[1].status === 'complete');
    expect(await chat.send('And now something else?')).toBe(true);
    await until(() => chat.streaming() === null && chat.path().length === 4 && chat.path()[3].status === 'complete');
    expect(engine.requests.map((r) => r.files?.map((f) => f.name) ?? [])).toEqual([['secret.txt'], []]);
    // The earlier turn goes as its text only: the file's contents are nowhere in the second request.
    expect(engine.requests[1].turns.map((t) => t.content)).toEqual(['Read this.', 'ok', 'And now something else?']);
    expect(JSON.stringify(engine.requests[1])).not.toContain('swordfish');
  });
});
