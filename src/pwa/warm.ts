// Keeps the bundled model in use available offline: after it loaded, the page makes sure the files
// that load read are in the model's versioned cache (the service worker serves them from there).
// Needed on the first visit, when the model loaded before the service worker controlled the page.
import { bundledModelCacheName, bundledModels, filesForDtype, verifiedCopy } from './caches';

export async function keepBundledModelOffline(modelId: string, dtype: string, origin = location.origin): Promise<number> {
  if (!import.meta.env.PROD || typeof caches === 'undefined' || !('serviceWorker' in navigator)) return 0;
  const model = bundledModels().find((m) => m.id === modelId);
  if (!model) return 0;
  const cache = await caches.open(bundledModelCacheName(model.id, model.version));
  let added = 0;
  for (const f of filesForDtype(model.files, dtype)) {
    const url = `${origin}/models/${model.id}/${f.path}`;
    if (await cache.match(url)) continue;
    const res = await fetch(url);
    const copy = await verifiedCopy(res, f.size);
    if (!copy) {
      await res.body?.cancel().catch(() => undefined);
      continue; // not the version this build shipped: never mix versions in one cache
    }
    await cache.put(url, copy);
    added++;
  }
  return added;
}
