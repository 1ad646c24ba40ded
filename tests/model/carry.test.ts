// Carrying an unfinished run to another machine (scripts/train/carry.py): an interrupted run is
// packed (fp16 safetensors + JSON, no pickle), unpacked into a new work folder, and the trainer
// resumes it at the same step with the same weights (to fp16), sampler and torch random state,
// re-warming the learning rate because the optimizer state stayed behind. Unpacking never
// overwrites a run and refuses what is not a packed run. Needs the pipeline's Python (.venv/).
import { describe, it, expect } from 'vitest';
import path from 'node:path';
import fs from 'node:fs';
import os from 'node:os';
import { spawnSync } from 'node:child_process';
import { findPython } from './python';

const REPO = path.resolve(__dirname, '../..');
const PY = findPython();

const CODE = `
import json, os, sys, numpy as np, torch
from scripts.train.llama import HearthLlama, LlamaCfg
from scripts.train.trainer import Mixture, train
from scripts.train.carry import pack, unpack
tmp = sys.argv[1]
w1, w2, dest = (os.path.join(tmp, n) for n in ("w1", "w2", "packed"))
cfg = LlamaCfg(vocab_size=64, n_positions=16, n_embd=32, n_layer=1, n_head=4, n_kv_head=2, intermediate=48)
ids = np.random.default_rng(0).integers(0, 64, 4000).astype(np.uint16)
def mix():
    return Mixture([("x", ids, np.ones_like(ids, dtype=np.uint8), None, 1.0)], 16, 0)
class Stop(Exception):
    pass
def stop_at(n):
    def log(msg):
        if f"step {n}/" in msg:
            raise Stop()
    return log
def run(work, stop):
    torch.manual_seed(0)
    model = HearthLlama(cfg)
    try:
        train(model, mix(), os.path.join(work, "pretrain"), 40, 2, 1e-3, warmup=4, use_mask=False, log=stop_at(stop),
              log_every=4, ckpt_every=5, schedule="wsd", eval_fn=None)
    except Stop:
        pass
    return [json.loads(l) for l in open(os.path.join(work, "pretrain", "log.jsonl"))]
os.makedirs(os.path.join(w1, "tokenizer"))
open(os.path.join(w1, "tokenizer", "tokenizer.json"), "w").write('{"model": "stand-in"}')
run(w1, 8)  # interrupted at step 8; its last checkpoint is step 5
ck1 = torch.load(os.path.join(w1, "pretrain", "ckpt.pt"), map_location="cpu", weights_only=False)
state = pack(w1, dest)
files = sorted(os.listdir(dest))
unpack(dest, w2)
ck2 = torch.load(os.path.join(w2, "pretrain", "ckpt.pt"), map_location="cpu", weights_only=False)
rel = max(float(((ck2["model"][k] - v).abs().max() / v.abs().max().clamp(min=1e-12))) for k, v in ck1["model"].items())
tied = ck2["model"]["hf.lm_head.weight"].data_ptr() == ck2["model"]["hf.model.embed_tokens.weight"].data_ptr()
msgs = []
torch.manual_seed(0)
model = HearthLlama(cfg)
train(model, mix(), os.path.join(w2, "pretrain"), 40, 2, 1e-3, warmup=4, use_mask=False, log=msgs.append,
      log_every=4, ckpt_every=5, schedule="wsd", eval_fn=None)
resumed = [json.loads(l) for l in open(os.path.join(w2, "pretrain", "log.jsonl"))]
errors = {}
for name, fn in (("again", lambda: unpack(dest, w2)), ("foreign", lambda: unpack(os.path.join(w1, "tokenizer"), os.path.join(tmp, "w3")))):
    try:
        fn()
    except SystemExit as e:
        errors[name] = str(e)
    except Exception as e:
        errors[name] = type(e).__name__ + ": " + str(e)
print(json.dumps({"files": files, "state_step": state["step"], "dtype": state["weights_dtype"],
    "step2": ck2["step"], "opt2": ck2["opt"], "rel": rel, "tied": tied,
    "mixture_same": ck1["mixture"] == ck2["mixture"], "rng_same": torch.equal(ck1["torch_rng"], ck2["torch_rng"]),
    "carried": ck2["extra"].get("carried"), "seconds_same": ck1["extra"]["train_seconds"] == ck2["extra"]["train_seconds"],
    "msgs": [m for m in msgs if "resumed" in m], "resumed": [r for r in resumed if "lr" in r], "errors": errors}))
`;

describe('carry: an unfinished run moves to a new work folder', () => {
  it('packs, unpacks and resumes with a re-warmed learning rate', () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'hearth-carry-'));
    try {
      const r = spawnSync(PY, ['-c', CODE, tmp], {
        cwd: REPO, encoding: 'utf8', timeout: 300_000, env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' },
      });
      expect(r.stderr).toBe(r.status === 0 ? r.stderr : '');
      const out = JSON.parse(r.stdout);
      expect(out.files).toEqual(['log.jsonl', 'model.safetensors', 'state.json', 'tokenizer']);
      expect(out.state_step).toBe(5);
      expect(out.dtype).toBe('float16');
      // the unpacked checkpoint: same step, weights to fp16 precision, tied output, same random states
      expect(out.step2).toBe(5);
      expect(out.opt2).toEqual([]);
      expect(out.rel).toBeGreaterThan(0); // fp16 rounding happened...
      expect(out.rel).toBeLessThan(1e-3); // ...and nothing more
      expect(out.tied).toBe(true);
      expect(out.mixture_same).toBe(true);
      expect(out.rng_same).toBe(true);
      expect(out.carried).toBe(true);
      expect(out.seconds_same).toBe(true);
      expect(out.msgs).toHaveLength(1);
      expect(out.msgs[0]).toContain('resumed from step 5');
      expect(out.msgs[0]).toContain('re-warming the learning rate: the checkpoint has no optimizer state');
      // log.jsonl carries the first machine's records (steps 4, 8) then the resumed run's
      const lr = (step: number, from: number) => out.resumed.filter((x: any) => x.step === step)[from].lr;
      expect(out.resumed.map((x: any) => x.step).slice(0, 3)).toEqual([4, 8, 8]);
      // step 8 on the first machine ran at the stable rate; resumed at step 5 with a 4-step
      // re-warm, step 8 (computed at step 7) runs at 3/4 of it
      expect(lr(8, 0)).toBeCloseTo(1e-3, 12);
      expect(lr(8, 1)).toBeCloseTo(0.75e-3, 12);
      expect(out.resumed.at(-1).step).toBe(40);
      expect(out.errors.again).toMatch(/ckpt\.pt exists; unpack into a new work folder/);
      expect(out.errors.foreign).toMatch(/not a carried run \(no state\.json\)/);
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  }, 300_000);
});
