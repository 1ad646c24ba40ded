// Loading a model from Cache Storage instead of the network (a model downloaded from the Hub or
// loaded from the user's files). transformers.js reads "local" files through `env.fetch`; while such
// a model loads, the engine points `env.localModelPath` at CACHE_ROOT and `env.fetch` at
// `cacheFetch`, which answers those paths from the cache (files stored in parts are joined; 404 for
// a file that is not there, so optional files stay optional) and passes every other URL to the
// real fetch. No network is used.
import { modelSourceBaseKey, type ModelSource } from '../src/shared/engine';
import { readStoredFile } from '../src/shared/storedFiles';

/** The pseudo folder transformers.js is told the cached model lives in (never fetched for real). */
export const CACHE_ROOT = '/__hearth_cache__/';

export type CachedSource = Exclude<ModelSource, { kind: 'bundled' }>;

export function isCachedSource(source: ModelSource | undefined): source is CachedSource {
  return !!source && source.kind !== 'bundled';
}

type FetchFn = (input: string | URL, init?: RequestInit) => Promise<Response>;

/**
 * A fetch that serves `${CACHE_ROOT}${loadId}/<file>` from `source`'s cache and passes anything
 * else to `fallback`.
 */
export function cacheFetch(source: CachedSource, loadId: string, fallback: FetchFn, storage: CacheStorage = caches): FetchFn {
  const prefix = `${CACHE_ROOT}${loadId}/`;
  const base = modelSourceBaseKey(source);
  return async (input, init) => {
    const url = typeof input === 'string' ? input : input.href;
    const path = url.startsWith(prefix) ? url.slice(prefix.length) : null;
    if (path === null) return fallback(input, init);
    const cache = await storage.open(source.cacheName);
    const hit = await readStoredFile(cache, base + path);
    return hit ?? new Response('Not Found', { status: 404, statusText: 'Not Found' });
  };
}

/** The first of `files` missing from the cached model, or null. */
export async function missingCachedFile(source: CachedSource, files: string[], storage: CacheStorage = caches): Promise<string | null> {
  const cache = await storage.open(source.cacheName);
  const base = modelSourceBaseKey(source);
  for (const f of files) if (!(await cache.match(base + f))) return f;
  return null;
}

/** A model id transformers.js accepts and never saw before (its config memo is keyed by id). */
let loads = 0;
export function freshLoadId(): string {
  return `cached-model-${++loads}`;
}
