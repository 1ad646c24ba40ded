// First visit: ONNX Runtime's wasm crosses the network once (the engine worker keeps it in its own
// cache; the service worker does not precache a second copy), and a reload reads it from that
// cache. On WASM it is the plain build (14 MB); the 27 MB asyncify build, which WebGPU needs, is
// not fetched at all. The app is served by a counting server of this test's own.
import http from 'node:http';
import { createHandler } from '../../scripts/serve.mjs';
import { expect, openApp, test, waitForEngineReady } from './helpers';
import { DIST, isCached, waitForServiceWorker } from './pwa-helpers';

const ORT_PLAIN = '/ort/ort-wasm-simd-threaded.wasm';
const ORT_ASYNCIFY = '/ort/ort-wasm-simd-threaded.asyncify.wasm';

test('the first visit downloads ONNX Runtime once and a reload reads it from the cache', async ({ browser, backend }) => {
  const handler = createHandler(DIST);
  const hits = new Map<string, number>();
  const server = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    hits.set(path, (hits.get(path) ?? 0) + 1);
    handler(req, res).catch(() => res.destroy());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const { port } = server.address() as { port: number };
  const context = await browser.newContext({ baseURL: `http://127.0.0.1:${port}` });
  const ORT_WASM = backend === 'webgpu' ? ORT_ASYNCIFY : ORT_PLAIN;
  const other = backend === 'webgpu' ? ORT_PLAIN : ORT_ASYNCIFY;
  try {
    const page = await context.newPage();
    await openApp(page, { backend });
    await waitForEngineReady(page, backend);
    await waitForServiceWorker(page);
    // The service worker has finished installing (its precache is complete) once it is active.
    await page.evaluate(() => navigator.serviceWorker.ready.then(() => undefined));
    await expect.poll(() => isCached(page, ORT_WASM), { timeout: 30_000 }).toBe(true);
    expect(hits.get(ORT_WASM)).toBe(1);
    expect(hits.get(other)).toBeUndefined();

    await page.reload();
    await waitForEngineReady(page, backend);
    expect(hits.get(ORT_WASM)).toBe(1);
    expect(hits.get(other)).toBeUndefined();
  } finally {
    await context.close();
    await new Promise((r) => server.close(r));
  }
});
