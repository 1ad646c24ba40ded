// The model manager: a model is 'installed' only once every file is verified in the store; a
// dropped connection leaves a 'partial' record (saying how much is kept) that a retry completes; cancel (before or after a part
// was written) and delete leave nothing behind; a folder from disk becomes an installed model loadable from the cache.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CatalogEntry } from '../../src/models/catalog';
import { DownloadError } from '../../src/models/download';
import { MemoryFileStore } from '../../src/models/fileStore';
import { ModelManager, modelCacheName, sourceFor } from '../../src/models/manager';
import { FIXTURE_DIR, FIXTURE_REPO, startHubServer, type HubServer } from '../fixtures/hub-server.mjs';
import { freshStorage } from './dbHelpers';

let hub: HubServer;
beforeAll(async () => {
  hub = await startHubServer();
});
afterAll(async () => {
  await hub.close();
});

const ENTRY: CatalogEntry = {
  id: 'tiny-chat',
  name: 'Tiny chat',
  source: 'hub',
  repo: FIXTURE_REPO,
  revision: 'main',
  dtypes: { wasm: 'q8', webgpu: 'fp32' },
};

/** The one rejection a cancelled install gives (the UI shows its message). */
const CANCELLED = new DownloadError('aborted', 'The download was cancelled.');

function setup() {
  const storage = freshStorage();
  const stores = new Map<string, MemoryFileStore>();
  const store = (name: string) => stores.get(name) ?? stores.set(name, new MemoryFileStore()).get(name)!;
  const manager = new ModelManager({ records: storage.models, store, origin: 'http://app.test' });
  return { storage, manager, store };
}

describe('ModelManager', () => {
  it('installs a Hub model: record installed with verified files, progress up to the total', async () => {
    const { manager, storage } = setup();
    const seen: number[] = [];
    const rec = await manager.install(ENTRY, { hubUrl: hub.url, backend: 'wasm', onProgress: (p) => seen.push(p.loadedBytes) });
    expect(rec.status).toBe('installed');
    expect(rec.dtype).toBe('q8');
    expect(rec.contextLength).toBe(256);
    expect(rec.files.every((f) => f.verified)).toBe(true);
    expect(seen.at(-1)).toBe(rec.totalBytes);
    expect(sourceFor(rec)).toEqual({ kind: 'hub', cacheName: rec.cacheName, hubUrl: hub.url, repo: FIXTURE_REPO, revision: 'main' });
    expect((await storage.models.get('tiny-chat'))?.status).toBe('installed');
  });

  it('keeps a partial record after a dropped connection, and a retry completes it', async () => {
    const { manager, storage } = setup();
    hub.cut('onnx/model_quantized.onnx', 5000, 100);
    await expect(manager.install(ENTRY, { hubUrl: hub.url, backend: 'wasm' })).rejects.toMatchObject({ code: 'network' });
    hub.cut('onnx/model_quantized.onnx', 0, 0);
    const partial = await storage.models.get('tiny-chat');
    expect(partial?.status).toBe('partial');
    // The record says what is kept: the small files verified, part of the ONNX file stored.
    const onnx = partial!.files.find((f) => f.path === 'onnx/model_quantized.onnx')!;
    expect(onnx.verified).toBe(false);
    expect(onnx.storedBytes).toBeGreaterThan(0);
    expect(onnx.storedBytes).toBeLessThan(onnx.size);
    expect(partial!.files.filter((f) => f !== onnx).every((f) => f.verified)).toBe(true);
    const rec = await manager.install(ENTRY, { hubUrl: hub.url, backend: 'wasm' });
    expect(rec.status).toBe('installed');
  }, 30_000);

  it('cancelled before it starts: rejects as cancelled and keeps nothing; delete removes files and record', async () => {
    const { manager, storage, store } = setup();
    const ctrl = new AbortController();
    ctrl.abort();
    await expect(manager.install(ENTRY, { hubUrl: hub.url, backend: 'wasm', signal: ctrl.signal })).rejects.toEqual(CANCELLED);
    expect(await storage.models.get('tiny-chat')).toBeUndefined();
    const rec = await manager.install(ENTRY, { hubUrl: hub.url, backend: 'wasm' });
    expect((store(rec.cacheName) as MemoryFileStore).files.size).toBe(rec.files.length);
    await manager.delete(rec.id);
    expect((store(rec.cacheName) as MemoryFileStore).files.size).toBe(0);
    expect(await storage.models.list()).toEqual([]);
  });

  it('discards the stored parts and the record when cancelled after a part was written; installing again completes', async () => {
    const { manager, storage, store } = setup();
    const mem = store(modelCacheName(ENTRY.id)) as MemoryFileStore;
    const onnxKey = (key: string) => key.endsWith('/onnx/model_quantized.onnx');
    const ctrl = new AbortController();
    hub.throttle(400_000);
    try {
      const run = manager.install(ENTRY, { hubUrl: hub.url, backend: 'wasm', signal: ctrl.signal });
      // Cancel once a part of the ONNX file is in the store (bytes written, the file unfinished).
      for (const deadline = Date.now() + 10_000; ![...mem.parts.keys()].some(onnxKey); await new Promise((r) => setTimeout(r, 2))) {
        if (Date.now() > deadline) throw new Error('no part was stored');
      }
      expect([...mem.files.keys()].some(onnxKey)).toBe(false);
      ctrl.abort();
      await expect(run).rejects.toEqual(CANCELLED);
    } finally {
      hub.throttle(null);
    }
    expect(await storage.models.get(ENTRY.id)).toBeUndefined();
    expect(mem.files.size + mem.parts.size + mem.partials.size).toBe(0);
    const rec = await manager.install(ENTRY, { hubUrl: hub.url, backend: 'wasm' });
    expect(rec.status).toBe('installed');
    expect((store(rec.cacheName) as MemoryFileStore).files.size).toBe(rec.files.length);
  });

  it('imports a model folder from disk under same-origin keys', async () => {
    const { manager, store } = setup();
    const names = ['config.json', 'generation_config.json', 'tokenizer.json', 'tokenizer_config.json', 'onnx/model.onnx', 'onnx/model_quantized.onnx'];
    const files = names.map((n) => {
      const f = new File([readFileSync(join(FIXTURE_DIR, n))], n.split('/').pop()!);
      Object.defineProperty(f, 'webkitRelativePath', { value: `my-model/${n}` });
      return f;
    });
    const rec = await manager.importFiles(files, 'wasm');
    expect(rec).toMatchObject({ id: 'files:my-model', source: 'files', dtype: 'q8', status: 'installed', contextLength: 256 });
    expect(rec.files.map((f) => f.path)).not.toContain('onnx/model.onnx');
    const mem = store(rec.cacheName) as MemoryFileStore;
    expect([...mem.files.keys()]).toContain('http://app.test/hearth-local-models/my-model/onnx/model_quantized.onnx');
    await expect(manager.importFiles(files.slice(1), 'wasm')).rejects.toThrow(/config.json is missing/);
  });
});
