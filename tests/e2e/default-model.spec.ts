// The shipped default model (models/hearth-chat, whatever its architecture) answers in the browser
// on WASM when no ?model= picks another: a few tokens, non-empty. The words are not checked (the
// model may be replaced by a newer one).
import { changeSettings, engineStatus, expect, messageBox, messageText, ask, test } from './helpers';

test('the default model loads on WASM and replies', async ({ page, backend }) => {
  test.skip(backend !== 'wasm', 'one backend is enough here (SwiftShader is slow for a real model)');
  test.setTimeout(300_000); // a real model's first load on 2 shared cores
  await page.goto('/?backend=wasm');
  await expect(messageBox(page)).toBeVisible();
  const status = engineStatus(page);
  await expect(status).toHaveAttribute('data-state', 'ready', { timeout: 240_000 });
  await expect(status).toHaveAttribute('data-backend', 'wasm');
  await expect(status).toHaveAttribute('title', /^Model: hearth-chat$/m);
  await changeSettings(page, { maxNewTokens: 6 });
  const reply = await ask(page, 'Hello! What can you do?');
  expect((await messageText(reply)).trim()).not.toBe('');
});
