// Models the user manages, against a local stand-in for the Hugging Face Hub (no test reaches the
// internet): point the Hub URL at it, add the fixture repository, download with a progress bar
// (bytes and %) while the connection keeps dropping (resumed with Range requests, then given up),
// restart it so it ends complete, use it with the Hub gone (it loads from the browser's cache) and
// chat, then delete it and see the storage figure drop; a download interrupted by a reload resumes
// after the parts it stored.
import { join } from 'node:path';
import type { Locator } from '@playwright/test';
import { startHubServer, FIXTURE_REPO, type HubServer } from '../fixtures/hub-server.mjs';
import { ask, engineStatus, expect, messageText, openApp, test, waitForEngineReady } from './helpers';
import { ROOT } from './pwa-helpers';

const ONNX = 'onnx/model_quantized.onnx';

let hub: HubServer;
test.beforeEach(async () => {
  hub = await startHubServer();
});
test.afterEach(async () => {
  await hub.close().catch(() => undefined);
});

/** Points the Models dialog's Hub URL at the fixture hub and adds the fixture repository. */
async function addFixtureRepository(dialog: Locator): Promise<void> {
  const hubField = dialog.getByRole('textbox', { name: 'Hub URL' });
  await hubField.fill(hub.url);
  await hubField.press('Tab');
  await dialog.getByRole('textbox', { name: 'Hub repository' }).fill(FIXTURE_REPO);
  await dialog.getByRole('button', { name: 'Add', exact: true }).click();
}

test('download with progress, restart after dropped connections, use offline from the hub, delete', async ({ page, backend }) => {
  test.skip(backend !== 'wasm', 'the download path does not depend on the backend');
  await openApp(page, { backend });
  await waitForEngineReady(page, backend);

  await page.getByRole('button', { name: 'Models', exact: true }).click();
  const dialog = page.getByRole('dialog', { name: 'Models' });
  await expect(dialog).toBeVisible();
  await expect(dialog.getByRole('listitem', { name: 'Hearth Chat (built in)' })).toBeVisible();
  await expect(dialog.getByRole('listitem', { name: 'Qwen2.5 0.5B Instruct' })).toContainText('Apache-2.0');

  await addFixtureRepository(dialog);
  const item = dialog.getByRole('listitem', { name: 'tiny-chat' });
  await expect(item).toBeVisible();

  // Every response of the ONNX file is cut after 20 KB: the download resumes with Range requests
  // a few times, shows its progress, then gives up and offers Retry.
  hub.cut(ONNX, 20_000, 1000);
  hub.throttle(400_000);
  await item.getByRole('button', { name: 'Download' }).click();
  const bar = item.getByRole('progressbar', { name: 'Downloading tiny-chat' });
  await expect(bar).toBeVisible();
  await expect(item).toContainText(/\d+(\.\d)? KB of \d+(\.\d)? KB \(\d+%\)/);
  await expect(item.getByRole('alert')).toContainText('connection was lost', { timeout: 60_000 });
  await expect(item).toHaveAttribute('data-status', 'partial');
  const ranged = hub.requests.filter((r) => r.path.endsWith(ONNX) && r.range);
  expect(ranged.length).toBeGreaterThan(0);
  // It resumes where the bytes it received end (at most the 20 KB sent before the cut), onwards.
  const starts = ranged.map((r) => Number(/^bytes=(\d+)-$/.exec(r.range!)?.[1]));
  expect(starts[0]).toBeGreaterThan(0);
  expect(starts[0]).toBeLessThanOrEqual(20_000);
  expect(starts).toEqual([...starts].sort((a, b) => a - b));

  // The connection is back: Retry ends complete.
  hub.cut(ONNX, 0, 0);
  hub.throttle(null);
  await item.getByRole('button', { name: 'Retry' }).click();
  await expect(item).toHaveAttribute('data-status', 'installed', { timeout: 60_000 });
  await expect(item).toContainText('Downloaded');
  await expect(item).toContainText('Context 256 tokens');

  // The Hub is gone: the model loads from the browser's cache and answers.
  await hub.close();
  const usageWith = await page.evaluate(async () => (await navigator.storage.estimate()).usage ?? 0);
  const storageLine = dialog.getByRole('note', { name: 'Storage' });
  /** A figure of the dialog's storage line ("X used" / "Downloaded models: X"), in KB. */
  const shownKb = async (which: RegExp) => {
    const m = which.exec(await storageLine.innerText());
    return m ? Number(m[1]) * { B: 1 / 1024, KB: 1, MB: 1024, GB: 1024 ** 2 }[m[2] as 'B' | 'KB' | 'MB' | 'GB'] : NaN;
  };
  const USED = /([\d.]+) (B|KB|MB|GB) used/;
  const MODELS = /Downloaded models: ([\d.]+) (B|KB|MB|GB)/;
  await expect.poll(() => shownKb(USED), { timeout: 15_000 }).toBeGreaterThanOrEqual(usageWith / 1024 - 60);
  const modelsWith = await shownKb(MODELS);
  expect(modelsWith).toBeGreaterThan(250); // the fixture model's q8 files (~300 KB)
  await item.getByRole('button', { name: 'Use', exact: true }).click();
  await expect(item).toContainText('In use');
  await dialog.getByRole('button', { name: 'Close', exact: true }).click();
  await expect(engineStatus(page)).toHaveAttribute('data-state', 'ready', { timeout: 150_000 });
  await expect(engineStatus(page)).toHaveAttribute('title', /tiny-chat|Model:/);
  const reply = await ask(page, 'Hello from the downloaded model');
  expect(await messageText(reply)).not.toBe('');

  // Delete: its files go, the storage figure drops, the built-in model is used again.
  await page.getByRole('button', { name: 'Models', exact: true }).click();
  await item.getByRole('button', { name: 'Delete' }).click();
  await expect(item).toHaveAttribute('data-status', 'available');
  await expect(item.getByRole('button', { name: 'Download' })).toBeVisible();
  await expect.poll(() => shownKb(MODELS), { timeout: 15_000 }).toBe(0);
  // The browser's own usage figure is recorded, not asserted: Chromium frees a deleted cache's
  // space lazily, and the built-in model reloading meanwhile writes to storage too.
  const usageAfter = await page.evaluate(async () => (await navigator.storage.estimate()).usage ?? 0);
  test.info().annotations.push({ type: 'storage', description: `usage with model ${usageWith} B, right after delete ${usageAfter} B` });
  expect(await page.evaluate(async () => (await caches.keys()).filter((n) => n.startsWith('hearth-hub-models-v1')))).toEqual([]);
  await waitForEngineReady(page, backend);
});

test('a download cut short by a reload resumes after the parts it stored', async ({ page, backend }) => {
  test.skip(backend !== 'wasm', 'the download path does not depend on the backend');
  await openApp(page, { backend });
  await page.getByRole('button', { name: 'Models', exact: true }).click();
  let dialog = page.getByRole('dialog', { name: 'Models' });
  await addFixtureRepository(dialog);

  // A slow connection: reload once two parts of the ONNX file are in the browser's storage.
  hub.throttle(30_000); // the ONNX file takes ~9 s
  await dialog.getByRole('listitem', { name: 'tiny-chat' }).getByRole('button', { name: 'Download' }).click();
  const storedParts = () =>
    page.evaluate(async (file) => {
      let n = 0;
      for (const name of await caches.keys()) {
        if (!name.startsWith('hearth-hub-models-v1')) continue;
        for (const req of await (await caches.open(name)).keys()) if (req.url.includes(`${file}?hearth-part=`)) n++;
      }
      return n;
    }, ONNX);
  await expect.poll(storedParts, { timeout: 30_000 }).toBeGreaterThanOrEqual(2);
  await page.reload();

  // After the reload the model is listed as incomplete with what is kept, and Resume asks the
  // Hub only for the rest of the ONNX file.
  hub.throttle(null);
  await page.getByRole('button', { name: 'Models', exact: true }).click();
  dialog = page.getByRole('dialog', { name: 'Models' });
  const item = dialog.getByRole('listitem', { name: 'tiny-chat' });
  await expect(item).toHaveAttribute('data-status', 'partial');
  await expect(item).toContainText(/\d+(\.\d)? KB of \d+(\.\d)? KB kept/);
  const size = hub.files().get(ONNX)!.data.length;
  const before = hub.requests.length;
  await item.getByRole('button', { name: 'Resume' }).click();
  await expect(item).toHaveAttribute('data-status', 'installed', { timeout: 60_000 });
  // Besides config.json (read again to plan) and CORS preflights, only the ONNX file's rest.
  const asked = hub.requests.slice(before).filter((r) => r.method === 'GET' && r.path.includes('/resolve/') && !r.path.endsWith('/config.json'));
  expect(asked.map((r) => r.path.split('/resolve/main/')[1])).toEqual([ONNX]);
  const start = Number(/^bytes=(\d+)-$/.exec(asked[0].range ?? '')?.[1]);
  expect(start).toBeGreaterThanOrEqual(2 * 64 * 1024);
  expect(start).toBeLessThan(size);
  // Installed means the joined file's size and sha256 matched the Hub's listing.
  expect(await storedParts()).toBeGreaterThanOrEqual(3);
});

test('"Load model from files" keeps a model folder from disk and chats with it', async ({ page, backend }) => {
  test.skip(backend !== 'wasm', 'the file import does not depend on the backend');
  await openApp(page, { backend });
  await waitForEngineReady(page, backend);
  await page.getByRole('button', { name: 'Models', exact: true }).click();
  const dialog = page.getByRole('dialog', { name: 'Models' });
  await expect(dialog.getByRole('button', { name: 'Load model from files' })).toBeVisible();
  // The folder picker (<input type=file webkitdirectory>) gets the tiny model's folder.
  await dialog.getByLabel('Model folder').setInputFiles(join(ROOT, 'models', 'hearth-test-tiny'));
  const item = dialog.getByRole('listitem', { name: 'hearth-test-tiny' });
  await expect(item).toHaveAttribute('data-status', 'installed', { timeout: 30_000 });
  await expect(item).toContainText('dtype q8');
  await item.getByRole('button', { name: 'Use', exact: true }).click();
  await expect(item).toContainText('In use');
  await dialog.getByRole('button', { name: 'Close', exact: true }).click();
  await expect(engineStatus(page)).toHaveAttribute('data-state', 'ready', { timeout: 150_000 });
  const reply = await ask(page, 'Hello from my own files');
  expect(await messageText(reply)).not.toBe('');
});
