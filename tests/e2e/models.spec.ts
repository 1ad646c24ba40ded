// Models the user manages, against a local stand-in for the Hugging Face Hub (no test reaches the
// internet): point the Hub URL at it, add a fixture repository, download with a progress bar
// (bytes and %) while the connection keeps dropping (resumed with Range requests, then given up),
// restart it so it ends complete, use it with the Hub gone (it loads from the browser's cache) and
// chat, then delete it and see the storage figure drop; a download cancelled partway leaves
// nothing installed and can be started again; a download interrupted by a reload resumes after
// the parts it stored. The models downloaded or loaded from disk and chatted with are not the
// built-in test model (tests/fixtures/tiny-llama: another name, layout, tokenizer and weights),
// so each chat checks that the status line names the new model and that its reply to a prompt
// is not the built-in model's reply to the same prompt.
import { join } from 'node:path';
import type { Locator, Page } from '@playwright/test';
import { startHubServer, FIXTURE_DIR, FIXTURE_REPO, OTHER_FIXTURE_DIR, OTHER_FIXTURE_REPO, type HubServer } from '../fixtures/hub-server.mjs';
import { ask, engineStatus, expect, messageText, newChatButton, openApp, test, waitForEngineReady } from './helpers';
import { ROOT } from './pwa-helpers';

const ONNX = 'onnx/model_quantized.onnx';
/** The list item names of the two fixture repositories (their repo names). */
const SAME = FIXTURE_REPO.split('/')[1]; // the built-in test model's files under another name
const OTHER = OTHER_FIXTURE_REPO.split('/')[1];
const PROMPT = 'Hello, which model are you?';

let hub: HubServer;
test.beforeEach(async () => {
  hub = await startHubServer({ repos: { [FIXTURE_REPO]: FIXTURE_DIR, [OTHER_FIXTURE_REPO]: OTHER_FIXTURE_DIR } });
});
test.afterEach(async () => {
  await hub.close().catch(() => undefined);
});

/** Points the Models dialog's Hub URL at the fixture hub and adds a fixture repository. */
async function addFixtureRepository(dialog: Locator, repo = OTHER_FIXTURE_REPO): Promise<void> {
  const hubField = dialog.getByRole('textbox', { name: 'Hub URL' });
  await hubField.fill(hub.url);
  await hubField.press('Tab');
  await dialog.getByRole('textbox', { name: 'Hub repository' }).fill(repo);
  await dialog.getByRole('button', { name: 'Add', exact: true }).click();
}

/** The built-in test model's (greedy) reply to PROMPT, in a conversation of its own. */
async function builtInReply(page: Page): Promise<string> {
  await expect(engineStatus(page)).toHaveAttribute('title', /^Model: hearth-test-tiny$/m);
  const text = await messageText(await ask(page, PROMPT));
  expect(text).not.toBe('');
  await newChatButton(page).click();
  return text;
}

/**
 * After "Use": the engine has loaded the model named `name` (status line and model picker say so)
 * and it answers PROMPT, not as the built-in model did, in a new conversation.
 */
async function expectAnswersAs(page: Page, name: string, builtIn: string): Promise<void> {
  await expect(engineStatus(page)).toHaveAttribute('title', new RegExp(`^Model: ${name}$`, 'm'), { timeout: 150_000 });
  await expect(engineStatus(page)).toHaveAttribute('data-state', 'ready', { timeout: 150_000 });
  await expect(page.getByRole('combobox', { name: 'Model' }).locator('option:checked')).toHaveText(name);
  await newChatButton(page).click();
  const reply = await messageText(await ask(page, PROMPT));
  expect(reply).not.toBe('');
  expect(reply).not.toBe(builtIn);
}

/** The model picker's option for `name` (the picker sits behind the Models dialog when it is open). */
const pickerOption = (page: Page, name: string) =>
  page.getByRole('combobox', { name: 'Model', includeHidden: true }).getByRole('option', { name, exact: true, includeHidden: true });

/** How many parts of `file` the browser's Cache Storage holds for downloaded models. */
function storedParts(page: Page, file = ONNX): Promise<number> {
  return page.evaluate(async (file) => {
    let n = 0;
    for (const name of await caches.keys()) {
      if (!name.startsWith('hearth-hub-models-v1')) continue;
      for (const req of await (await caches.open(name)).keys()) if (req.url.includes(`${file}?hearth-part=`)) n++;
    }
    return n;
  }, file);
}

test('download with progress, restart after dropped connections, use offline from the hub, delete', async ({ page, backend }) => {
  await openApp(page, { backend });
  await waitForEngineReady(page, backend);
  const builtIn = await builtInReply(page);

  await page.getByRole('button', { name: 'Models', exact: true }).click();
  const dialog = page.getByRole('dialog', { name: 'Models' });
  await expect(dialog).toBeVisible();
  await expect(dialog.getByRole('listitem', { name: 'Hearth Chat (built in)' })).toBeVisible();
  await expect(dialog.getByRole('listitem', { name: 'Qwen2.5 0.5B Instruct' })).toContainText('Apache-2.0');

  await addFixtureRepository(dialog);
  const item = dialog.getByRole('listitem', { name: OTHER });
  await expect(item).toBeVisible();

  // Every response of the ONNX file (~185 KB) is cut after 20 KB: the download resumes with Range requests
  // a few times, shows its progress, then gives up and offers Retry.
  hub.cut(ONNX, 20_000, 1000);
  hub.throttle(400_000);
  await item.getByRole('button', { name: 'Download' }).click();
  const bar = item.getByRole('progressbar', { name: `Downloading ${OTHER}` });
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
  expect(modelsWith).toBeGreaterThan(200); // the fixture model's q8 files (~215 KB)
  await item.getByRole('button', { name: 'Use', exact: true }).click();
  await expect(item).toContainText('In use');
  await dialog.getByRole('button', { name: 'Close', exact: true }).click();
  await expectAnswersAs(page, OTHER, builtIn);

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
  await expect(engineStatus(page)).toHaveAttribute('title', /^Model: hearth-test-tiny$/m, { timeout: 150_000 });
  await waitForEngineReady(page, backend);
});

test('a download asks for persistent storage, runs in one tab only, and cancelled partway leaves nothing installed; starting it again completes it', async ({ page, backend }) => {
  // Count the app's requests for persistent storage (the browser's own answer is kept).
  await page.addInitScript(() => {
    const storage = navigator.storage;
    const persist = storage.persist.bind(storage);
    (window as unknown as { __persistCalls: number }).__persistCalls = 0;
    storage.persist = () => ((window as unknown as { __persistCalls: number }).__persistCalls++, persist());
  });
  const persistCalls = () => page.evaluate(() => (window as unknown as { __persistCalls: number }).__persistCalls);
  await openApp(page, { backend });
  await page.getByRole('button', { name: 'Models', exact: true }).click();
  const dialog = page.getByRole('dialog', { name: 'Models' });
  await addFixtureRepository(dialog);
  const item = dialog.getByRole('listitem', { name: OTHER });
  expect(await persistCalls()).toBe(0);

  // A slow connection (long enough for a second tab to open): cancel once a part of the ONNX file
  // is in the browser's storage.
  hub.throttle(4_000);
  await item.getByRole('button', { name: 'Download' }).click();
  await expect.poll(() => storedParts(page), { timeout: 30_000 }).toBeGreaterThanOrEqual(1);
  await expect(item).toHaveAttribute('data-status', 'downloading');
  expect(await persistCalls()).toBe(1);

  // A second tab cannot start the same download meanwhile (Web Lock): it says where it runs.
  const other = await page.context().newPage();
  await openApp(other, { backend });
  await other.getByRole('button', { name: 'Models', exact: true }).click();
  const otherItem = other.getByRole('dialog', { name: 'Models' }).getByRole('listitem', { name: OTHER });
  await otherItem.getByRole('button', { name: /^(Download|Resume)$/ }).click();
  await expect(otherItem).toContainText('This model is downloading in another tab.');
  await other.close();
  await expect(item).toHaveAttribute('data-status', 'downloading');
  await item.getByRole('button', { name: 'Cancel', exact: true }).click();

  // Nothing half-installed: not listed as installed, nothing to Use, nothing kept, not offered
  // by the model picker; Download starts it again.
  await expect(item).toHaveAttribute('data-status', 'available');
  await expect(item).toContainText('Not downloaded');
  await expect(item.getByRole('button', { name: 'Use', exact: true })).toHaveCount(0);
  await expect(item.getByRole('progressbar')).toHaveCount(0);
  await expect.poll(() => storedParts(page)).toBe(0);
  await expect(pickerOption(page, OTHER)).toHaveCount(0);
  const requestsAtCancel = hub.requests.length;
  hub.throttle(null);
  await item.getByRole('button', { name: 'Download' }).click();
  await expect(item).toHaveAttribute('data-status', 'installed', { timeout: 60_000 });
  await expect(item).toContainText('Downloaded');
  await expect(item.getByRole('button', { name: 'Use', exact: true })).toBeVisible();
  await expect(pickerOption(page, OTHER)).toHaveCount(1);
  expect(hub.requests.slice(requestsAtCancel).some((r) => r.path.endsWith(ONNX))).toBe(true);
});

test('a download cut short by a reload resumes after the parts it stored', async ({ page, backend }) => {
  await openApp(page, { backend });
  await page.getByRole('button', { name: 'Models', exact: true }).click();
  let dialog = page.getByRole('dialog', { name: 'Models' });
  await addFixtureRepository(dialog, FIXTURE_REPO);

  // A slow connection: reload once two parts of the ONNX file are in the browser's storage.
  hub.throttle(30_000); // the ONNX file takes ~9 s
  await dialog.getByRole('listitem', { name: SAME }).getByRole('button', { name: 'Download' }).click();
  await expect.poll(() => storedParts(page), { timeout: 30_000 }).toBeGreaterThanOrEqual(2);
  await page.reload();

  // After the reload the model is listed as incomplete with what is kept, and Resume asks the
  // Hub only for the rest of the ONNX file.
  hub.throttle(null);
  await page.getByRole('button', { name: 'Models', exact: true }).click();
  dialog = page.getByRole('dialog', { name: 'Models' });
  const item = dialog.getByRole('listitem', { name: SAME });
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
  expect(await storedParts(page)).toBeGreaterThanOrEqual(3);
});

test('"Load model from files" keeps a model folder from disk and chats with it', async ({ page, backend }) => {
  await openApp(page, { backend });
  await waitForEngineReady(page, backend);
  const builtIn = await builtInReply(page);
  await page.getByRole('button', { name: 'Models', exact: true }).click();
  const dialog = page.getByRole('dialog', { name: 'Models' });
  await expect(dialog.getByRole('button', { name: 'Load model from files' })).toBeVisible();
  // The folder picker (<input type=file webkitdirectory>) gets another model's folder; the model
  // is named after the folder.
  await dialog.getByLabel('Model folder').setInputFiles(join(ROOT, 'tests', 'fixtures', 'tiny-llama'));
  const item = dialog.getByRole('listitem', { name: 'tiny-llama' });
  await expect(item).toHaveAttribute('data-status', 'installed', { timeout: 30_000 });
  await expect(item).toContainText('dtype q8');
  await item.getByRole('button', { name: 'Use', exact: true }).click();
  await expect(item).toContainText('In use');
  await dialog.getByRole('button', { name: 'Close', exact: true }).click();
  await expectAnswersAs(page, 'tiny-llama', builtIn);
});
