// How downloaded model files are laid out in Cache Storage, shared by the app (which writes them)
// and the inference worker (which reads them). A big download is written in parts as it arrives,
// so a gigabyte file is never held in memory and a reload resumes after the last stored part:
//   `<key>?hearth-part=<i>`   the bytes of part i
//   `<key>?hearth-partial`    JSON state of an unfinished download (see PartialState)
//   `<key>`                   once complete and verified: a JSON manifest (PARTS_TYPE) naming the
//                             parts, or, for files copied whole from disk, the file itself.
// Readers only ever look at `<key>`, so an unfinished file is simply absent.

export const PARTS_TYPE = 'application/vnd.hearth.parts+json';

export interface PartsManifest {
  size: number;
  parts: number;
  sha256?: string;
}

function withParam(key: string, param: string): string {
  return `${key}${key.includes('?') ? '&' : '?'}${param}`;
}

export function partKey(key: string, index: number): string {
  return withParam(key, `hearth-part=${index}`);
}

export function partialKey(key: string): string {
  return withParam(key, 'hearth-partial');
}

/** True for the cache entries that belong to `key` (the file, its parts, its partial state). */
export function belongsTo(entryUrl: string, key: string): boolean {
  return entryUrl === key || entryUrl.startsWith(withParam(key, 'hearth-part=')) || entryUrl === partialKey(key);
}

/**
 * The complete file stored under `key` as a Response (parts joined without copying their bytes
 * into memory), or undefined when it is absent or a part has gone missing.
 */
export async function readStoredFile(cache: Cache, key: string): Promise<Response | undefined> {
  const head = await cache.match(key);
  if (!head) return undefined;
  if (!(head.headers.get('Content-Type') ?? '').startsWith(PARTS_TYPE)) return head;
  let manifest: PartsManifest;
  try {
    manifest = (await head.json()) as PartsManifest;
  } catch {
    return undefined;
  }
  const blobs: Blob[] = [];
  for (let i = 0; i < manifest.parts; i++) {
    const part = await cache.match(partKey(key, i));
    if (!part) return undefined;
    blobs.push(await part.blob());
  }
  const body = new Blob(blobs);
  if (body.size !== manifest.size) return undefined;
  return new Response(body, {
    headers: { 'Content-Type': 'application/octet-stream', 'Content-Length': String(body.size) },
  });
}
