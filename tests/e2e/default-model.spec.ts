// The shipped default model (models/hearth-chat, whatever its architecture) answers in the browser
// on WASM when no ?model= picks another: a few tokens, non-empty. The words are not checked (the
// model may be replaced by a newer one). Also on WebGPU (the webgpu project, SwiftShader).
import { changeSettings, engineStatus, expect, messageBox, messageText, ask, test } from './helpers';

test('the default model loads on WASM and replies', async ({ page }) => {
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

// The same model on WebGPU (its catalog dtype there is fp32, which needs no shader-f16, so
// SwiftShader runs it): loads, runs on the GPU backend and replies. Two tokens: a software GPU.
test('the default model loads on WebGPU and replies @webgpu-only', async ({ page }) => {
  test.setTimeout(420_000);
  await page.goto('/?backend=webgpu');
  await expect(messageBox(page)).toBeVisible();
  const status = engineStatus(page);
  await expect(status).toHaveAttribute('data-state', 'ready', { timeout: 360_000 });
  await expect(status).toHaveAttribute('data-backend', 'webgpu');
  await expect(status).toHaveAttribute('title', /^Model: hearth-chat$/m);
  await changeSettings(page, { maxNewTokens: 2 });
  const reply = await ask(page, 'Hello!');
  expect((await messageText(reply)).trim()).not.toBe('');
});
