// The download manager against the fixture Hub (real HTTP on localhost): planning from the Hub's
// listing, byte progress, Range resume after a dropped connection, within one attempt and across
// attempts (a reload) from the parts kept in the store, verification of size and sha256, cancel
// (before anything is written, and after a part was),
// and a full disk. Nothing incomplete or unverified may become a stored file.
import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DownloadError, downloadFile, downloadFiles, partBytes, sha256FromHeaders } from '../../src/models/download';
import { MemoryFileStore } from '../../src/models/fileStore';
import { planHubDownload } from '../../src/models/hub';
import { Sha256 } from '../../src/models/sha256';
import { FIXTURE_REPO, startHubServer, type HubServer } from '../fixtures/hub-server.mjs';

let hub: HubServer;
beforeAll(async () => {
  hub = await startHubServer();
});
afterAll(async () => {
  await hub.close();
});

const ref = () => ({ hubUrl: hub.url, repo: FIXTURE_REPO, revision: 'main' });
const ONNX = 'onnx/model_quantized.onnx';

describe('Sha256', () => {
  it('matches node:crypto whatever the chunking', () => {
    for (const size of [0, 1, 55, 56, 63, 64, 65, 1000, 100_000]) {
      const data = randomBytes(size);
      const h = new Sha256();
      for (let i = 0; i < size; ) {
        const n = 1 + ((i * 7) % 97);
        h.update(data.subarray(i, i + n));
        i += n;
      }
      expect(h.hex()).toBe(createHash('sha256').update(data).digest('hex'));
    }
  });

  it('continues from a snapshot taken at any point (as a resumed download does)', () => {
    const data = randomBytes(10_000);
    for (const cut of [0, 1, 63, 64, 100, 4096, 9999]) {
      const a = new Sha256().update(data.subarray(0, cut));
      const state = JSON.parse(JSON.stringify(a.snapshot())); // stored as JSON
      const b = Sha256.restore(state).update(data.subarray(cut));
      expect(b.hex()).toBe(createHash('sha256').update(data).digest('hex'));
    }
    expect(() => Sha256.restore({ h: [1, 2], length: 0, tail: [] })).toThrow(/bad state/);
  });

  it('reads a sha256 from X-Linked-Etag or a quoted ETag, not from a git sha1', () => {
    const sha = 'a'.repeat(64);
    expect(sha256FromHeaders(new Headers({ 'X-Linked-Etag': `"${sha}"` }))).toBe(sha);
    expect(sha256FromHeaders(new Headers({ ETag: `"${sha}"` }))).toBe(sha);
    expect(sha256FromHeaders(new Headers({ ETag: `"${'b'.repeat(40)}"` }))).toBeUndefined();
  });
});

describe('planHubDownload', () => {
  it('lists the files of one dtype with sizes and the LFS sha256', async () => {
    const plan = await planHubDownload(ref(), 'q8');
    expect(plan.files.map((f) => f.path).sort()).toEqual(
      ['config.json', 'generation_config.json', ONNX, 'tokenizer.json', 'tokenizer_config.json'].sort(),
    );
    const onnx = plan.files.find((f) => f.path === ONNX)!;
    expect(onnx.size).toBe(hub.files().get(ONNX)!.data.length);
    expect(onnx.sha256).toBe(hub.files().get(ONNX)!.sha256);
    expect(plan.contextLength).toBe(256);
    expect(plan.totalBytes).toBe(plan.files.reduce((n, f) => n + f.size!, 0));
  });

  it('says so when the dtype has no ONNX file, and when the repository does not exist', async () => {
    await expect(planHubDownload(ref(), 'q4f16')).rejects.toThrow(/no q4f16 ONNX file/);
    await expect(planHubDownload({ ...ref(), repo: 'nobody/nothing' }, 'q8')).rejects.toThrow(/not found/);
  });
});

describe('downloadFiles', () => {
  it('stores every file, complete, with byte progress adding up to the total', async () => {
    const plan = await planHubDownload(ref(), 'q8');
    const store = new MemoryFileStore();
    let bytes = 0;
    const got = await downloadFiles(plan.baseUrl, plan.files, store, { onBytes: (d) => (bytes += d) });
    expect(bytes).toBe(plan.totalBytes);
    expect(got).toHaveLength(plan.files.length);
    for (const f of plan.files) {
      const blob = store.files.get(plan.baseUrl + f.path)!;
      expect(Buffer.from(await blob.arrayBuffer()).equals(hub.files().get(f.path)!.data)).toBe(true);
    }
  });

  it('resumes with a Range request after the connection drops mid-file', async () => {
    const plan = await planHubDownload(ref(), 'q8');
    const store = new MemoryFileStore();
    hub.cut(ONNX, 100_000, 2); // two drops in a row, then the rest
    const before = hub.requests.length;
    let bytes = 0;
    await downloadFiles(plan.baseUrl, plan.files, store, { backoffMs: 10, onBytes: (d) => (bytes += d) });
    const ranges = hub.requests.slice(before).filter((r) => r.path.endsWith(ONNX)).map((r) => r.range);
    expect(ranges).toHaveLength(3);
    expect(ranges[0]).toBeNull();
    // Each try resumes where the received bytes end (up to 100 000 more per try).
    const [a, b] = ranges.slice(1).map((r) => Number(/^bytes=(\d+)-$/.exec(r!)![1]));
    expect(a).toBeGreaterThan(0);
    expect(a).toBeLessThanOrEqual(100_000);
    expect(b).toBeGreaterThan(a);
    expect(b).toBeLessThanOrEqual(a + 100_000);
    const blob = store.files.get(plan.baseUrl + ONNX)!;
    expect(createHash('sha256').update(Buffer.from(await blob.arrayBuffer())).digest('hex')).toBe(hub.files().get(ONNX)!.sha256);
    expect(bytes).toBe(plan.totalBytes);
  });

  it('gives up after its retries with a network error, keeping the parts it stored', async () => {
    const plan = await planHubDownload(ref(), 'q8');
    const store = new MemoryFileStore();
    hub.cut(ONNX, 150_000, 10);
    const err = await downloadFiles(plan.baseUrl, plan.files, store, { retries: 0, backoffMs: 5 }).catch((e) => e);
    hub.cut(ONNX, 0, 0);
    expect(err).toBeInstanceOf(DownloadError);
    expect((err as DownloadError).code).toBe('network');
    expect(store.files.has(plan.baseUrl + ONNX)).toBe(false); // not a file until complete
    const kept = await store.partial(plan.baseUrl + ONNX);
    expect(kept?.received).toBeGreaterThanOrEqual(partBytes(plan.files.find((f) => f.path === ONNX)!.size));
    expect(kept?.received).toBeLessThanOrEqual(150_000);
    expect(store.parts.get(plan.baseUrl + ONNX)?.reduce((n, b) => n + b.size, 0)).toBe(kept?.received);

    // The next attempt (as after a reload: nothing in memory) skips the verified files and asks
    // only for the bytes after the stored parts; the joined file is the original.
    const before = hub.requests.length;
    let bytes = 0;
    const again = await downloadFiles(plan.baseUrl, plan.files, store, { skipExisting: true, onBytes: (d) => (bytes += d) });
    expect(again).toHaveLength(plan.files.length);
    const asked = hub.requests.slice(before).filter((r) => r.path.includes('/resolve/'));
    expect(asked.map((r) => r.path.split('/main/')[1])).toEqual([ONNX]);
    expect(asked[0].range).toBe(`bytes=${kept!.received}-`);
    expect(bytes).toBe(plan.totalBytes); // progress counts the kept bytes too
    const blob = store.files.get(plan.baseUrl + ONNX)!;
    expect(Buffer.from(await blob.arrayBuffer()).equals(hub.files().get(ONNX)!.data)).toBe(true);
    expect(await store.partial(plan.baseUrl + ONNX)).toBeUndefined();
  });

  it('writes a big file in parts as it arrives, reporting what is stored', async () => {
    const plan = await planHubDownload(ref(), 'q8');
    const onnx = plan.files.find((f) => f.path === ONNX)!;
    const store = new MemoryFileStore();
    const stored: Array<[number, boolean]> = [];
    await downloadFile(plan.baseUrl + ONNX, onnx, store, { onStored: (_p, n, done) => stored.push([n, done]) });
    const part = partBytes(onnx.size);
    // Parts end at the first chunk boundary past the part size: about size / part of them.
    expect(stored.length - 1).toBeGreaterThanOrEqual(Math.floor(onnx.size! / part));
    expect(stored.length - 1).toBeLessThanOrEqual(Math.ceil(onnx.size! / part));
    expect(stored.slice(0, -1).every(([n, done], i) => !done && n >= part * (i + 1))).toBe(true);
    expect(stored.at(-1)).toEqual([onnx.size, true]);
    expect(partBytes(1.24e9)).toBe(8 * 1024 * 1024);
    expect(partBytes(100) % 64).toBe(0);
  });

  it('starts over when the kept bytes are not of the file the server now has', async () => {
    const plan = await planHubDownload(ref(), 'q8');
    const onnx = plan.files.find((f) => f.path === ONNX)!;
    const key = plan.baseUrl + ONNX;
    const store = new MemoryFileStore();
    hub.cut(ONNX, 140_000, 1);
    await downloadFile(key, onnx, store, { retries: 0 }).catch(() => undefined);
    const kept = (await store.partial(key))!;
    expect(kept.received).toBeGreaterThan(0);

    // The server's copy changed since (its ETag no longer matches): it answers the Range with the
    // whole file, and the download restarts from byte 0 instead of splicing two versions.
    store.partials.set(key, { ...kept, validator: '"an-older-version"' });
    let bytes = 0;
    const got = await downloadFile(key, onnx, store, { onBytes: (d) => (bytes += d) });
    expect(got.sha256).toBe(hub.files().get(ONNX)!.sha256);
    expect(bytes).toBe(onnx.size);

    // Kept bytes of another version (the listing now names another hash): dropped, not resumed.
    const fresh = new MemoryFileStore();
    hub.cut(ONNX, 140_000, 1);
    await downloadFile(key, onnx, fresh, { retries: 0 }).catch(() => undefined);
    fresh.partials.set(key, { ...(await fresh.partial(key))!, sha256: 'f'.repeat(64) });
    const before = hub.requests.length;
    await downloadFile(key, onnx, fresh);
    expect(hub.requests.slice(before).map((r) => r.range)).toEqual([null]);
    expect(createHash('sha256').update(Buffer.from(await fresh.files.get(key)!.arrayBuffer())).digest('hex')).toBe(onnx.sha256);
  });

  it('refuses a file whose sha256 or size is not the expected one', async () => {
    const plan = await planHubDownload(ref(), 'q8');
    const onnx = plan.files.find((f) => f.path === ONNX)!;
    const store = new MemoryFileStore();
    const bad = await downloadFiles(plan.baseUrl, [{ ...onnx, sha256: '0'.repeat(64) }], store).catch((e) => e);
    expect((bad as DownloadError).code).toBe('verify');
    expect(store.parts.size + store.partials.size).toBe(0); // a damaged download keeps nothing
    const short = await downloadFile(plan.baseUrl + ONNX, { path: ONNX, size: onnx.size! + 10 }, store, { retries: 0 }).catch((e: unknown) => e);
    expect(short).toBeInstanceOf(DownloadError);
    expect(store.files.size).toBe(0);
  });

  it('stops when cancelled', async () => {
    const plan = await planHubDownload(ref(), 'q8');
    const store = new MemoryFileStore();
    const ctrl = new AbortController();
    hub.throttle(200_000);
    try {
      const run = downloadFiles(plan.baseUrl, plan.files, store, {
        signal: ctrl.signal,
        onBytes: (_d, path) => path === ONNX && ctrl.abort(),
      });
      await expect(run).rejects.toMatchObject({ code: 'aborted' });
    } finally {
      hub.throttle(null);
    }
    expect(store.files.has(plan.baseUrl + ONNX)).toBe(false);
  });

  it('stops when cancelled after a part was written, keeping only whole parts, and resumes after them', async () => {
    const plan = await planHubDownload(ref(), 'q8');
    const onnx = plan.files.find((f) => f.path === ONNX)!;
    const key = plan.baseUrl + ONNX;
    const store = new MemoryFileStore();
    const ctrl = new AbortController();
    const stored: number[] = [];
    hub.throttle(400_000);
    try {
      const run = downloadFiles(plan.baseUrl, plan.files, store, {
        signal: ctrl.signal,
        // Cancel once the first part of the ONNX file is in the store (bytes written, file unfinished).
        onStored: (path, n, done) => {
          if (path !== ONNX || done) return;
          stored.push(n);
          ctrl.abort();
        },
      });
      await expect(run).rejects.toMatchObject({ code: 'aborted' });
    } finally {
      hub.throttle(null);
    }
    expect(stored).toHaveLength(1);
    expect(stored[0]).toBeGreaterThan(0);
    expect(stored[0]).toBeLessThan(onnx.size!);
    // Not a file (it is unfinished); what is kept is exactly the stored parts, nothing half-written.
    expect(store.files.has(key)).toBe(false);
    const kept = (await store.partial(key))!;
    expect(kept.received).toBe(stored[0]);
    expect(store.parts.get(key)!.reduce((n, b) => n + b.size, 0)).toBe(kept.received);

    // Starting again asks only for the rest and joins the original file.
    const before = hub.requests.length;
    await downloadFiles(plan.baseUrl, plan.files, store, { skipExisting: true });
    expect(hub.requests.slice(before).filter((r) => r.path.endsWith(ONNX)).map((r) => r.range)).toEqual([`bytes=${kept.received}-`]);
    expect(Buffer.from(await store.files.get(key)!.arrayBuffer()).equals(hub.files().get(ONNX)!.data)).toBe(true);
    expect(await store.partial(key)).toBeUndefined();
  });

  it('reports a full disk as a quota error and keeps no partial file', async () => {
    const plan = await planHubDownload(ref(), 'q8');
    // Room for the small files and two parts of the model: the disk fills up mid-file.
    const onnx = plan.files.find((f) => f.path === ONNX)!;
    const small = plan.files.filter((f) => f !== onnx).reduce((n, f) => n + f.size!, 0);
    let partsStored = 0;
    const store = new MemoryFileStore(small + 2 * partBytes(onnx.size!) + 100);
    const putPart = store.putPart.bind(store);
    store.putPart = async (...args) => (await putPart(...args), partsStored++, undefined);
    const err = await downloadFiles(plan.baseUrl, plan.files, store).catch((e) => e);
    expect((err as DownloadError).code).toBe('quota');
    expect(store.files.has(plan.baseUrl + ONNX)).toBe(false);
    expect(partsStored).toBeGreaterThanOrEqual(1);
    // Neither the parts written before the disk filled up nor their resume state are kept.
    expect([...store.parts.keys()]).toEqual([]);
    expect([...store.partials.keys()]).toEqual([]);
    expect(await store.partial(plan.baseUrl + ONNX)).toBeUndefined();
  });
});
