// Installs, lists and deletes the models the user keeps. A Hub download is planned (src/models/hub),
// recorded as 'partial', fetched file by file with verification (src/models/download) into the
// models cache, and only then recorded as 'installed'; a cancelled, damaged or over-quota download
// is discarded entirely, a dropped connection (or a reload, or a closed tab) keeps the verified
// files and the stored parts of the current one, so "Resume" goes on after them.
// "Load model from files" copies a folder of ONNX files from the user's disk into the same cache
// under synthetic same-origin keys. The engine then loads either from that cache (`sourceFor`).
import type { ModelRecord, NewModelRecord } from '../db';
import type { ModelSource } from '../shared/engine';
import { DTYPE_SUFFIX, HUB_MODELS_CACHE } from '../pwa/caches';
import { dtypeFor, type CatalogBackend, type CatalogEntry } from './catalog';
import { cancelled, DownloadError, downloadFiles, isQuotaError } from './download';
import type { FileStore } from './fileStore';
import { hubBaseUrl, planHubDownload, type HubPlan } from './hub';
import { diagnoseHubError } from './hubErrors';

/** Failures after which what arrived is kept for Resume (the Hub or the connection, not the data). */
const KEEP: ReadonlySet<string> = new Set(['network', 'http', 'server', 'offline', 'unreachable', 'cors']);

export interface ModelRecordStore {
  put(rec: NewModelRecord): Promise<ModelRecord>;
  get(id: string): Promise<ModelRecord | undefined>;
  list(): Promise<ModelRecord[]>;
  remove(id: string): Promise<void>;
}

export interface InstallProgress {
  loadedBytes: number;
  totalBytes?: number;
  file?: string;
}

export interface ModelManagerDeps {
  records: ModelRecordStore;
  /** The file store over a cache (Cache Storage in the app). */
  store: (cacheName: string) => FileStore;
  fetch?: typeof fetch;
  /** Drops a model's whole cache (browsers give the space back at once; deleted entries may linger). */
  dropStore?: (cacheName: string) => Promise<void>;
  /** Origin for the synthetic keys of models loaded from files. */
  origin?: string;
}

/** Each kept model has its own cache, so deleting it gives the space back at once. */
export function modelCacheName(id: string): string {
  return `${HUB_MODELS_CACHE}:${id}`;
}

/** Where a model loaded from files lives in the cache. */
export const LOCAL_MODELS_PATH = '/hearth-local-models/';

export class ModelManager {
  constructor(private readonly deps: ModelManagerDeps) {}

  list(): Promise<ModelRecord[]> {
    return this.deps.records.list();
  }

  /** Downloads a Hub model for `backend`'s dtype; resolves with the installed record. */
  async install(
    entry: CatalogEntry,
    opts: {
      hubUrl: string;
      backend: CatalogBackend;
      shaderF16?: boolean;
      signal?: AbortSignal;
      onProgress?: (p: InstallProgress) => void;
      /** navigator.onLine by default. */
      online?: boolean;
    },
  ): Promise<ModelRecord> {
    if (entry.source !== 'hub' || !entry.repo) throw new DownloadError('not-found', 'This model is not downloadable.');
    const ref = { hubUrl: opts.hubUrl, repo: entry.repo, revision: entry.revision ?? 'main' };
    const dtype = dtypeFor(entry, opts.backend, { shaderF16: opts.shaderF16 });
    const fetchImpl = this.deps.fetch ?? fetch;
    // A failure says why: offline, Hub unreachable, CORS, server error, not found (src/models/hubErrors).
    const explain = (e: unknown, reached = false) =>
      diagnoseHubError(e, {
        reached,
        probeUrl: `${hubBaseUrl(ref)}config.json`,
        fetch: fetchImpl,
        online: opts.online ?? (typeof navigator === 'undefined' || navigator.onLine !== false),
        signal: opts.signal,
      });
    let plan: HubPlan;
    try {
      plan = await planHubDownload(ref, dtype, fetchImpl, opts.signal);
    } catch (e) {
      // Cancelled while the listing loads (or before): the same error as cancelled mid-file.
      throw opts.signal?.aborted ? cancelled() : await explain(e);
    }
    const cacheName = modelCacheName(entry.id);
    const store = this.deps.store(cacheName);
    const base: NewModelRecord = {
      id: entry.id,
      name: entry.name,
      source: 'hub',
      hubUrl: ref.hubUrl,
      repo: ref.repo,
      revision: ref.revision,
      cacheName,
      dtype,
      contextLength: plan.contextLength ?? entry.contextLength,
      licence: entry.licence,
      files: plan.files.map((f) => ({ path: f.path, size: f.size ?? 0, sha256: f.sha256, verified: false })),
      totalBytes: plan.totalBytes ?? 0,
      status: 'partial',
    };
    await this.deps.records.put(base);
    let loaded = 0;
    opts.onProgress?.({ loadedBytes: 0, totalBytes: plan.totalBytes });
    // The record follows what is safely stored (one write per stored part), so after a reload the
    // dialog can say how much is kept and a new attempt resumes after it.
    let fileState = base.files;
    let saving = Promise.resolve();
    const saveStored = (path: string, bytes: number, complete: boolean) => {
      fileState = fileState.map((f) => (f.path === path ? { ...f, storedBytes: bytes, verified: complete } : f));
      const snapshot = { ...base, files: fileState };
      saving = saving.then(() => this.deps.records.put(snapshot)).then(() => undefined, () => undefined);
    };
    try {
      const got = await downloadFiles(plan.baseUrl, plan.files, store, {
        fetch: fetchImpl,
        signal: opts.signal,
        skipExisting: true,
        onBytes: (d, file) => {
          loaded += d;
          opts.onProgress?.({ loadedBytes: loaded, totalBytes: plan.totalBytes, file });
        },
        onStored: saveStored,
      });
      await saving;
      const files = got.map((f) => ({ path: f.path, size: f.size, sha256: f.sha256 || undefined, verified: true }));
      return await this.deps.records.put({ ...base, files, totalBytes: files.reduce((n, f) => n + f.size, 0), status: 'installed' });
    } catch (failure) {
      await saving;
      const e = await explain(failure, true);
      // The Hub or the connection failing keeps what was stored for "Resume"; anything else is discarded.
      if (e instanceof DownloadError && KEEP.has(e.code)) {
        e.keptBytes = fileState.reduce((n, f) => n + (f.verified ? f.size : (f.storedBytes ?? 0)), 0);
      } else await this.delete(entry.id).catch(() => undefined);
      if (isQuotaError(e)) throw new DownloadError('quota', 'The browser has no more storage space for this model.');
      throw e;
    }
  }

  /** Deletes a model's files and its record. */
  async delete(id: string): Promise<void> {
    const rec = await this.deps.records.get(id);
    if (!rec) return;
    const store = this.deps.store(rec.cacheName);
    const base = baseKey(rec);
    for (const f of rec.files) await store.delete(base + f.path);
    await this.deps.dropStore?.(rec.cacheName);
    await this.deps.records.remove(id);
  }

  /**
   * Copies a model folder picked by the user (`<input type=file webkitdirectory>`) into the cache.
   * `files` carry `webkitRelativePath` ("folder/onnx/model.onnx"); `backend` picks the ONNX file.
   */
  async importFiles(files: Array<File & { webkitRelativePath?: string }>, backend: CatalogBackend, preferred?: Record<CatalogBackend, string>): Promise<ModelRecord> {
    const byPath = new Map<string, File>();
    let folder = 'model';
    for (const f of files) {
      const rel = (f.webkitRelativePath || f.name).split('/');
      if (rel.length > 1) folder = rel[0];
      byPath.set(rel.length > 1 ? rel.slice(1).join('/') : rel[0], f);
    }
    for (const need of ['config.json', 'tokenizer.json', 'tokenizer_config.json']) {
      if (!byPath.has(need)) throw new DownloadError('not-found', `The folder is not a transformers.js model: ${need} is missing.`);
    }
    const order = [preferred?.[backend], backend === 'webgpu' ? 'q4f16' : 'q8', backend === 'webgpu' ? 'fp16' : 'q4', 'fp32', 'q8', 'q4', 'q4f16', 'fp16', 'int8', 'uint8', 'bnb4'];
    const dtype = order.find((d) => d !== undefined && byPath.has(`onnx/model${DTYPE_SUFFIX[d] ?? ''}.onnx`));
    if (!dtype) throw new DownloadError('not-found', 'The folder has no ONNX model (onnx/model*.onnx).');
    const onnx = `onnx/model${DTYPE_SUFFIX[dtype]}.onnx`;
    const keep = [...byPath.keys()].filter((p) => !p.startsWith('onnx/') || p === onnx || p.startsWith(`${onnx}_data`));
    const slug = folder.replace(/[^\w.-]+/g, '-').slice(0, 60) || 'model';
    const id = `files:${slug}`;
    const origin = this.deps.origin ?? (typeof location !== 'undefined' ? location.origin : 'http://localhost');
    const baseUrl = `${origin}${LOCAL_MODELS_PATH}${encodeURIComponent(slug)}/`;
    await this.delete(id).catch(() => undefined);
    const store = this.deps.store(modelCacheName(id));
    const rec: NewModelRecord = {
      id,
      name: folder,
      source: 'files',
      baseUrl,
      cacheName: modelCacheName(id),
      dtype,
      files: keep.map((p) => ({ path: p, size: byPath.get(p)!.size, verified: false })),
      totalBytes: keep.reduce((n, p) => n + byPath.get(p)!.size, 0),
      status: 'partial',
    };
    await this.deps.records.put(rec);
    try {
      for (const p of keep) await store.put(baseUrl + p, byPath.get(p)!);
      let contextLength: number | undefined;
      try {
        const config = JSON.parse(await byPath.get('config.json')!.text()) as Record<string, unknown>;
        const ctx = Number(config.max_position_embeddings ?? config.n_positions ?? NaN);
        contextLength = Number.isFinite(ctx) ? ctx : undefined;
      } catch {
        throw new DownloadError('verify', 'config.json in that folder is not valid JSON.');
      }
      return await this.deps.records.put({ ...rec, contextLength, files: rec.files.map((f) => ({ ...f, verified: true })), status: 'installed' });
    } catch (e) {
      await this.delete(id).catch(() => undefined);
      if (isQuotaError(e)) throw new DownloadError('quota', 'The browser has no more storage space for this model.');
      throw e;
    }
  }
}

function baseKey(rec: ModelRecord): string {
  if (rec.source === 'files') return rec.baseUrl!;
  return hubBaseUrl({ hubUrl: rec.hubUrl!, repo: rec.repo!, revision: rec.revision ?? 'main' });
}

/** How the engine loads an installed model. */
export function sourceFor(rec: ModelRecord): ModelSource {
  if (rec.source === 'files') return { kind: 'files', cacheName: rec.cacheName, baseUrl: rec.baseUrl! };
  return { kind: 'hub', cacheName: rec.cacheName, hubUrl: rec.hubUrl!, repo: rec.repo!, revision: rec.revision ?? 'main' };
}
