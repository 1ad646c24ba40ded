// The Models dialog's state: the catalog (bundled + Hub models + repositories the user added),
// the models kept in this browser (live across tabs), downloads with byte progress, cancel and
// retry / resume (one tab at a time per model, by Web Lock), delete, "Load model from files", the
// Hub URL, storage figures and persistence, and the model in use (persisted; `?model=` overrides
// it) with how the engine loads it. The browser's own model (Chrome's built-in AI) is one more
// choice where Chrome offers it (src/stores/builtInAi.ts). The downloads themselves (progress,
// cancel, one tab per model, error text) are src/stores/modelDownloads.ts.
import { createSignal } from 'solid-js';
import { observe, type ModelRecord, type Storage } from '../db';
import type { ActiveModel } from '../engine/tabEngine';
import { bundledModels, HUB_MODELS_CACHE } from '../pwa/caches';
import { CATALOG_URL, customHubEntry, DEFAULT_HUB_URL, dtypeFor, loadCatalog, type Catalog, type CatalogBackend, type CatalogEntry } from '../models/catalog';
import { CacheFileStore } from '../models/fileStore';
import { ModelManager, sourceFor } from '../models/manager';
import { BUILTIN_AI_MODEL_ID, type LanguageModelStatic } from '../shared/builtinAi';
import { createBuiltInAiState, type BuiltInAiState } from './builtInAi';
import { estimateStorage, isStoragePersisted, requestPersistentStorage, type StorageFigures } from '../models/storage';
import { createDownloads, type DownloadState } from './modelDownloads';

const KEY_ACTIVE = 'activeModel';
const KEY_HUB = 'hubUrl';
const KEY_CUSTOM = 'customModels';

export interface ModelsStore {
  catalog: () => CatalogEntry[];
  catalogError: () => string | null;
  records: () => ModelRecord[];
  record(id: string): ModelRecord | undefined;
  downloads: () => Record<string, DownloadState>;
  hubUrl: () => string;
  setHubUrl(url: string): Promise<boolean>;
  addRepository(repo: string): Promise<string | null>;
  /** Downloads `entry` for `backend`'s dtype (default: the backend the engine runs on). */
  download(entry: CatalogEntry, opts?: { backend?: CatalogBackend }): Promise<boolean>;
  /** The dtype a download of `entry` would fetch on this device. */
  dtypeOf(entry: CatalogEntry): string;
  cancel(id: string): void;
  remove(id: string): Promise<void>;
  importFiles(files: FileList | File[]): Promise<string | null>;
  use(id: string): Promise<void>;
  activeId: () => string;
  /** A model's name as the Models list shows it, from the id the engine loaded it by (each reply records it). */
  nameOf(modelId: string): string;
  /** How the engine loads the model in use. */
  active: () => ActiveModel;
  storage: () => StorageFigures | null;
  persisted: () => boolean | null;
  refreshStorage(): Promise<void>;
  /** Size of a bundled model's files for a dtype (all its files when dtype is omitted). */
  bundledSize(id: string): number | undefined;
  /** Loads the catalog (once; the dialog calls it when it opens). */
  loadCatalog(): Promise<void>;
  /** Chrome's built-in AI: its availability here and its download. */
  builtIn: BuiltInAiState;
  ready: Promise<void>;
}

export function createModelsStore(deps: {
  storage: Storage;
  defaultModelId: string;
  /** `?model=`: a bundled model forced by the URL (tests, debugging). */
  urlModel?: string;
  backend: () => CatalogBackend;
  /** Whether the WebGPU adapter has shader-f16 (undefined: not known). */
  shaderF16?: () => boolean | undefined;
  onUse?: () => void;
  catalogUrl?: string;
  manager?: ModelManager;
  /** The page's `LanguageModel` (tests inject a fake). */
  languageModel?: () => LanguageModelStatic | null;
}): ModelsStore {
  const { storage } = deps;
  const manager =
    deps.manager ??
    new ModelManager({
      records: storage.models,
      store: (name) => new CacheFileStore(name),
      dropStore: async (name) => {
        await caches.delete(name);
      },
    });
  const [catalog, setCatalog] = createSignal<Catalog>({ hubUrl: DEFAULT_HUB_URL, models: [] });
  const [custom, setCustom] = createSignal<CatalogEntry[]>([]);
  const [catalogError, setCatalogError] = createSignal<string | null>(null);
  const [records, setRecords] = createSignal<ModelRecord[]>([]);
  const [hubUrl, setHubUrlSignal] = createSignal<string | null>(null);
  const [activeId, setActiveId] = createSignal(deps.urlModel ?? deps.defaultModelId);
  const [figures, setFigures] = createSignal<StorageFigures | null>(null);
  const [persisted, setPersisted] = createSignal<boolean | null>(null);
  /** The bundled model used when no other is chosen (or the chosen one is gone). */
  const fallbackId = deps.urlModel ?? deps.defaultModelId;
  const builtIn = createBuiltInAiState(deps.languageModel);

  observe(() => storage.models.list(), setRecords, () => undefined);

  const refreshStorage = async () => {
    setFigures(await estimateStorage());
    setPersisted(await isStoragePersisted());
  };

  let catalogLoad: Promise<void> | null = null;
  const ensureCatalog = () =>
    (catalogLoad ??= (async () => {
      try {
        setCatalog(await loadCatalog(deps.catalogUrl ?? CATALOG_URL));
        setCatalogError(null);
      } catch (e) {
        catalogLoad = null; // try again next time
        setCatalogError(e instanceof Error ? e.message : 'The model catalog could not be loaded.');
      }
    })());

  const ready = (async () => {
    try {
      const [active, hub, extra] = await Promise.all([
        storage.settings.get<string | null>(KEY_ACTIVE, null),
        storage.settings.get<string | null>(KEY_HUB, null),
        storage.settings.get<string[]>(KEY_CUSTOM, []),
      ]);
      if (active && !deps.urlModel) setActiveId(active);
      if (hub) setHubUrlSignal(hub);
      setCustom(extra.map((r) => customHubEntry(r)).filter((e): e is CatalogEntry => e !== null));
      setRecords(await storage.models.list());
    } catch {
      /* settings are optional */
    }
    // Chrome's model chosen earlier but gone now (or another browser): back to the default.
    if ((await builtIn.probe()) === 'unavailable' && activeId() === BUILTIN_AI_MODEL_ID) {
      setActiveId(fallbackId);
      deps.onUse?.();
    }
    await refreshStorage();
  })();

  const record = (id: string) => records().find((r) => r.id === id);
  const allEntries = () => {
    const list = [...catalog().models, ...custom()];
    // Models loaded from files (and downloads no longer in the catalog) are listed too.
    for (const r of records()) {
      if (!list.some((e) => e.id === r.id)) {
        list.push({ id: r.id, name: r.name, source: 'hub', repo: r.repo, revision: r.revision, contextLength: r.contextLength, licence: r.licence, dtypes: { wasm: r.dtype, webgpu: r.dtype } });
      }
    }
    return list;
  };

  const currentHubUrl = () => hubUrl() ?? catalog().hubUrl;
  const dl = createDownloads({
    manager,
    hubUrl: currentHubUrl,
    shaderF16: deps.shaderF16,
    persist: async () => {
      if (persisted() !== true) setPersisted(await requestPersistentStorage());
    },
    onSettled: refreshStorage,
  });

  return {
    catalog: allEntries,
    dtypeOf: (entry) => dtypeFor(entry, deps.backend(), { shaderF16: deps.shaderF16?.() }),
    catalogError,
    records,
    record,
    downloads: dl.downloads,
    hubUrl: currentHubUrl,
    async setHubUrl(url) {
      const clean = url.trim().replace(/\/+$/, '');
      if (!/^https?:\/\/[^\s/]+/.test(clean)) return false;
      setHubUrlSignal(clean);
      await storage.settings.set(KEY_HUB, clean).catch(() => undefined);
      return true;
    },
    async addRepository(repo) {
      const entry = customHubEntry(repo);
      if (!entry) return null;
      if (!custom().some((e) => e.id === entry.id)) {
        const next = [...custom(), entry];
        setCustom(next);
        await storage.settings.set(KEY_CUSTOM, next.map((e) => e.repo!)).catch(() => undefined);
      }
      return entry.id;
    },
    download: (entry, opts) => dl.download(entry, opts?.backend ?? deps.backend()),
    cancel: dl.cancel,
    async remove(id) {
      dl.cancel(id);
      await manager.delete(id);
      dl.clear(id);
      if (activeId() === id) {
        setActiveId(fallbackId);
        await storage.settings.set(KEY_ACTIVE, fallbackId).catch(() => undefined);
        deps.onUse?.();
      }
      await refreshStorage();
    },
    async importFiles(files) {
      try {
        const rec = await manager.importFiles(Array.from(files), deps.backend());
        await refreshStorage();
        return rec.id;
      } catch (e) {
        dl.fail('files', e);
        return null;
      }
    },
    async use(id) {
      setActiveId(id);
      await storage.settings.set(KEY_ACTIVE, id).catch(() => undefined);
      deps.onUse?.();
    },
    activeId,
    // Downloaded models load by their name already; bundled ones by their folder id.
    nameOf: (modelId) => catalog().models.find((e) => e.id === modelId)?.name ?? modelId,
    active: () => {
      const id = activeId();
      // Until the probe says otherwise, a chosen built-in model is tried (its load says why not).
      if (id === BUILTIN_AI_MODEL_ID && builtIn.status() !== 'unavailable') return { modelId: BUILTIN_AI_MODEL_ID };
      const rec = record(id);
      if (rec && rec.status === 'installed') return { modelId: rec.name, source: sourceFor(rec), dtype: rec.dtype, files: rec.files };
      // Not (or no longer, or not yet) installed: anything but a bundled model falls back.
      const bundled = id === fallbackId || bundledModels().some((b) => b.id === id);
      const modelId = bundled && !rec ? id : fallbackId;
      return { modelId, source: { kind: 'bundled' }, files: bundledModels().find((b) => b.id === modelId)?.files };
    },
    storage: figures,
    persisted,
    refreshStorage,
    loadCatalog: ensureCatalog,
    builtIn,
    bundledSize: (id) => bundledModels().find((m) => m.id === id)?.files.reduce((n, f) => n + f.size, 0),
    ready,
  };
}

export { HUB_MODELS_CACHE };
