// Model downloads for the models store (src/stores/models.ts): per-model byte progress, cancel,
// the error text a failed download shows, and one tab at a time per model (a Web Lock).
import { createSignal } from 'solid-js';
import { formatBytes, type CatalogBackend, type CatalogEntry } from '../models/catalog';
import { DownloadError } from '../models/download';
import type { ModelManager } from '../models/manager';


export interface DownloadState {
  loadedBytes: number;
  totalBytes?: number;
  file?: string;
  running: boolean;
  error?: string;
}

export function downloadErrorText(e: unknown): string {
  if (e instanceof DownloadError) {
    const kept = e.keptBytes > 0 ? ` ${formatBytes(e.keptBytes)} already downloaded is kept; the download goes on from there.` : '';
    const meanwhile = ' The built-in model still answers meanwhile.';
    switch (e.code) {
      case 'quota':
        return 'Your browser has no more storage space for this model. The partial download was discarded and nothing else was lost; delete a model or free some space, then try again.';
      case 'network':
        return `The connection was lost during the download.${kept || ' The verified files are kept: choose Retry to continue.'}`;
      case 'offline':
      case 'unreachable':
      case 'cors':
      case 'server':
      case 'http':
        return `${e.message}${kept}${meanwhile}`;
      case 'verify':
        return `The download was damaged and was discarded (${e.message}). Try again.`;
      case 'aborted':
        return 'The download was cancelled.';
      default:
        return e.message;
    }
  }
  return e instanceof Error ? e.message : 'The download failed.';
}

export interface Downloads {
  downloads: () => Record<string, DownloadState>;
  /** Downloads `entry` for `backend`'s dtype, unless this tab or another one already does. */
  download(entry: CatalogEntry, backend: CatalogBackend): Promise<boolean>;
  cancel(id: string): void;
  /** Shows `e` as the failure of `id` ('files' for "Load model from files"). */
  fail(id: string, e: unknown): void;
  /** Forgets the state of `id` (its model is deleted). */
  clear(id: string): void;
}

export function createDownloads(deps: {
  manager: ModelManager;
  hubUrl: () => string;
  shaderF16?: () => boolean | undefined;
  /** Asks for persistent storage (once it is granted, no more). */
  persist: () => Promise<void>;
  /** Called after each download, finished or not. */
  onSettled: () => Promise<void>;
}): Downloads {
  const { manager } = deps;
  const [downloads, setDownloads] = createSignal<Record<string, DownloadState>>({});
  const controllers = new Map<string, AbortController>();
  const patchDownload = (id: string, patch: Partial<DownloadState> | null) =>
    setDownloads((cur) => {
      const next = { ...cur };
      if (patch === null) delete next[id];
      else next[id] = Object.assign({ loadedBytes: 0, running: false }, cur[id], patch);
      return next;
    });

  /** The download itself, in this tab (`download` first makes sure no other tab runs it). */
  const downloadHere = async (entry: CatalogEntry, backend: CatalogBackend): Promise<boolean> => {
    if (controllers.has(entry.id)) return false;
    const ctrl = new AbortController();
    controllers.set(entry.id, ctrl);
    patchDownload(entry.id, { loadedBytes: 0, totalBytes: undefined, running: true, error: undefined });
    await deps.persist();
    try {
      await manager.install(entry, {
        hubUrl: deps.hubUrl(),
        backend,
        shaderF16: deps.shaderF16?.(),
        signal: ctrl.signal,
        onProgress: (p) => patchDownload(entry.id, { loadedBytes: p.loadedBytes, totalBytes: p.totalBytes, file: p.file }),
      });
      patchDownload(entry.id, null);
      return true;
    } catch (e) {
      const aborted = ctrl.signal.aborted;
      patchDownload(entry.id, aborted ? null : { running: false, error: downloadErrorText(e) });
      return false;
    } finally {
      controllers.delete(entry.id);
      await deps.onSettled();
    }
  };

  return {
    downloads,
    async download(entry, backend) {
      if (controllers.has(entry.id)) return false;
      // One tab at a time writes a model's parts: another tab's download of it is not joined.
      if (typeof navigator !== 'undefined' && navigator.locks) {
        return navigator.locks.request(`hearth-download:${entry.id}`, { ifAvailable: true }, async (lock) => {
          if (lock) return downloadHere(entry, backend);
          patchDownload(entry.id, { running: false, error: 'This model is downloading in another tab. Wait for it there, or close that tab and choose Retry.' });
          return false;
        });
      }
      return downloadHere(entry, backend);
    },
    cancel(id) {
      controllers.get(id)?.abort();
    },
    fail: (id, e) => patchDownload(id, { running: false, error: downloadErrorText(e) }),
    clear: (id) => patchDownload(id, null),
  };
}
