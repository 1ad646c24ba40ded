// The training and export scripts run end to end on a tiny slice (`--smoke`): tokenizer ->
// pretrain -> chat fine-tune -> export -> eval, then LoRA fine-tune + re-export from the
// exported folder; both folders must load and generate in transformers.js.
// Needs the pipeline's Python environment: .venv/ made by `bash scripts/python-env.sh` (torch,
// transformers, tokenizers, onnx, onnxruntime; HEARTH_PYTHON overrides).
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import path from 'node:path';
import fs from 'node:fs';
import os from 'node:os';
import { spawnSync } from 'node:child_process';
import { env, AutoTokenizer, AutoModelForCausalLM } from '@huggingface/transformers';
import { findPython } from './python';
import { replyRules } from '../../workers/sampling';

const REPO = path.resolve(__dirname, '../..');


function run(py: string, args: string[]) {
  const r = spawnSync(py, args, { cwd: REPO, encoding: 'utf8', env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' } });
  if (r.status !== 0) throw new Error(`${args.join(' ')} failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

async function generates(dir: string) {
  env.localModelPath = path.dirname(dir) + '/';
  env.allowRemoteModels = false;
  const id = path.basename(dir);
  const tok = await AutoTokenizer.from_pretrained(id);
  for (const dtype of ['fp32', 'q8', 'q4'] as const) {
    const model = await AutoModelForCausalLM.from_pretrained(id, { dtype });
    const inputs = tok.apply_chat_template([{ role: 'user', content: 'Hi there!' }], { add_generation_prompt: true, return_dict: true }) as any;
    const out = (await model.generate({ ...inputs, max_new_tokens: 6, do_sample: false, min_new_tokens: 6 })) as any;
    expect(out.dims[1] - inputs.input_ids.dims[1], dtype).toBe(6);
    await model.dispose();
  }
}

describe('pipeline --smoke', () => {
  let tmp = '';
  let py = '';
  beforeAll(() => {
    py = findPython();
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'hearth-smoke-'));
  });
  afterAll(() => { if (tmp) fs.rmSync(tmp, { recursive: true, force: true }); });

  it('tokenizer -> pretrain -> sft -> export -> eval, then LoRA fine-tune and re-export', async () => {
    // a synthetic data folder in the shared data's formats (HEARTH_DATA to use real data)
    const data = process.env.HEARTH_DATA ?? path.join(tmp, 'data');
    if (!process.env.HEARTH_DATA) run(py, ['-m', 'scripts.train.make_smoke_data', data]);
    const out = path.join(tmp, 'smoke-model');
    run(py, ['-m', 'scripts.train.pipeline', '--smoke', '--data', data, '--work', path.join(tmp, 'work'), '--out', out,
      '--reply-penalty', '1.3', '--no-repeat-ngram', '3', '--guidance', '1.5', '--sft-weights', 'persona=0.25,oasst_qa=3', '--pretrain-weights', 'moby=0,sotu=2', '--precision', 'fp32']);
    // the fine-tune mix override is parsed and recorded with the run's arguments
    expect(JSON.parse(fs.readFileSync(path.join(tmp, 'work', 'args.json'), 'utf8')).sft_weights).toEqual({ persona: 0.25, oasst_qa: 3 });
    const bad = spawnSync(py, ['-m', 'scripts.train.pipeline', '--smoke', '--stages', 'none', '--work', path.join(tmp, 'bad'), '--sft-weights', 'persna=1'], { cwd: REPO, encoding: 'utf8' });
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toContain("unknown fine-tune source 'persna'");
    // the pretraining mix override reaches the sampler: Moby-Dick at weight 0 draws no windows
    const summary = JSON.parse(fs.readFileSync(path.join(tmp, 'work', 'summary.json'), 'utf8'));
    expect(Object.keys(summary.pretrain_mix)).toContain('sotu');
    expect(Object.keys(summary.pretrain_mix)).not.toContain('moby');
    // the introductions chats (scripts/train/make_identity_data.py) are fine-tune only: the fine-tune
    // draws from them, pretraining never does (so adding them left pretraining and the tokenizer as they were)
    expect(Object.keys(summary.pretrain_mix)).not.toContain('introductions');
    expect(summary.sft_mix.introductions).toBeGreaterThan(0);
    expect(summary.sft_mix.persona).toBeGreaterThan(0);
    // --precision overrides the trainer's choice from the CPU (bf16 autocast where it has bf16 instructions)
    expect(summary.pretrain.precision).toBe('fp32');
    expect(summary.sft.precision).toBe('fp32');
    // --optimizer: AdamW for every parameter by default (the shipped model's optimizer); 'muon' gives
    // the hidden matrices to Muon and the rest to AdamW; the choice is recorded
    expect(summary.pretrain.optimizer).toBe('adamw');
    expect(summary.sft.optimizer).toBe('adamw');
    const groups = JSON.parse(run(py, ['-c', [
      'import json',
      'from scripts.train.pipeline import optimizer_fn',
      'from scripts.train.llama import HearthLlama, LlamaCfg',
      'm = HearthLlama(LlamaCfg(vocab_size=64, n_positions=16, n_embd=32, n_layer=1, n_head=4, n_kv_head=2, intermediate=48))',
      'opts = optimizer_fn("muon", 1e-3, 0.02)(m)',
      'print(json.dumps({"adamw": optimizer_fn("adamw", 1e-3, 0.02) is None,',
      '  "muon": [[type(o).__name__, sum(len(g["params"]) for g in o.param_groups)] for o in opts],',
      '  "matrices": sum(p.dim() == 2 for n, p in m.named_parameters() if "embed" not in n),',
      '  "rest": sum(1 for n, p in m.named_parameters() if p.dim() < 2 or "embed" in n)}))',
    ].join('\n')]));
    expect(groups.adamw).toBe(true);
    expect(groups.muon).toEqual([['Muon', groups.matrices], ['AdamW', groups.rest]]);
    const badOpt = spawnSync(py, ['-m', 'scripts.train.pipeline', '--smoke', '--stages', 'none', '--work', path.join(tmp, 'bad'), '--optimizer', 'sgd'], { cwd: REPO, encoding: 'utf8' });
    expect(badOpt.status).not.toBe(0);
    expect(badOpt.stderr).toContain("invalid choice: 'sgd'");
    const badPre = spawnSync(py, ['-m', 'scripts.train.pipeline', '--smoke', '--stages', 'none', '--work', path.join(tmp, 'bad'), '--pretrain-weights', 'oasst_qa=1'], { cwd: REPO, encoding: 'utf8' });
    expect(badPre.stderr).toContain("unknown pretraining source 'oasst_qa'");
    for (const f of ['config.json', 'generation_config.json', 'tokenizer.json', 'tokenizer_config.json', 'golden.json',
      'eval.json', 'README.md', 'onnx/model.onnx', 'onnx/model_quantized.onnx', 'onnx/model_q4.onnx']) {
      expect(fs.existsSync(path.join(out, f)), f).toBe(true);
    }
    const ev = JSON.parse(fs.readFileSync(path.join(out, 'eval.json'), 'utf8'));
    // The reply rules the app reads (workers/sampling.ts, replyRules) are written where it reads them.
    const rules = (dir: string) => replyRules(JSON.parse(fs.readFileSync(path.join(dir, 'generation_config.json'), 'utf8')));
    expect(rules(out)).toEqual({ noRepeatNgram: 3, repetitionPenalty: 1.3, guidanceScale: 1.5 });
    // The card's app answers and app topic adherence were decoded under those rules.
    expect(ev.app_rules).toEqual({ ngram: 3, penalty: 1.3, guidance: 1.5 });
    expect(ev.topic_app.all.prompts).toBe(ev.topic.all.prompts);
    expect(ev.parity.fp32_tokens_equal).toBe(true);
    expect(ev.parity.loss_equal_3dp_fp32).toBe(true);
    // loss per byte (compares tokenizers) and topic adherence on held-out prompts are measured
    for (const r of Object.values(ev.heldout) as { bytes: number; fp32: { loss: number; tokens: number; nats_per_byte: number } }[]) {
      expect(r.bytes).toBeGreaterThan(r.fp32.tokens); // a byte-level BPE token covers at least one byte
      expect(r.fp32.nats_per_byte).toBeCloseTo((r.fp32.loss * r.fp32.tokens) / r.bytes, 9);
    }
    expect(ev.topic.all.prompts).toBeGreaterThan(0);
    expect(ev.topic.all.prompts).toBe(ev.topic.oasst.prompts + ev.topic.gpteacher.prompts + ev.topic.topicalchat.prompts + ev.topic.persona.prompts);
    // the people's own replies to the same prompts, counted by the same rule, are the reference
    const srcs = ['oasst', 'gpteacher', 'topicalchat', 'persona'].map((n) => ev.topic[n]);
    for (const r of srcs) {
      expect(r.human_on_topic).toBeGreaterThanOrEqual(0);
      expect(r.human_on_topic).toBeLessThanOrEqual(r.prompts);
    }
    expect(ev.topic.all.human_on_topic).toBe(srcs.reduce((n, r) => n + r.human_on_topic, 0));
    // who it says it is, as the app answers (scripts/eval/identity.py), counted from its own judged answers
    const ident = ev.identity_app as { prompts: number; hearth: number; other: number; answers: { prompt: string; answer: string; hearth: boolean; other: boolean }[] };
    expect(ident.prompts).toBe(3);
    expect(ident.answers.map((a) => a.prompt)).toEqual(['May I ask who I\'m talking to?', 'What do people call you?', 'Are you a chatbot?']);
    expect(ident.hearth).toBe(ident.answers.filter((a) => a.hearth).length);
    expect(ident.other).toBe(ident.answers.filter((a) => a.other).length);
    for (const a of ident.answers) expect(a.hearth).toBe(/\bhearth\b/i.test(a.answer));
    const card = fs.readFileSync(path.join(out, 'README.md'), 'utf8');
    expect(card).toContain('| source | prompts | greedy | as the app answers | human reply | previous model, greedy | previous model, as the app answers |');
    expect(card).toContain(`## Who it says it is\n\nAsked who it is in 3 phrasings that its identity chats never use (\`scripts/eval/identity.py\`), as the app answers: it names Hearth in ${ident.hearth}, another assistant or its maker in ${ident.other}.`);
    // the card names the sample prompts that its training chats also ask (the smoke run asks the first three)
    const asked = (ev.samples as { prompt: string }[]).map((x) => x.prompt);
    expect(asked).toEqual(['Hi! How are you today?', 'What is your name?', 'Can you recommend a good book?']);
    expect(card).toContain('Of these prompts, “Hi! How are you today?”, “What is your name?” are also a user turn of the chats');
    expect(card).toContain('the identity chats and introductions, and a small replay');
    // the card's recipe states the optimizer this run used (summary.json says adamw), not a fixed text
    expect(card).toContain('- AdamW for every parameter');
    expect(card).not.toContain('- Muon (`torch.optim.Muon`');
    expect(card).toContain("--pretrain-weights 'moby=0,sotu=2'");
    // a run whose stages recorded Muon gets the Muon recipe (card re-written on a copy of the output)
    const muonOut = path.join(tmp, 'muon-card');
    fs.cpSync(out, muonOut, { recursive: true });
    run(py, ['-c', [
      'import json, sys',
      'from scripts.eval.model_card import write_card',
      'res = json.load(open(sys.argv[1] + "/eval.json"))',
      'for stage in ("pretrain", "sft"): res["training"][stage]["optimizer"] = "muon"',
      'write_card(sys.argv[1], res, sys.argv[2])',
    ].join('\n'), muonOut, path.join(tmp, 'work')]);
    const muonCard = fs.readFileSync(path.join(muonOut, 'README.md'), 'utf8');
    expect(muonCard).toContain('- Muon (`torch.optim.Muon`');
    expect(muonCard).not.toContain('- AdamW for every parameter');
    // q8: down_proj (it reads the SwiGLU product) keeps int8 weights but multiplies in float; the
    // other projections quantize their activations (MatMulInteger)
    const q8 = JSON.parse(run(py, ['-c', [
      'import json, sys, onnx',
      'from onnx import numpy_helper',
      'm = onnx.load(sys.argv[1])',
      'inits = {i.name: numpy_helper.to_array(i) for i in m.graph.initializer}',
      'made = {o: n for n in m.graph.node for o in n.output}',
      'def int8_float(x):',
      '    mul = made.get(x); cast = mul and made.get(mul.input[0])',
      '    return bool(mul and mul.op_type == "Mul" and cast and cast.op_type == "Cast" and str(inits[cast.input[0]].dtype) == "int8")',
      'nodes = m.graph.node',
      'print(json.dumps({"layers": json.load(open(sys.argv[2]))["num_hidden_layers"],',
      '  "integer": sum(n.op_type == "MatMulInteger" for n in nodes),',
      '  "down_float": sum(n.op_type == "MatMul" and n.name.endswith("_float") and int8_float(n.input[1]) for n in nodes)}))',
    ].join('\n'), path.join(out, 'onnx/model_quantized.onnx'), path.join(out, 'config.json')]));
    expect(q8.down_float).toBe(q8.layers);
    expect(q8.integer).toBe(6 * q8.layers); // q, k, v, o, gate, up
    await generates(out);

    const convs = [
      { messages: [{ role: 'user', content: 'What is Hearth?' }, { role: 'assistant', content: 'A chat app that runs in your browser.' }] },
      { messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'Hello' }, { role: 'assistant', content: 'Hi!' }] },
    ];
    fs.writeFileSync(path.join(tmp, 'convs.json'), JSON.stringify(convs));
    const ft = path.join(tmp, 'smoke-ft');
    run(py, ['-m', 'scripts.train.finetune', '--model', out, '--data', path.join(tmp, 'convs.json'), '--out', ft,
      '--work', path.join(tmp, 'ft-work'), '--lora-rank', '4', '--steps', '4', '--bsz', '2']);
    const res = JSON.parse(fs.readFileSync(path.join(tmp, 'ft-work', 'result.json'), 'utf8'));
    expect(res.steps).toBe(4);
    const a = fs.readFileSync(path.join(out, 'onnx/model.onnx'));
    const b = fs.readFileSync(path.join(ft, 'onnx/model.onnx'));
    expect(a.equals(b)).toBe(false); // the merged LoRA update changed the weights
    expect(rules(ft)).toEqual(rules(out)); // a fine-tune keeps its source's reply rules
    await generates(ft);
  }, 600_000);
});
