// ONNX Runtime's wasm binary (14 MB plain build, 27 MB asyncify build), fetched once: the engine worker reads it from its own
// Cache Storage cache ("hearth-ort-<ORT version>"), or downloads it with byte progress and keeps
// it there, and hands the bytes to ORT (env.wasm.wasmBinary). The service worker does not
// precache it: on a first visit the worker starts before the service worker controls the page,
// so a precached copy meant a second 27 MB download. Caches of other ORT versions are deleted.

export const ORT_CACHE_PREFIX = 'hearth-ort-';

/**
 * ONNX Runtime's two wasm builds the app serves under /ort/: 'asyncify' runs WebGPU and WASM,
 * 'plain' only WASM, in half the bytes and faster (`npm run bench`, the raw-web rows).
 */
export type OrtBuild = 'asyncify' | 'plain';

export function ortFiles(base: string, build: OrtBuild): { mjs: string; wasm: string } {
  const name = build === 'asyncify' ? 'ort-wasm-simd-threaded.asyncify' : 'ort-wasm-simd-threaded';
  return { mjs: `${base}${name}.mjs`, wasm: `${base}${name}.wasm` };
}

export interface WasmProgress {
  loaded: number;
  total: number;
}

type FetchFn = (input: string, init?: RequestInit) => Promise<Response>;

export async function loadOrtWasm(
  url: string,
  version: string,
  onProgress?: (p: WasmProgress) => void,
  storage: CacheStorage = caches,
  fetchFn: FetchFn = (input, init) => fetch(input, init),
): Promise<ArrayBuffer> {
  const name = `${ORT_CACHE_PREFIX}${version}`;
  const cache = await storage.open(name);
  const hit = await cache.match(url);
  if (hit) {
    const bytes = await hit.arrayBuffer();
    onProgress?.({ loaded: bytes.byteLength, total: bytes.byteLength });
    return bytes;
  }
  const res = await fetchFn(url);
  if (!res.ok || !res.body) throw new Error(`ONNX Runtime could not be downloaded (${url}: HTTP ${res.status}).`);
  // A compressed response's Content-Length counts encoded bytes, not the wasm's: only an
  // uncompressed one can be checked against it (a cut compressed stream fails to decode anyway).
  const encoding = (res.headers.get('Content-Encoding') ?? 'identity').toLowerCase();
  const total = encoding === 'identity' ? Number(res.headers.get('Content-Length')) || 0 : 0;
  const reader = res.body.getReader();
  const parts: Uint8Array[] = [];
  let loaded = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    parts.push(value);
    loaded += value.byteLength;
    onProgress?.({ loaded, total: Math.max(total, loaded) });
  }
  if (total && loaded !== total) throw new Error(`ONNX Runtime's download was cut short (${loaded} of ${total} bytes).`);
  const bytes = new Uint8Array(loaded);
  let at = 0;
  for (const p of parts) {
    bytes.set(p, at);
    at += p.byteLength;
  }
  // Keeping a copy is best effort (a full disk only means downloading it again next time).
  void (async () => {
    await cache.put(url, new Response(bytes.slice(), { headers: { 'Content-Type': 'application/wasm' } }));
    for (const old of await storage.keys()) if (old.startsWith(ORT_CACHE_PREFIX) && old !== name) await storage.delete(old);
  })().catch(() => undefined);
  return bytes.buffer;
}
