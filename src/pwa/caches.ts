// Cache Storage names shared by the page and the service worker (src/sw.ts). Bundled models live
// in one cache per model version ("hearth-models-<id>-<version>", the service worker deletes those
// of versions no longer shipped); models the user downloads or loads from files live in
// caches named "hearth-hub-models-v1:<model id>", which only the user deletes (from the Models dialog).

export const BUNDLED_MODEL_CACHE_PREFIX = 'hearth-models-';
export const HUB_MODELS_CACHE = 'hearth-hub-models-v1';
/** transformers.js's own cache, no longer used (the service worker owns caching): removed on activate. */
export const LEGACY_TRANSFORMERS_CACHE = 'transformers-cache';

export interface BundledModelEntry {
  id: string;
  version: string;
  files: Array<{ path: string; size: number; sha256: string }>;
}

export function bundledModelCacheName(id: string, version: string): string {
  return `${BUNDLED_MODEL_CACHE_PREFIX}${id}-${version}`;
}

/** The models shipped with this build (empty in dev and in unit tests). */
export function bundledModels(): BundledModelEntry[] {
  return typeof __HEARTH_BUNDLED_MODELS__ !== 'undefined' ? __HEARTH_BUNDLED_MODELS__ : [];
}

export { DTYPE_SUFFIX, filesForDtype } from '../shared/modelFiles';

/**
 * `res` ready to store when it is the file this build shipped (`expected` bytes), else null. An
 * uncompressed response is judged by its Content-Length; a compressed one (Content-Encoding: br /
 * gzip, where Content-Length counts the encoded bytes) by its decoded body, stored without the
 * encoding headers.
 */
export async function verifiedCopy(res: Response, expected: number): Promise<Response | null> {
  const encoding = res.headers.get('Content-Encoding');
  if (res.status !== 200) return null;
  if (!encoding || encoding === 'identity') {
    return Number(res.headers.get('Content-Length') ?? NaN) === expected ? res : null;
  }
  const { response, size } = await wholeResponse(res);
  return size === expected ? response : null;
}

/**
 * The whole of `res`, read into memory: a Blob-backed response with the decoded body (no
 * Content-Encoding, Content-Length of the decoded bytes) and its size. The service worker answers a
 * bundled model file this way on a cache miss, never with a stream it tees into the cache: a fetch
 * event whose response body still streams keeps the service worker busy, and a busy old worker
 * holds back (in Chromium, can park) a waiting new version (see src/pwa/register.ts).
 */
export async function wholeResponse(res: Response): Promise<{ response: Response; size: number }> {
  const body = await res.blob();
  const headers = new Headers(res.headers);
  headers.delete('Content-Encoding');
  headers.set('Content-Length', String(body.size));
  return { response: new Response(body, { status: res.status, statusText: res.statusText, headers }), size: body.size };
}
