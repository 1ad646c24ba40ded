// Offline after the first visit: the app is served by a server of this test's own, which is
// stopped (and the context set offline) after one online visit. Then a reload and a new tab show
// the app and the conversations, the page is still cross-origin isolated, and the model (from the
// service worker's caches) answers. The second tab does not load a second copy of the model.
import { startAppServer } from '../fixtures/app-server.mjs';
import { appUrl, ask, conversationItems, expect, messageBox, messageText, openApp, test, waitForEngineReady } from './helpers';
import { DIST, isCached, waitForServiceWorker } from './pwa-helpers';

test('reload, a new tab and a reply work with no network after the first visit', async ({ browser, backend }) => {
  const server = await startAppServer({ root: DIST });
  const context = await browser.newContext({ baseURL: server.origin });
  try {
    const page = await context.newPage();
    await openApp(page, { backend });
    await waitForEngineReady(page, backend);
    await ask(page, 'Hello before the flight');
    await expect(conversationItems(page)).toHaveCount(1);
    await waitForServiceWorker(page);
    // The model files the load read are kept in the bundled model's cache.
    for (const file of ['config.json', 'tokenizer.json', 'tokenizer_config.json', 'onnx/model_quantized.onnx']) {
      await expect.poll(() => isCached(page, `/models/hearth-test-tiny/${file}`), { message: `${file} is cached`, timeout: 30_000 }).toBe(true);
    }
    expect(await isCached(page, backend === 'webgpu' ? '/ort/ort-wasm-simd-threaded.asyncify.wasm' : '/ort/ort-wasm-simd-threaded.wasm')).toBe(true);

    // No network at all from here: the server is gone and the context is offline.
    await server.close();
    await context.setOffline(true);

    await page.reload();
    await expect(messageBox(page)).toBeVisible();
    await expect(conversationItems(page)).toHaveCount(1);
    expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
    await waitForEngineReady(page, backend);
    const reply = await ask(page, 'Are you there?');
    expect(await messageText(reply)).not.toBe('');

    const tab = await context.newPage();
    await tab.goto(appUrl({ backend }));
    await expect(messageBox(tab)).toBeVisible();
    await expect(conversationItems(tab)).toHaveCount(1);
    // One copy of the model: the new tab says the first one runs it.
    await expect(tab.getByRole('alert').filter({ hasText: 'running the model in another tab' })).toBeVisible({ timeout: 30_000 });
    await expect(tab.getByRole('button', { name: 'Use the model here' })).toBeVisible();
    await tab.close();
  } finally {
    await context.close();
    await server.close().catch(() => undefined);
  }
});
