// Backend "Auto" in a Chromium without WebGPU (the wasm project starts Chromium without
// --enable-unsafe-webgpu, so navigator.gpu offers no adapter): choosing Auto ends on WASM, and the
// app says why (status line and Settings); choosing WASM itself needs no reason.
import { changeSettings, engineStatus, expect, messageBox, test, TEST_MODEL } from './helpers';

const REASON = /no WebGPU adapter/;

test('Auto without a WebGPU adapter runs on WASM and says why', async ({ page }) => {
  // No ?backend=: the Backend setting decides.
  await page.goto(`/?model=${TEST_MODEL}&temperature=0`);
  await expect(messageBox(page)).toBeVisible();
  expect(await page.evaluate(async () => !!(await (navigator as Navigator & { gpu?: { requestAdapter(): Promise<unknown> } }).gpu?.requestAdapter()))).toBe(false);
  const status = engineStatus(page);

  // (A backend chosen while the model loads applies to the next load only: let this one finish.)
  await expect(status).toHaveAttribute('data-state', 'ready', { timeout: 150_000 });

  // WASM chosen: WASM, nothing to explain.
  await changeSettings(page, { backend: 'WASM' });
  await expect(status).not.toHaveAttribute('title', REASON, { timeout: 150_000 });
  await expect(status).toHaveAttribute('data-state', 'ready', { timeout: 150_000 });
  await expect(status).toHaveAttribute('data-backend', 'wasm');

  // Auto: the model loads again, on WASM, and the status line and Settings say why.
  await changeSettings(page, { backend: 'Auto' });
  await expect(status).toHaveAttribute('title', REASON, { timeout: 150_000 });
  await expect(status).toHaveAttribute('data-state', 'ready');
  await expect(status).toHaveAttribute('data-backend', 'wasm');
  // Auto that will not use WebGPU runs in the WASM-only engine worker (onnxruntime-web/wasm).
  const engineWorkers = () => page.workers().map((w) => new URL(w.url()).pathname).filter((u) => /engine[.-]/.test(u));
  await expect.poll(engineWorkers).toEqual([expect.stringMatching(/engine\.wasm\.worker/)]);
  await page.getByRole('button', { name: 'Settings', exact: true }).click();
  const dialog = page.getByRole('dialog', { name: 'Settings' });
  await expect(dialog.getByRole('combobox', { name: 'Backend' })).toHaveValue('auto');
  await expect(dialog).toContainText(/Running on\s*WASM/);
  await expect(dialog).toContainText(REASON);
});

// The webgpu project's Chromium offers SwiftShader, a software (fallback) WebGPU adapter: Auto
// must not take it (far slower than WASM); choosing WebGPU explicitly does (the other @webgpu tests).
test('Auto never takes a software WebGPU adapter @webgpu-only', async ({ page }) => {
  await page.goto(`/?model=${TEST_MODEL}&temperature=0`);
  await expect(messageBox(page)).toBeVisible();
  const adapter = await page.evaluate(async () => {
    const gpu = (navigator as Navigator & { gpu?: { requestAdapter(): Promise<{ info?: { isFallbackAdapter?: boolean }; isFallbackAdapter?: boolean } | null> } }).gpu;
    const a = await gpu?.requestAdapter();
    return a ? { fallback: Boolean(a.info?.isFallbackAdapter ?? a.isFallbackAdapter) } : null;
  });
  expect(adapter).toEqual({ fallback: true });
  const status = engineStatus(page);
  await expect(status).toHaveAttribute('data-state', 'ready', { timeout: 150_000 });
  await changeSettings(page, { backend: 'Auto' });
  await expect(status).toHaveAttribute('title', /software one/, { timeout: 150_000 });
  await expect(status).toHaveAttribute('data-state', 'ready', { timeout: 150_000 });
  await expect(status).toHaveAttribute('data-backend', 'wasm');
  // (An explicit WebGPU choice on this adapter is what every other @webgpu test runs.)
});
