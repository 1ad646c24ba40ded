// Chrome's built-in AI (Prompt API) through the UI, with the documented API's fake injected into
// the page (tests/fixtures/fakeLanguageModel.ts; headless Chromium has no Gemini Nano): where
// Chrome says the model is downloadable, Models offers it; Download (a click, as Chrome requires)
// shows Chrome's progress, Use switches to it, and a chat is answered by it through the same
// engine interface, labelled with the browser backend. Where Chrome has no model, it is not offered.
import { installFakeLanguageModel, type FakeLanguageModelConfig } from '../fixtures/fakeLanguageModel';
import { ask, engineStatus, expect, messageText, openApp, test, waitForEngineReady } from './helpers';

const NAME = 'Chrome built-in AI (Gemini Nano)';

test('Download, Use and chat with Chrome’s built-in AI', async ({ page, backend }) => {
  test.skip(backend !== 'wasm', 'the browser’s model does not depend on the backend');
  await page.addInitScript(installFakeLanguageModel, { availability: 'downloadable', downloadSteps: 5, downloadStepMs: 400 } satisfies FakeLanguageModelConfig);
  await openApp(page, { backend });
  await waitForEngineReady(page, backend);

  await page.getByRole('button', { name: 'Models', exact: true }).click();
  const dialog = page.getByRole('dialog', { name: 'Models' });
  const item = dialog.getByRole('listitem', { name: NAME });
  await expect(item).toContainText('Not downloaded');
  await item.getByRole('button', { name: 'Download', exact: true }).click();
  await expect(item.getByRole('progressbar', { name: `Downloading ${NAME}` })).toBeVisible();
  await item.getByRole('button', { name: 'Use', exact: true }).click();
  await expect(item).toContainText('In use');
  await dialog.getByRole('button', { name: 'Close', exact: true }).click();

  await expect(engineStatus(page)).toHaveAttribute('data-backend', 'browser');
  await expect(engineStatus(page)).toHaveAttribute('data-state', 'ready');
  await expect(page.getByRole('combobox', { name: 'Model' }).locator('option:checked')).toHaveText(NAME);
  const reply = await ask(page, 'Hello, who are you?');
  expect(await messageText(reply)).toBe('Nano says: Hello, who are you?');
});

test('not offered where Chrome has no built-in model', async ({ page, backend }) => {
  test.skip(backend !== 'wasm', 'the browser’s model does not depend on the backend');
  await page.addInitScript(installFakeLanguageModel, { availability: 'unavailable' } satisfies FakeLanguageModelConfig);
  await openApp(page, { backend });
  await page.getByRole('button', { name: 'Models', exact: true }).click();
  const list = page.getByRole('dialog', { name: 'Models' }).getByRole('list', { name: 'Models' });
  await expect(list.getByRole('listitem').first()).toBeVisible();
  await expect(list.getByRole('listitem', { name: NAME })).toHaveCount(0);
});
