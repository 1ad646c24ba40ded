// Every Hub model of the catalog, end to end against the test Hub (tiny random-weight stand-ins in
// the repositories' exact file layout, tests/fixtures/catalog): with the Hub URL pointed at the
// fixture server, the catalog entry downloads the files of its WASM dtype, "Use" loads it, and it
// answers (noise: the weights are random). Llama (SmolLM2, Llama 3.2) and Qwen2 graphs, the real
// chat templates and tokenizer special tokens all go through the app's own download and engine.
// Not yet seen passing: when it was written the build machine's load was ~35 on 2 cores and even
// the test model's warm-up (before any catalog step) timed out, so it is marked fixme until one
// green run (HEARTH_E2E_CATALOG=1 runs it). tests/model/catalog-fixtures.test.ts covers the same
// fixtures through the test Hub in transformers.js (Node) and passes.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startHubServer, CATALOG_FIXTURES, type HubServer } from '../fixtures/hub-server.mjs';
import { ask, engineStatus, expect, messageText, openApp, test, waitForEngineReady } from './helpers';
import { ROOT } from './pwa-helpers';

const catalog = JSON.parse(readFileSync(join(ROOT, 'models', 'catalog.json'), 'utf8'));
const hubModels: { name: string; repo: string; dtypes: { wasm: string } }[] = catalog.models.filter((m: any) => m.source === 'hub');

let hub: HubServer;
test.beforeEach(async () => {
  hub = await startHubServer({ repos: CATALOG_FIXTURES });
});
test.afterEach(async () => {
  await hub.close().catch(() => undefined);
});

for (const m of hubModels) {
  test(`catalog model ${m.name}: download from the Hub, use, reply`, async ({ page, backend }) => {
    test.skip(backend !== 'wasm', 'fixtures run on WASM (the WebGPU adapter here is a slow software one)');
    test.fixme(!process.env.HEARTH_E2E_CATALOG, 'not yet seen passing (see the header)');
    await openApp(page, { backend });
    await waitForEngineReady(page, backend);
    await page.getByRole('button', { name: 'Models', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'Models' });
    const hubField = dialog.getByRole('textbox', { name: 'Hub URL' });
    await hubField.fill(hub.url);
    await hubField.press('Tab');
    const item = dialog.getByRole('listitem', { name: m.name });
    await item.getByRole('button', { name: 'Download' }).click();
    await expect(item).toHaveAttribute('data-status', 'installed', { timeout: 60_000 });
    const onnx = `onnx/model${{ q8: '_quantized', q4: '_q4', fp32: '' }[m.dtypes.wasm] ?? ''}.onnx`;
    expect(hub.requests.some((r) => r.path.endsWith(`${m.repo}/resolve/main/${onnx}`))).toBe(true);
    await item.getByRole('button', { name: 'Use', exact: true }).click();
    await expect(item).toContainText('In use');
    await dialog.getByRole('button', { name: 'Close', exact: true }).click();
    await expect(engineStatus(page)).toHaveAttribute('data-state', 'ready', { timeout: 120_000 });
    const reply = await ask(page, 'Hello!');
    expect(await messageText(reply)).not.toBe('');
  });
}
