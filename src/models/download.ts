// Downloads model files with byte progress, cancel (AbortSignal), automatic Range resume after a
// dropped connection (a few tries) and verification: a file counts as stored only once its size is
// the expected one (listing, X-Linked-Size or Content-Length) and its sha256 matches when one is
// known (listing's LFS oid, X-Linked-Etag or ETag when they are 64-hex). Bytes go to the store in
// parts as they arrive (memory stays bounded by one part), with the hash state after each part,
// so a download interrupted by a reload or a closed tab resumes after its last stored part.
// Storage is behind `FileStore` (src/models/fileStore.ts: Cache Storage in the app, in memory in
// Node tests).
import { Sha256 } from './sha256';
import type { FileStore, PartialFile } from './fileStore';

/** offline / unreachable / cors / server: why the Hub could not be used (src/models/hubErrors.ts). */
export type DownloadErrorCode = 'aborted' | 'network' | 'not-found' | 'http' | 'verify' | 'quota' | 'offline' | 'unreachable' | 'cors' | 'server';

export class DownloadError extends Error {
  constructor(
    readonly code: DownloadErrorCode,
    message: string,
    /** The HTTP status the server answered, when it answered one. */
    readonly status?: number,
    /** Bytes of this model kept in the browser for Resume (set by the model manager). */
    public keptBytes = 0,
  ) {
    super(message);
    this.name = 'DownloadError';
  }
}

export interface RemoteFile {
  path: string;
  size?: number;
  sha256?: string;
  /** A missing optional file (404) is skipped instead of failing the download. */
  optional?: boolean;
}

export interface FetchedFile {
  path: string;
  size: number;
  sha256: string;
}

export interface DownloadOptions {
  fetch?: typeof fetch;
  signal?: AbortSignal;
  /** Tries per file after a dropped connection (each resumes with a Range request). Default 4. */
  retries?: number;
  /** First back-off in ms (doubles per try). Default 300. */
  backoffMs?: number;
  /** Bytes received (negative when a server ignored a Range and the file restarts). */
  onBytes?: (delta: number, path: string) => void;
  /** Bytes of `path` now safely in the store (after each part, and when it is complete). */
  onStored?: (path: string, bytes: number, complete: boolean) => void;
}

const HEX64 = /^"?(?:sha256:)?([0-9a-f]{64})"?$/i;

export function sha256FromHeaders(h: Headers): string | undefined {
  for (const name of ['X-Linked-Etag', 'ETag']) {
    const v = h.get(name)?.replace(/^W\//, '');
    const m = v ? HEX64.exec(v) : null;
    if (m) return m[1].toLowerCase();
  }
  return undefined;
}

function sizeFromHeaders(h: Headers, status: number): number | undefined {
  const linked = Number(h.get('X-Linked-Size') ?? NaN);
  if (Number.isFinite(linked)) return linked;
  if (status === 206) {
    const total = /\/(\d+)$/.exec(h.get('Content-Range') ?? '');
    if (total) return Number(total[1]);
  }
  const len = Number(h.get('Content-Length') ?? NaN);
  return status === 200 && Number.isFinite(len) ? len : undefined;
}

/** The one error a cancelled download gives. */
export function cancelled(): DownloadError {
  return new DownloadError('aborted', 'The download was cancelled.');
}

function isAbort(e: unknown, signal?: AbortSignal): boolean {
  return !!signal?.aborted || (e as { name?: string })?.name === 'AbortError';
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(t);
      reject(cancelled());
    }, { once: true });
  });
}

/** Part size for a file: about a sixteenth of it, between 64 KiB and 8 MiB, whole 64-byte blocks. */
export function partBytes(size: number | undefined): number {
  const MIN = 64 * 1024;
  const MAX = 8 * 1024 * 1024;
  if (size === undefined) return MAX;
  return Math.min(MAX, Math.max(MIN, Math.ceil(size / 16 / 64) * 64));
}

/** Whether a kept partial download can go on for `file` (the same bytes are expected). */
function sameFile(kept: PartialFile, file: RemoteFile): boolean {
  if (file.size !== undefined && kept.size !== undefined && file.size !== kept.size) return false;
  if (file.sha256 && kept.sha256 && file.sha256.toLowerCase() !== kept.sha256) return false;
  return true;
}

/**
 * Downloads one file from `url` into `store` under the same key and verifies it; resumes with
 * Range after a dropped connection, and after whatever a previous attempt left in the store.
 * On giving up after a dropped connection the bytes received are kept for the next attempt; a
 * damaged file is discarded.
 */
export async function downloadFile(url: string, file: RemoteFile, store: FileStore, opts: DownloadOptions = {}): Promise<FetchedFile> {
  const doFetch = opts.fetch ?? fetch;
  const retries = opts.retries ?? 4;
  let kept = await store.partial(url);
  if (!kept || !sameFile(kept, file)) {
    await store.delete(url); // no stale parts (of another version, or of a file fetched again)
    kept = undefined;
  }
  let hasher = kept ? Sha256.restore(kept.hash) : new Sha256();
  let stored = kept?.received ?? 0; // bytes in stored parts
  let parts = kept?.parts ?? 0;
  let pending: Uint8Array[] = []; // received, not yet stored
  let pendingBytes = 0;
  let expectedSize = file.size ?? kept?.size;
  let expectedSha = file.sha256?.toLowerCase() ?? kept?.sha256;
  let validator = kept?.validator;
  let failures = 0;
  const received = () => stored + pendingBytes;
  if (stored) {
    opts.onBytes?.(stored, file.path);
    opts.onStored?.(file.path, stored, false);
  }

  const storePending = async () => {
    if (!pendingBytes) return;
    const data = new Blob(pending as BlobPart[]);
    for (const c of pending) hasher.update(c);
    const state: PartialFile = { received: stored + pendingBytes, parts: parts + 1, hash: hasher.snapshot(), validator, size: expectedSize, sha256: expectedSha };
    await store.putPart(url, parts, data, state);
    stored += pendingBytes;
    parts += 1;
    pending = [];
    pendingBytes = 0;
    opts.onStored?.(file.path, stored, false);
  };
  const restart = async () => {
    if (received()) opts.onBytes?.(-received(), file.path);
    pending = [];
    pendingBytes = 0;
    stored = 0;
    parts = 0;
    hasher = new Sha256();
    await store.delete(url);
  };

  for (;;) {
    if (opts.signal?.aborted) throw cancelled();
    const headers: Record<string, string> = {};
    if (received() > 0) {
      headers.Range = `bytes=${received()}-`;
      if (validator) headers['If-Range'] = validator;
    }
    try {
      const res = await doFetch(url, { headers, signal: opts.signal, cache: 'no-store' });
      if (res.status === 404) {
        await res.body?.cancel().catch(() => undefined);
        throw new DownloadError('not-found', `${file.path} is not on the server (HTTP 404).`, 404);
      }
      if (res.status === 416 && received() > 0 && expectedSize === received()) {
        // Everything had arrived; only the end of the stream was lost.
      } else if (res.status === 416) {
        await res.body?.cancel().catch(() => undefined);
        throw new DownloadError('verify', `The server's copy of ${file.path} is shorter than expected.`);
      } else if (res.status !== 200 && res.status !== 206) {
        await res.body?.cancel().catch(() => undefined);
        throw new DownloadError('http', `The server answered HTTP ${res.status} for ${file.path}.`, res.status);
      } else {
        if (res.status === 206) {
          const start = /^bytes (\d+)-/.exec(res.headers.get('Content-Range') ?? '');
          if (!start || Number(start[1]) !== received()) {
            await res.body?.cancel().catch(() => undefined);
            await restart();
            throw new DownloadError('network', `The server resumed ${file.path} at the wrong place.`);
          }
        } else if (received() > 0) {
          await restart(); // the server ignored the Range (or the file changed): start over
        }
        expectedSize ??= sizeFromHeaders(res.headers, res.status);
        expectedSha ??= sha256FromHeaders(res.headers);
        const etag = res.headers.get('ETag');
        if (etag && !etag.startsWith('W/')) validator = etag;
        if (!res.body) throw new DownloadError('network', `No data came for ${file.path}.`);
        const partSize = partBytes(expectedSize);
        const reader = res.body.getReader();
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          if (!value?.length) continue;
          pending.push(value);
          pendingBytes += value.length;
          opts.onBytes?.(value.length, file.path);
          if (expectedSize !== undefined && received() > expectedSize) {
            await reader.cancel().catch(() => undefined);
            throw new DownloadError('verify', `${file.path} is larger than expected.`);
          }
          if (pendingBytes >= partSize) await storePending();
        }
        if (expectedSize !== undefined && received() < expectedSize) {
          throw new DownloadError('network', `The connection ended after ${received()} of ${expectedSize} bytes of ${file.path}.`);
        }
      }
    } catch (e) {
      if (isQuotaError(e)) throw e;
      if (isAbort(e, opts.signal)) throw cancelled();
      const err = e instanceof DownloadError ? e : new DownloadError('network', `The connection was lost while downloading ${file.path}.`);
      if (err.code === 'not-found' || err.code === 'verify') {
        await restart();
        throw err;
      }
      if (++failures > retries) {
        // Keep what arrived, so the next attempt (even after a reload) goes on from here.
        await storePending().catch(() => undefined);
        throw err;
      }
      await sleep((opts.backoffMs ?? 300) * 2 ** (failures - 1), opts.signal);
      continue;
    }
    break;
  }

  await storePending();
  if (expectedSize !== undefined && stored !== expectedSize) {
    await restart();
    throw new DownloadError('verify', `${file.path} has ${stored} bytes instead of ${expectedSize}.`);
  }
  const sha256 = hasher.hex();
  if (expectedSha && sha256 !== expectedSha) {
    await restart();
    throw new DownloadError('verify', `${file.path} is damaged (its checksum does not match).`);
  }
  await store.commit(url, { size: stored, parts, sha256 });
  opts.onStored?.(file.path, stored, true);
  return { path: file.path, size: stored, sha256 };
}

export function isQuotaError(e: unknown): boolean {
  const err = e as { name?: string; code?: number } | null;
  return err?.name === 'QuotaExceededError' || err?.code === 22;
}

/**
 * Downloads `files` from `${baseUrl}${path}` into `store` under the same keys, skipping files the
 * store already holds (verified earlier). Returns what was stored (skipped files keep their
 * listing's size/hash; missing optional files are left out).
 */
export async function downloadFiles(
  baseUrl: string,
  files: RemoteFile[],
  store: FileStore,
  opts: DownloadOptions & { skipExisting?: boolean } = {},
): Promise<FetchedFile[]> {
  const out: FetchedFile[] = [];
  for (const file of files) {
    const key = baseUrl + file.path;
    if (opts.skipExisting && file.size !== undefined && (await store.has(key))) {
      opts.onBytes?.(file.size, file.path);
      opts.onStored?.(file.path, file.size, true);
      out.push({ path: file.path, size: file.size, sha256: file.sha256 ?? '' });
      continue;
    }
    try {
      out.push(await downloadFile(key, file, store, opts));
    } catch (e) {
      if (file.optional && e instanceof DownloadError && e.code === 'not-found') continue;
      if (isQuotaError(e)) {
        await store.delete(key).catch(() => undefined);
        throw new DownloadError('quota', 'The browser has no more storage space for this model.');
      }
      throw e;
    }
  }
  return out;
}
