// Downloads model files with byte progress, cancel (AbortSignal), automatic Range resume after a
// dropped connection (a few tries) and verification: a file is stored only once its size is the
// expected one (listing, X-Linked-Size or Content-Length) and its sha256 matches when one is known
// (listing's LFS oid, X-Linked-Etag or ETag when they are 64-hex). Storage is behind `FileStore`
// (Cache Storage in the app, in-memory in Node tests). Nothing half-downloaded is ever stored.
import { Sha256 } from './sha256';

export interface FileStore {
  has(key: string): Promise<boolean>;
  put(key: string, body: Blob): Promise<void>;
  delete(key: string): Promise<void>;
}

export type DownloadErrorCode = 'aborted' | 'network' | 'not-found' | 'http' | 'verify' | 'quota';

export class DownloadError extends Error {
  constructor(
    readonly code: DownloadErrorCode,
    message: string,
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

function isAbort(e: unknown, signal?: AbortSignal): boolean {
  return !!signal?.aborted || (e as { name?: string })?.name === 'AbortError';
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(t);
      reject(new DownloadError('aborted', 'The download was cancelled.'));
    }, { once: true });
  });
}

/** Fetches one file completely and verifies it; resumes with Range after a dropped connection. */
export async function fetchVerified(url: string, file: RemoteFile, opts: DownloadOptions = {}): Promise<{ blob: Blob; info: FetchedFile }> {
  const doFetch = opts.fetch ?? fetch;
  const retries = opts.retries ?? 4;
  let chunks: Uint8Array[] = [];
  let received = 0;
  let hasher = new Sha256();
  let expectedSize = file.size;
  let expectedSha = file.sha256?.toLowerCase();
  let validator: string | undefined;
  let failures = 0;
  const restart = () => {
    if (received) opts.onBytes?.(-received, file.path);
    chunks = [];
    received = 0;
    hasher = new Sha256();
  };

  for (;;) {
    if (opts.signal?.aborted) throw new DownloadError('aborted', 'The download was cancelled.');
    const headers: Record<string, string> = {};
    if (received > 0) {
      headers.Range = `bytes=${received}-`;
      if (validator) headers['If-Range'] = validator;
    }
    try {
      const res = await doFetch(url, { headers, signal: opts.signal, cache: 'no-store' });
      if (res.status === 404) {
        await res.body?.cancel().catch(() => undefined);
        throw new DownloadError('not-found', `${file.path} is not on the server (HTTP 404).`);
      }
      if (res.status === 416 && received > 0 && expectedSize === received) {
        // Everything had arrived; only the end of the stream was lost.
      } else if (res.status !== 200 && res.status !== 206) {
        await res.body?.cancel().catch(() => undefined);
        throw new DownloadError('http', `The server answered HTTP ${res.status} for ${file.path}.`);
      } else {
        if (res.status === 206) {
          const start = /^bytes (\d+)-/.exec(res.headers.get('Content-Range') ?? '');
          if (!start || Number(start[1]) !== received) {
            await res.body?.cancel().catch(() => undefined);
            restart();
            throw new DownloadError('network', `The server resumed ${file.path} at the wrong place.`);
          }
        } else if (received > 0) {
          restart(); // the server ignored the Range (or the file changed): start over
        }
        expectedSize ??= sizeFromHeaders(res.headers, res.status);
        expectedSha ??= sha256FromHeaders(res.headers);
        const etag = res.headers.get('ETag');
        if (etag && !etag.startsWith('W/')) validator = etag;
        if (!res.body) throw new DownloadError('network', `No data came for ${file.path}.`);
        const reader = res.body.getReader();
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          if (!value?.length) continue;
          chunks.push(value);
          received += value.length;
          hasher.update(value);
          opts.onBytes?.(value.length, file.path);
          if (expectedSize !== undefined && received > expectedSize) {
            await reader.cancel().catch(() => undefined);
            throw new DownloadError('verify', `${file.path} is larger than expected.`);
          }
        }
        if (expectedSize !== undefined && received < expectedSize) {
          throw new DownloadError('network', `The connection ended after ${received} of ${expectedSize} bytes of ${file.path}.`);
        }
      }
    } catch (e) {
      if (isAbort(e, opts.signal)) throw new DownloadError('aborted', 'The download was cancelled.');
      const err = e instanceof DownloadError ? e : new DownloadError('network', `The connection was lost while downloading ${file.path}.`);
      if (err.code === 'not-found' || err.code === 'verify') {
        restart();
        throw err;
      }
      if (++failures > retries) throw err;
      await sleep((opts.backoffMs ?? 300) * 2 ** (failures - 1), opts.signal);
      continue;
    }
    break;
  }

  if (expectedSize !== undefined && received !== expectedSize) {
    restart();
    throw new DownloadError('verify', `${file.path} has ${received} bytes instead of ${expectedSize}.`);
  }
  const sha256 = hasher.hex();
  if (expectedSha && sha256 !== expectedSha) {
    restart();
    throw new DownloadError('verify', `${file.path} is damaged (its checksum does not match).`);
  }
  return { blob: new Blob(chunks as BlobPart[]), info: { path: file.path, size: received, sha256 } };
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
      out.push({ path: file.path, size: file.size, sha256: file.sha256 ?? '' });
      continue;
    }
    let got: { blob: Blob; info: FetchedFile };
    try {
      got = await fetchVerified(key, file, opts);
    } catch (e) {
      if (file.optional && e instanceof DownloadError && e.code === 'not-found') continue;
      throw e;
    }
    try {
      await store.put(key, got.blob);
    } catch (e) {
      await store.delete(key).catch(() => undefined);
      if (isQuotaError(e)) throw new DownloadError('quota', 'The browser has no more storage space for this model.');
      throw e;
    }
    out.push(got.info);
  }
  return out;
}

/** A FileStore over one Cache Storage cache. */
export class CacheFileStore implements FileStore {
  constructor(
    private readonly cacheName: string,
    private readonly storage: CacheStorage = caches,
  ) {}

  async has(key: string): Promise<boolean> {
    return !!(await (await this.storage.open(this.cacheName)).match(key));
  }

  async put(key: string, body: Blob): Promise<void> {
    const res = new Response(body, { headers: { 'Content-Type': 'application/octet-stream', 'Content-Length': String(body.size) } });
    await (await this.storage.open(this.cacheName)).put(key, res);
  }

  async delete(key: string): Promise<void> {
    await (await this.storage.open(this.cacheName)).delete(key);
  }
}

/** An in-memory FileStore (tests; `quotaBytes` simulates a full disk). */
export class MemoryFileStore implements FileStore {
  readonly files = new Map<string, Blob>();
  constructor(private readonly quotaBytes = Infinity) {}

  async has(key: string): Promise<boolean> {
    return this.files.has(key);
  }

  async put(key: string, body: Blob): Promise<void> {
    const used = [...this.files.values()].reduce((n, b) => n + b.size, 0);
    if (used + body.size > this.quotaBytes) {
      const e = new Error('The quota has been exceeded.');
      e.name = 'QuotaExceededError';
      throw e;
    }
    this.files.set(key, body);
  }

  async delete(key: string): Promise<void> {
    this.files.delete(key);
  }
}
