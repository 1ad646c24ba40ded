// The first visit's recommendation, against the fixture Hub (tiny random-weight stand-ins of the
// catalog's repositories, tests/fixtures/catalog): a fresh profile sees the model recommended for
// this browser with its name and download size; one click downloads it with progress while the
// built-in model answers; the app then offers to use it, the next reply is labelled with the new
// model, and after a reload the choice holds. With the Hub unreachable (nothing listens) or not
// allowing the app (CORS), the card says so and the built-in model still answers.
import type { Locator, Page } from '@playwright/test';
import { CATALOG_FIXTURES, startHubServer, type HubServer } from '../fixtures/hub-server.mjs';
import { ask, engineStatus, expect, messageText, newChatButton, openApp, test, TEST_MODEL, waitForEngineReady } from './helpers';

let hub: HubServer;
test.beforeEach(async () => {
  hub = await startHubServer({ repos: CATALOG_FIXTURES });
});
test.afterEach(async () => {
  await hub.close().catch(() => undefined);
});

const card = (page: Page) => page.getByRole('region', { name: 'Recommended model' });
/** The label under a reply naming the model that wrote it. */
const modelLabel = (reply: Locator) => reply.getByRole('note', { name: 'Model' });

/** Points the app's Hub URL setting (Models dialog) at `url`. */
async function setHubUrl(page: Page, url: string): Promise<void> {
  await page.getByRole('button', { name: 'Models', exact: true }).click();
  const dialog = page.getByRole('dialog', { name: 'Models' });
  const field = dialog.getByRole('textbox', { name: 'Hub URL' });
  await field.fill(url);
  await field.press('Tab');
  await dialog.getByRole('button', { name: 'Close', exact: true }).click();
}

/** The recommended model's name, read from the card's one button ("Download <name>"). */
async function recommendedName(page: Page): Promise<string> {
  const button = card(page).getByRole('button', { name: /^Download / });
  await expect(button).toBeVisible();
  return (await button.innerText()).replace(/^Download /, '').trim();
}

test('a fresh profile: recommendation, one-click download while the built-in model answers, switch, label, reload', async ({ page, backend }) => {
  test.skip(backend !== 'wasm', 'the recommendation and download do not depend on the backend');
  await openApp(page, { backend });
  await waitForEngineReady(page, backend);
  await setHubUrl(page, hub.url);

  const name = await recommendedName(page);
  // A model of the catalog whose repository the fixture Hub serves, with its download size.
  const catalog = (await (await page.request.get('/models/catalog.json')).json()) as { models: Array<{ name: string; repo?: string }> };
  const entry = catalog.models.find((m) => m.name === name);
  expect(entry?.repo && entry.repo in CATALOG_FIXTURES).toBe(true);
  await expect(card(page)).toContainText(/Download ≈ \d+(\.\d)? (MB|GB)/);
  await expect(card(page)).toContainText('Licence');
  // The Models dialog flags it too.
  await page.getByRole('button', { name: 'Models', exact: true }).click();
  const dialog = page.getByRole('dialog', { name: 'Models' });
  await expect(dialog.getByRole('listitem', { name })).toContainText('Recommended for this device');
  await dialog.getByRole('button', { name: 'Close', exact: true }).click();

  // A slow Hub: the download runs in the background while the built-in model answers.
  hub.throttle(1_000); // ~16 s per 16 KB piece: still running when the reply is done; lifted after it
  await card(page).getByRole('button', { name: `Download ${name}` }).click();
  await expect(card(page).getByRole('progressbar', { name: `Downloading ${name}` })).toBeVisible();
  const first = await ask(page, 'Hello!');
  expect(await messageText(first)).not.toBe('');
  await expect(modelLabel(first)).toHaveText(TEST_MODEL);
  // The card follows into the conversation, still downloading.
  await expect(card(page).getByRole('progressbar', { name: `Downloading ${name}` })).toBeVisible();
  hub.throttle(null);

  // Ready: the app offers to switch.
  const use = card(page).getByRole('button', { name: `Use ${name}` });
  await expect(use).toBeVisible({ timeout: 60_000 });
  await use.click();
  await expect(card(page)).toHaveCount(0);
  await expect(engineStatus(page)).toHaveAttribute('title', new RegExp(`^Model: ${name}$`, 'm'), { timeout: 150_000 });
  await waitForEngineReady(page);
  await newChatButton(page).click();
  const next = await ask(page, 'Hello again!');
  await expect(modelLabel(next)).toHaveText(name);

  // After a reload (no ?model= forcing the built-in one) the choice holds, and no card shows.
  await hub.close();
  await page.goto(`/?backend=${backend}&temperature=0`);
  await expect(engineStatus(page)).toHaveAttribute('title', new RegExp(`^Model: ${name}$`, 'm'), { timeout: 150_000 });
  await waitForEngineReady(page);
  await expect(page.getByRole('combobox', { name: 'Model' }).locator('option:checked')).toHaveText(name);
  await expect(card(page)).toHaveCount(0);
});

test('a Hub that cannot be used: the card names the cause and the built-in model answers', async ({ page, backend }) => {
  test.skip(backend !== 'wasm', 'the download path does not depend on the backend');
  await openApp(page, { backend });
  await waitForEngineReady(page, backend);

  // Nothing listens at the Hub URL.
  const gone = await startHubServer();
  const goneUrl = gone.url;
  await gone.close();
  await setHubUrl(page, goneUrl);
  const name = await recommendedName(page);
  await card(page).getByRole('button', { name: `Download ${name}` }).click();
  await expect(card(page).getByRole('alert')).toContainText(`The Hub at ${new URL(goneUrl).host} could not be reached`);
  await expect(card(page).getByRole('alert')).toContainText('The built-in model still answers');

  // A Hub that answers but does not allow this site (no CORS headers).
  hub.cors(false);
  await setHubUrl(page, hub.url);
  await card(page).getByRole('button', { name: `Download ${name}` }).click();
  await expect(card(page).getByRole('alert')).toContainText('(CORS)');

  const reply = await ask(page, 'Hello!');
  expect(await messageText(reply)).not.toBe('');
  await expect(modelLabel(reply)).toHaveText(TEST_MODEL);
});
