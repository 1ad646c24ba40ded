// Resuming and extending a training run (scripts/train/trainer.py train): a warmup-stable-decay run
// keeps `stable.pt`, its last checkpoint before the decay, so a longer run can continue from it.
// Extending a finished run re-warms the learning rate; a small extension (progress already past the
// decay's start) must not overwrite stable.pt with the decayed weights, a large one saves a new one
// when it reaches its own decay. Needs the pipeline's Python (.venv/).
import { describe, it, expect } from 'vitest';
import path from 'node:path';
import fs from 'node:fs';
import os from 'node:os';
import { spawnSync } from 'node:child_process';
import { findPython } from './python';

const REPO = path.resolve(__dirname, '../..');
const PY = findPython();

describe('train: resume and extend', () => {
  it('keeps stable.pt from the first decay on a small extension and saves a new one on a large one', () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'hearth-resume-'));
    try {
      const code = `
import json, sys, numpy as np, torch
from scripts.train.llama import HearthLlama, LlamaCfg
from scripts.train.trainer import Mixture, train
out_dir = sys.argv[1]
cfg = LlamaCfg(vocab_size=64, n_positions=16, n_embd=32, n_layer=1, n_head=4, n_kv_head=2, intermediate=48)
ids = np.random.default_rng(0).integers(0, 64, 4000).astype(np.uint16)
def run(steps):
    torch.manual_seed(0)
    model = HearthLlama(cfg)
    mix = Mixture([("x", ids, np.ones_like(ids, dtype=np.uint8), None, 1.0)], 16, 0)
    train(model, mix, out_dir, steps, 2, 1e-3, warmup=2, use_mask=False, log=lambda m: None, ckpt_every=1000,
          schedule="wsd", eval_fn=None)
    st = torch.load(out_dir + "/stable.pt", map_location="cpu", weights_only=False)
    ck = torch.load(out_dir + "/ckpt.pt", map_location="cpu", weights_only=False)
    return {"stable_step": st["step"], "step": ck["step"], "done": bool(ck["extra"].get("done"))}
print(json.dumps([run(8), run(9), run(40)]))
`;
      const r = spawnSync(PY, ['-c', code, tmp], {
        cwd: REPO, encoding: 'utf8', timeout: 300_000, env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' },
      });
      expect(r.stderr).toBe(r.status === 0 ? r.stderr : '');
      const [first, small, large] = JSON.parse(r.stdout);
      // 8 steps: the decay starts at progress 0.75, step 6
      expect(first).toEqual({ stable_step: 6, step: 8, done: true });
      // 8 -> 9 steps: progress 8/9 is past 0.75, so stable.pt stays the first run's
      expect(small).toEqual({ stable_step: 6, step: 9, done: true });
      // 9 -> 40 steps: progress 9/40, so the run has a stable phase again and saves at step 30
      expect(large).toEqual({ stable_step: 30, step: 40, done: true });
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  }, 300_000);
});
