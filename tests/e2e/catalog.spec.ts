// Every Hub model of the catalog, end to end against the test Hub (tiny random-weight stand-ins in
// the repositories' exact file layout, tests/fixtures/catalog): with the Hub URL pointed at the
// fixture server, the catalog entry downloads the files of its WASM dtype, "Use" loads it, and it
// answers (noise: the weights are random). The model types of the catalog (llama for SmolLM2 and
// Llama 3.2, qwen2, qwen3, gemma3_text), their real chat templates (Gemma 3's in chat_template.jinja)
// and tokenizer special tokens all go through the app's own download and engine.
// One entry per kind of repository runs on WASM (architecture, WASM dtype, external data or not:
// SmolLM2 360M has 135M's layout, so CI time goes to the others); the first (SmolLM2, a Llama
// graph in q4f16) also on WebGPU, where the adapter here is SwiftShader, so that run asks for two
// tokens only.
// tests/model/catalog-fixtures.test.ts covers the same fixtures through the test Hub in
// transformers.js (Node).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startHubServer, CATALOG_FIXTURES, type HubServer } from '../fixtures/hub-server.mjs';
import { ask, changeSettings, engineStatus, expect, messageText, openApp, test, waitForEngineReady } from './helpers';
import { ROOT } from './pwa-helpers';

const catalog = JSON.parse(readFileSync(join(ROOT, 'models', 'catalog.json'), 'utf8'));
const allHub: { name: string; repo: string; dtypes: { wasm: string; webgpu: string } }[] = catalog.models.filter((m: any) => m.source === 'hub');
const fixture = (repo: string) => join(ROOT, 'tests', 'fixtures', 'catalog', repo);
const kind = (m: (typeof allHub)[number]) =>
  [JSON.parse(readFileSync(join(fixture(m.repo), 'config.json'), 'utf8')).model_type, m.dtypes.wasm, existsSync(join(fixture(m.repo), 'onnx', 'model.onnx_data'))].join();
const hubModels = allHub.filter((m, i) => allHub.findIndex((o) => kind(o) === kind(m)) === i);

let hub: HubServer;
test.beforeEach(async () => {
  hub = await startHubServer({ repos: CATALOG_FIXTURES });
});
test.afterEach(async () => {
  await hub.close().catch(() => undefined);
});

for (const [i, m] of hubModels.entries()) {
  const tag = i === 0 ? ' @webgpu' : '';
  test(`catalog model ${m.name}: download from the Hub, use, reply${tag}`, async ({ page, backend }) => {
    await openApp(page, { backend });
    await waitForEngineReady(page, backend);
    if (backend === 'webgpu') await changeSettings(page, { maxNewTokens: 2 });
    await page.getByRole('button', { name: 'Models', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'Models' });
    const hubField = dialog.getByRole('textbox', { name: 'Hub URL' });
    await hubField.fill(hub.url);
    await hubField.press('Tab');
    const item = dialog.getByRole('listitem', { name: m.name });
    await item.getByRole('button', { name: 'Download' }).click();
    await expect(item).toHaveAttribute('data-status', 'installed', { timeout: 60_000 });
    // A GPU without shader-f16 (SwiftShader here) cannot run half-precision weights: the app
    // downloads the WASM dtype's file for it instead.
    const shaderF16 = await page.evaluate(async () => {
      const gpu = (navigator as unknown as { gpu?: { requestAdapter(): Promise<{ features: Set<string> } | null> } }).gpu;
      return Boolean((await gpu?.requestAdapter())?.features.has('shader-f16'));
    });
    const dtype = backend === 'webgpu' && shaderF16 ? m.dtypes.webgpu : m.dtypes.wasm;
    const onnx = `onnx/model${{ q8: '_quantized', q4: '_q4', q4f16: '_q4f16', fp16: '_fp16', fp32: '' }[dtype] ?? ''}.onnx`;
    expect(hub.requests.some((r) => r.path.endsWith(`${m.repo}/resolve/main/${onnx}`))).toBe(true);
    if (existsSync(join(fixture(m.repo), 'chat_template.jinja'))) {
      expect(hub.requests.some((r) => r.path.endsWith(`${m.repo}/resolve/main/chat_template.jinja`))).toBe(true);
    }
    await item.getByRole('button', { name: 'Use', exact: true }).click();
    await expect(item).toContainText('In use');
    await dialog.getByRole('button', { name: 'Close', exact: true }).click();
    await expect(engineStatus(page)).toHaveAttribute('data-state', 'ready', { timeout: 120_000 });
    await expect(engineStatus(page)).toHaveAttribute('data-backend', backend);
    const reply = await ask(page, 'Hello!');
    expect(await messageText(reply)).not.toBe('');
  });
}
