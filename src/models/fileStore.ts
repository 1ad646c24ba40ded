// Where downloaded model files are stored: the `FileStore` interface (whole files, parts of
// unfinished downloads with the state to resume them, commit) and its two implementations, over
// Cache Storage (the app; layout in src/shared/storedFiles) and in memory (Node tests). Readers
// see a file only once it is committed, never half of one.
import { partialKey, partKey, belongsTo, PARTS_TYPE, readStoredFile, type PartsManifest } from '../shared/storedFiles';
import type { Sha256State } from './sha256';

/** What is kept of an unfinished download: the stored parts and how to go on after them. */
export interface PartialFile {
  /** Bytes in the stored parts. */
  received: number;
  parts: number;
  hash: Sha256State;
  /** Strong ETag of the bytes received, sent as If-Range when resuming. */
  validator?: string;
  size?: number;
  sha256?: string;
}

export interface FileStore {
  /** A complete, verified file is stored under `key`. */
  has(key: string): Promise<boolean>;
  /** Stores a whole file at once (a file from the user's disk). */
  put(key: string, body: Blob): Promise<void>;
  /** Removes the file, its parts and its partial state. */
  delete(key: string): Promise<void>;
  partial(key: string): Promise<PartialFile | undefined>;
  /** Stores part `index` of `key`, then the state after it. */
  putPart(key: string, index: number, data: Blob, state: PartialFile): Promise<void>;
  /** Makes the stored parts the file `key` (readers see it from now on). */
  commit(key: string, manifest: PartsManifest): Promise<void>;
}

/** A FileStore over one Cache Storage cache (layout in src/shared/storedFiles). */
export class CacheFileStore implements FileStore {
  constructor(
    private readonly cacheName: string,
    private readonly storage: CacheStorage = caches,
  ) {}

  private open(): Promise<Cache> {
    return this.storage.open(this.cacheName);
  }

  async has(key: string): Promise<boolean> {
    return !!(await (await this.open()).match(key));
  }

  /** The stored file (tests and diagnostics; the engine reads through readStoredFile too). */
  async read(key: string): Promise<Response | undefined> {
    return readStoredFile(await this.open(), key);
  }

  async put(key: string, body: Blob): Promise<void> {
    const res = new Response(body, { headers: { 'Content-Type': 'application/octet-stream', 'Content-Length': String(body.size) } });
    await (await this.open()).put(key, res);
  }

  async delete(key: string): Promise<void> {
    const cache = await this.open();
    for (const req of await cache.keys()) if (belongsTo(req.url, key)) await cache.delete(req);
  }

  async partial(key: string): Promise<PartialFile | undefined> {
    const res = await (await this.open()).match(partialKey(key));
    return res ? ((await res.json().catch(() => undefined)) as PartialFile | undefined) : undefined;
  }

  async putPart(key: string, index: number, data: Blob, state: PartialFile): Promise<void> {
    const cache = await this.open();
    await cache.put(partKey(key, index), new Response(data, { headers: { 'Content-Type': 'application/octet-stream' } }));
    await cache.put(partialKey(key), Response.json(state));
  }

  async commit(key: string, manifest: PartsManifest): Promise<void> {
    const cache = await this.open();
    await cache.put(key, new Response(JSON.stringify(manifest), { headers: { 'Content-Type': PARTS_TYPE } }));
    await cache.delete(partialKey(key));
  }
}

/** An in-memory FileStore (tests; `quotaBytes` simulates a full disk). */
export class MemoryFileStore implements FileStore {
  /** Complete files. */
  readonly files = new Map<string, Blob>();
  /** Parts and state of unfinished downloads. */
  readonly parts = new Map<string, Blob[]>();
  readonly partials = new Map<string, PartialFile>();
  constructor(private readonly quotaBytes = Infinity) {}

  private reserve(bytes: number): void {
    let used = [...this.files.values()].reduce((n, b) => n + b.size, 0);
    for (const list of this.parts.values()) used += list.reduce((n, b) => n + b.size, 0);
    if (used + bytes > this.quotaBytes) {
      const e = new Error('The quota has been exceeded.');
      e.name = 'QuotaExceededError';
      throw e;
    }
  }

  async has(key: string): Promise<boolean> {
    return this.files.has(key);
  }

  async put(key: string, body: Blob): Promise<void> {
    this.reserve(body.size);
    this.files.set(key, body);
  }

  async delete(key: string): Promise<void> {
    this.files.delete(key);
    this.parts.delete(key);
    this.partials.delete(key);
  }

  async partial(key: string): Promise<PartialFile | undefined> {
    const p = this.partials.get(key);
    return p && structuredClone(p);
  }

  async putPart(key: string, index: number, data: Blob, state: PartialFile): Promise<void> {
    this.reserve(data.size);
    const list = this.parts.get(key) ?? [];
    list[index] = data;
    this.parts.set(key, list);
    this.partials.set(key, structuredClone(state));
  }

  async commit(key: string, manifest: PartsManifest): Promise<void> {
    const list = (this.parts.get(key) ?? []).slice(0, manifest.parts);
    this.files.set(key, new Blob(list));
    this.parts.delete(key);
    this.partials.delete(key);
  }
}
