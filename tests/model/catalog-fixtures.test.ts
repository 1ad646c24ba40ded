// The catalog's Hub models, as tiny random-weight stand-ins in their repositories' exact file layout
// (tests/fixtures/catalog, made by scripts/make_catalog_fixtures.py), served by the test Hub server:
// transformers.js downloads each through the Hub's URL layout and generates with the dtype the
// catalog uses on WASM and with the one it uses on WebGPU (q4f16, run on the CPU here), and Llama
// 3.2's fp32 file loads with its external data (model.onnx_data).
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { env, AutoTokenizer, AutoModelForCausalLM } from '@huggingface/transformers';
import { startHubServer, CATALOG_FIXTURES, type HubServer } from '../fixtures/hub-server.mjs';

const catalog = JSON.parse(fs.readFileSync(path.resolve(__dirname, '../../models/catalog.json'), 'utf8'));
const hubModels: { repo: string; dtypes: { wasm: string; webgpu: string } }[] = catalog.models.filter((m: any) => m.source === 'hub');

let hub: HubServer;
let cacheDir = '';
beforeAll(async () => {
  hub = await startHubServer({ repos: CATALOG_FIXTURES });
  cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hearth-catalog-'));
  env.allowRemoteModels = true;
  env.allowLocalModels = false;
  env.remoteHost = hub.url + '/';
  env.cacheDir = cacheDir;
});
afterAll(async () => {
  await hub?.close();
  if (cacheDir) fs.rmSync(cacheDir, { recursive: true, force: true });
  env.allowLocalModels = true;
});

async function reply(repo: string, dtype: string) {
  const tok = await AutoTokenizer.from_pretrained(repo);
  const model = await AutoModelForCausalLM.from_pretrained(repo, { dtype: dtype as any });
  try {
    const inputs = tok.apply_chat_template([{ role: 'user', content: 'Hello!' }], { add_generation_prompt: true, return_dict: true }) as any;
    const out = (await model.generate({ ...inputs, max_new_tokens: 5, min_new_tokens: 5, do_sample: false })) as any;
    return { prompt: tok.decode(inputs.input_ids.tolist()[0].map(Number)), newTokens: out.dims[1] - inputs.input_ids.dims[1] };
  } finally {
    await model.dispose();
  }
}

describe('catalog fixtures through the test Hub', () => {
  it('covers every Hub model of the catalog', () => {
    for (const m of hubModels) expect(CATALOG_FIXTURES[m.repo], m.repo).toBeDefined();
  });

  for (const m of hubModels) {
    it(`${m.repo}: downloads and generates with the WASM dtype (${m.dtypes.wasm})`, async () => {
      const { prompt, newTokens } = await reply(m.repo, m.dtypes.wasm);
      expect(newTokens).toBe(5);
      // the real chat template renders the turn with the model's own markers
      expect(prompt).toMatch(m.repo.includes('Llama-3.2') ? /<\|start_header_id\|>user<\|end_header_id\|>\n\nHello!<\|eot_id\|>/ : /<\|im_start\|>user\nHello!<\|im_end\|>/);
    }, 60_000);
  }

  // The half-precision weights every Hub model uses on WebGPU. The browser tests cannot run them on
  // WebGPU here (SwiftShader, the only adapter, lacks shader-f16, so the app takes the WASM file);
  // this checks each q4f16 file is a graph onnxruntime loads and decodes with (CPU kernels).
  for (const m of hubModels.filter((x) => x.dtypes.webgpu !== x.dtypes.wasm)) {
    it(`${m.repo}: generates with the WebGPU dtype's weights (${m.dtypes.webgpu}) on the CPU`, async () => {
      const before = hub.requests.length;
      const { newTokens } = await reply(m.repo, m.dtypes.webgpu);
      expect(newTokens).toBe(5);
      expect(hub.requests.slice(before).some((r) => r.path.endsWith(`onnx/model_${m.dtypes.webgpu}.onnx`))).toBe(true);
    }, 60_000);
  }

  it('Llama 3.2 fp32 loads with its external data file', async () => {
    const { newTokens } = await reply('onnx-community/Llama-3.2-1B-Instruct', 'fp32');
    expect(newTokens).toBe(5);
    expect(hub.requests.some((r) => r.path.endsWith('onnx/model.onnx_data'))).toBe(true);
  }, 60_000);
});
