// The catalog's Hub models, as tiny random-weight stand-ins in their repositories' exact file layout
// (tests/fixtures/catalog, made by scripts/make_catalog_fixtures.py), served by the test Hub server:
// transformers.js downloads each through the Hub's URL layout and generates with the dtype the
// catalog uses on WASM and with the one it uses on WebGPU (q4f16, run on the CPU here), and Llama
// 3.2's fp32 file loads with its external data (model.onnx_data).
// The chat is rendered as the app renders it (workers/chatTemplate.ts): Gemma 3's template comes
// from chat_template.jinja, Qwen3's with its thinking pass turned off.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { env, AutoTokenizer, AutoModelForCausalLM } from '@huggingface/transformers';
import { startHubServer, CATALOG_FIXTURES, type HubServer } from '../fixtures/hub-server.mjs';
import { applyChat, ensureChatTemplate } from '../../workers/chatTemplate';
import { planHubDownload } from '../../src/models/hub';

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
  await ensureChatTemplate(tok, async (file) => {
    const res = await fetch(`${hub.url}/${repo}/resolve/main/${file}`);
    return res.ok ? res.text() : null;
  });
  const model = await AutoModelForCausalLM.from_pretrained(repo, { dtype: dtype as any });
  try {
    const inputs = applyChat(tok, [{ role: 'user', content: 'Hello!' }], { return_dict: true });
    const out = (await model.generate({ ...inputs, max_new_tokens: 5, min_new_tokens: 5, do_sample: false })) as any;
    return { prompt: tok.decode(inputs.input_ids.tolist()[0].map(Number)), newTokens: out.dims[1] - inputs.input_ids.dims[1] };
  } finally {
    await model.dispose();
  }
}

/** How each family's real template renders the user's "Hello!" and opens the reply. */
function turnMarkers(repo: string): RegExp {
  if (repo.includes('Llama-3.2')) return /<\|start_header_id\|>user<\|end_header_id\|>\n\nHello!<\|eot_id\|>/;
  if (repo.includes('gemma-3')) return /^<bos><start_of_turn>user\nHello!<end_of_turn>\n<start_of_turn>model\n$/;
  if (repo.includes('Qwen3')) return /<\|im_start\|>user\nHello!<\|im_end\|>\n<\|im_start\|>assistant\n<think>\n\n<\/think>\n\n$/;
  return /<\|im_start\|>user\nHello!<\|im_end\|>/;
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
      expect(prompt).toMatch(turnMarkers(m.repo));
    }, 60_000);
  }

  it("the app's download plan takes the chat template file and the external data, not unused files", async () => {
    const paths = async (repo: string, dtype: string) =>
      (await planHubDownload({ hubUrl: hub.url, repo, revision: 'main' }, dtype)).files.map((f) => f.path).sort();
    expect(await paths('onnx-community/gemma-3-270m-it-ONNX', 'q4')).toEqual(
      ['chat_template.jinja', 'config.json', 'generation_config.json', 'onnx/model_q4.onnx', 'onnx/model_q4.onnx_data', 'tokenizer.json', 'tokenizer_config.json'],
    );
    // Qwen3's vocab.json and merges.txt repeat tokenizer.json: transformers.js does not read them.
    expect(await paths('onnx-community/Qwen3-0.6B-ONNX', 'q8')).toEqual(
      ['config.json', 'generation_config.json', 'onnx/model_quantized.onnx', 'tokenizer.json', 'tokenizer_config.json'],
    );
  });

  it('Gemma 3 loads its q4 weights from their external data file', async () => {
    const { newTokens } = await reply('onnx-community/gemma-3-1b-it-ONNX', 'q4');
    expect(newTokens).toBe(5);
    expect(hub.requests.some((r) => r.path.endsWith('gemma-3-1b-it-ONNX/resolve/main/onnx/model_q4.onnx_data'))).toBe(true);
  }, 60_000);

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
