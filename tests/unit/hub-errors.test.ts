// A Hub that cannot be used, against the fixture Hub (tests/fixtures/hub-server.mjs) and real
// network failures: each cause gets its own message naming it (offline, unreachable: connection
// refused or a name that does not resolve, CORS, 5xx, 404), a download that had received bytes
// keeps them (the record stays partial and says how much) and a later attempt resumes after them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CatalogEntry } from '../../src/models/catalog';
import { DownloadError } from '../../src/models/download';
import { MemoryFileStore } from '../../src/models/fileStore';
import { diagnoseHubError } from '../../src/models/hubErrors';
import { ModelManager } from '../../src/models/manager';
import { downloadErrorText } from '../../src/stores/modelDownloads';
import { FIXTURE_REPO, startHubServer, type HubServer } from '../fixtures/hub-server.mjs';
import { freshStorage } from './dbHelpers';

const ONNX = 'onnx/model_quantized.onnx';
const ENTRY: CatalogEntry = { id: 'tiny-chat', name: 'Tiny chat', source: 'hub', repo: FIXTURE_REPO, revision: 'main', dtypes: { wasm: 'q8', webgpu: 'fp32' } };

let hub: HubServer;
let closedUrl: string;
beforeAll(async () => {
  hub = await startHubServer();
  const gone = await startHubServer();
  closedUrl = gone.url;
  await gone.close(); // nothing listens there any more: connection refused
});
afterAll(() => hub.close());

/**
 * fetch as a browser applies CORS (Fetch standard): a cross-origin response without
 * Access-Control-Allow-Origin is a network error (TypeError) unless the request was `no-cors`.
 */
const browserFetch: typeof fetch = async (input, init) => {
  const res = await fetch(input, init);
  if (init?.mode !== 'no-cors' && !res.headers.get('Access-Control-Allow-Origin')) {
    await res.body?.cancel();
    throw new TypeError('Failed to fetch');
  }
  return res;
};

function setup() {
  const storage = freshStorage();
  const stores = new Map<string, MemoryFileStore>();
  const store = (name: string) => stores.get(name) ?? stores.set(name, new MemoryFileStore()).get(name)!;
  return { storage, manager: new ModelManager({ records: storage.models, store, fetch: browserFetch }) };
}

async function failure(p: Promise<unknown>): Promise<DownloadError> {
  const e = await p.then(() => null, (err: unknown) => err);
  expect(e).toBeInstanceOf(DownloadError);
  return e as DownloadError;
}

describe('a Hub that cannot be used', () => {
  it('unreachable: nothing listens, or the name does not resolve', async () => {
    const { manager, storage } = setup();
    const refused = await failure(manager.install(ENTRY, { hubUrl: closedUrl, backend: 'wasm', online: true }));
    expect(refused.code).toBe('unreachable');
    expect(downloadErrorText(refused)).toMatch(new RegExp(`The Hub at ${new URL(closedUrl).host} could not be reached.*The built-in model still answers`));
    const dns = await failure(manager.install(ENTRY, { hubUrl: 'http://hub.invalid', backend: 'wasm', online: true }));
    expect(dns.code).toBe('unreachable');
    expect(dns.message).toMatch(/hub\.invalid could not be reached: its name does not resolve/);
    expect(await storage.models.list()).toEqual([]); // nothing arrived, nothing kept
    // A cross-origin isolated page cannot tell a Hub that refuses this site from one that is gone.
    const isolated = await diagnoseHubError(new TypeError('Failed to fetch'), { probeUrl: `${closedUrl}/x/config.json`, fetch, online: true, isolated: true });
    expect((isolated as Error).message).toMatch(/stops it, or it does not allow this site \(CORS\)\.$/);
  });

  it('offline: said as such', async () => {
    const { manager } = setup();
    const e = await failure(manager.install(ENTRY, { hubUrl: closedUrl, backend: 'wasm', online: false }));
    expect(e.code).toBe('offline');
    expect(downloadErrorText(e)).toMatch(/^This device is offline/);
  });

  it('CORS: the Hub answers but does not allow this site', async () => {
    const { manager } = setup();
    hub.cors(false);
    try {
      const e = await failure(manager.install(ENTRY, { hubUrl: hub.url, backend: 'wasm', online: true }));
      expect(e.code).toBe('cors');
      expect(e.message).toMatch(/answers, but does not let this site download from it \(CORS\)/);
    } finally {
      hub.cors(true);
    }
  });

  it('5xx: a problem on the Hub, named with its status', async () => {
    const { manager } = setup();
    hub.fail(503);
    try {
      const e = await failure(manager.install(ENTRY, { hubUrl: hub.url, backend: 'wasm', online: true }));
      expect(e).toMatchObject({ code: 'server', status: 503 });
      expect(downloadErrorText(e)).toMatch(/has a problem on its side \(HTTP 503\)\. Try again later\./);
    } finally {
      hub.fail(null);
    }
  });

  it('404: the repository is not on this Hub', async () => {
    const { manager } = setup();
    const e = await failure(manager.install({ ...ENTRY, repo: 'nobody/nothing' }, { hubUrl: hub.url, backend: 'wasm', online: true }));
    expect(e).toMatchObject({ code: 'not-found', status: 404 });
    expect(e.message).toMatch(/nobody\/nothing was not found on the Hub \(HTTP 404\)\. Check the Hub URL/);
  });

  it('bytes that arrived before the Hub failed are kept, said, and the next attempt resumes after them', async () => {
    const { manager, storage } = setup();
    const size = hub.files().get(ONNX)!.data.length;
    hub.cut(ONNX, 200_000, 1); // the first attempt drops part-way ...
    hub.fail(502, { ranged: true }); // ... and every resume meets a failing Hub
    try {
      const e = await failure(manager.install(ENTRY, { hubUrl: hub.url, backend: 'wasm', online: true }));
      expect(e).toMatchObject({ code: 'server', status: 502 });
      expect(e.keptBytes).toBeGreaterThan(0);
      expect(downloadErrorText(e)).toMatch(/already downloaded is kept; the download goes on from there/);
      const partial = await storage.models.get('tiny-chat');
      expect(partial?.status).toBe('partial');
      expect(partial!.files.find((f) => f.path === ONNX)!.storedBytes).toBeGreaterThan(0);
    } finally {
      hub.fail(null);
    }
    const before = hub.requests.length;
    const rec = await manager.install(ENTRY, { hubUrl: hub.url, backend: 'wasm', online: true });
    expect(rec.status).toBe('installed');
    const resumed = hub.requests.slice(before).find((r) => r.path.endsWith(ONNX));
    expect(resumed?.range).toMatch(/^bytes=[1-9]\d*-$/);
    expect(rec.files.find((f) => f.path === ONNX)?.size).toBe(size);
  }, 30_000);
});
