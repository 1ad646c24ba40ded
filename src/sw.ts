// Hearth's service worker (built by vite-plugin-pwa, injectManifest). It makes the app work with
// no network after the first visit:
// - precache: the app shell (html, js, css, icons, manifest), the model catalog and the loaders of
//   ORT's two builds (/ort/*.mjs); every navigation gets the cached index.html. ORT's wasm (14 MB
//   plain build for WASM, 27 MB asyncify for WebGPU) is not precached: the engine worker downloads
//   the one it uses once and keeps it in its own cache
//   (workers/ortWasm.ts), since on a first visit the worker starts before this worker controls
//   the page and a precached copy was a second download.
// - /models/<bundled id>/**: cache-first from "hearth-models-<id>-<version>" (see src/pwa/caches.ts);
//   a miss is downloaded whole, kept only when its size is the one this build shipped (a cache never
//   mixes two versions of a model), and answered from memory rather than streamed (see below).
//   Activate deletes bundled-model caches of versions no longer shipped (never the user's
//   downloaded models) and transformers.js's old cache.
// - updates: a new version waits until the page asks it to take over ({type: 'SKIP_WAITING'},
//   sent by workbox-window's messageSkipWaiting when the user clicks "Reload", src/pwa/register.ts);
//   {type: 'GET_BUILD'} answers this version's build id on the message's port.
import { cleanupOutdatedCaches, createHandlerBoundToURL, precacheAndRoute } from 'workbox-precaching';
import { NavigationRoute, registerRoute } from 'workbox-routing';
import {
  BUNDLED_MODEL_CACHE_PREFIX,
  LEGACY_TRANSFORMERS_CACHE,
  bundledModelCacheName,
  bundledModels,
  wholeResponse,
} from './pwa/caches';
import { BUILD_ID } from './pwa/versions';

// The service worker global scope, typed locally (the project's lib is DOM, not WebWorker).
interface ExtendableEventLike extends Event {
  waitUntil(p: Promise<unknown>): void;
}
interface SwScope {
  __WB_MANIFEST: Array<{ url: string; revision: string | null }>;
  location: Location;
  skipWaiting(): Promise<void>;
  clients: { claim(): Promise<void> };
  addEventListener(type: 'install' | 'activate', fn: (e: ExtendableEventLike) => void): void;
  addEventListener(type: 'message', fn: (e: MessageEvent) => void): void;
}
const sw = self as unknown as SwScope;

// Written as `self.__WB_MANIFEST` so workbox-build finds its injection point in the output.
precacheAndRoute((self as unknown as SwScope).__WB_MANIFEST);
cleanupOutdatedCaches();
registerRoute(new NavigationRoute(createHandlerBoundToURL('/index.html')));

const models = new Map(bundledModels().map((m) => [m.id, m]));

async function bundledModelFile(request: Request, id: string, path: string): Promise<Response> {
  const model = models.get(id)!;
  const cache = await caches.open(bundledModelCacheName(model.id, model.version));
  const hit = await cache.match(request, { ignoreSearch: true });
  if (hit) return hit;
  const res = await fetch(request);
  const expected = model.files.find((f) => f.path === path)?.size;
  if (res.status !== 200 || expected === undefined) return res;
  // Read whole, stored, then answered from memory: the answer is a Blob, not a stream teed into
  // the cache, so this fetch event ends when the download does. (A response still streaming keeps
  // this worker busy, and a busy old worker holds back a waiting new version: with the teed stream
  // the update e2e's Reload failed in about half the runs, with this in one of eight; the rest was
  // the page's own requests, see src/pwa/register.ts.) Kept only when it is the size this build
  // shipped, so a cache never mixes two versions; a full disk only means no copy.
  const whole = await wholeResponse(res);
  if (whole.size === expected) await cache.put(request, whole.response.clone()).catch(() => undefined);
  return whole.response;
}

registerRoute(
  ({ url, request }) => url.origin === sw.location.origin && url.pathname.startsWith('/models/') && request.method === 'GET',
  async ({ request, url }) => {
    const [, , id = '', ...rest] = url.pathname.split('/');
    if (models.has(id) && rest.length > 0) return bundledModelFile(request, id, decodeURIComponent(rest.join('/')));
    return fetch(request);
  },
);

sw.addEventListener('message', (e) => {
  const type = (e.data as { type?: string } | null)?.type;
  if (type === 'SKIP_WAITING') void sw.skipWaiting();
  // A page asks which version controls it (src/pwa/register.ts): a page of the old version that a
  // new version took over after it loaded must reload (or offer to).
  else if (type === 'GET_BUILD') e.ports[0]?.postMessage({ build: BUILD_ID });
});

sw.addEventListener('activate', (e) => {
  e.waitUntil(
    (async () => {
      const keep = new Set([...models.values()].map((m) => bundledModelCacheName(m.id, m.version)));
      for (const name of await caches.keys()) {
        const stale = (name.startsWith(BUNDLED_MODEL_CACHE_PREFIX) && !keep.has(name)) || name === LEGACY_TRANSFORMERS_CACHE;
        if (stale) await caches.delete(name);
      }
      await sw.clients.claim();
    })(),
  );
});
