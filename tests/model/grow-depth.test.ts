// Depth growth (scripts/train/llama.py grow_depth, the pipeline's --grow-from): a deeper model
// built from a trained smaller one must compute the same logits, keep the old layers in order,
// start each added layer as the identity (zeroed output projections) and still learn: after one
// optimizer step the added layers' outputs move. Needs the pipeline's Python (.venv/).
import { describe, it, expect } from 'vitest';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { findPython } from './python';

const REPO = path.resolve(__dirname, '../..');
const PY = findPython();

function run(code: string): { ok: boolean; out: string; err: string } {
  const r = spawnSync(PY, ['-c', code], {
    cwd: REPO, encoding: 'utf8', timeout: 120_000,
    env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' },
  });
  return { ok: r.status === 0, out: r.stdout, err: r.stderr };
}

const SETUP = [
  'import json, torch',
  'from scripts.train.llama import HearthLlama, LlamaCfg, grow_depth',
  'torch.manual_seed(0)',
  'small_cfg = LlamaCfg(vocab_size=64, n_positions=32, n_embd=32, n_layer=2, n_head=4, n_kv_head=2, intermediate=48)',
  'small = HearthLlama(small_cfg)',
  // a "trained" small model: no zero matrices left, so the added layers are the only identities
  'with torch.no_grad():',
  '    for p in small.parameters(): p.add_(torch.randn_like(p) * 0.05)',
].join('\n');

describe('grow_depth', () => {
  it('keeps the function, the old layers in order, and starts added layers as the identity', () => {
    const r = run(`${SETUP}
ids = torch.randint(0, 64, (3, 20))
out = {}
for n in (3, 5):
    big, src = grow_depth(small, LlamaCfg(**{**small_cfg.to_dict(), "n_layer": n}))
    diff = float((big.eval()(ids) - small.eval()(ids)).abs().max())
    zero = [j for j, l in enumerate(big.hf.model.layers) if float(l.self_attn.o_proj.weight.abs().sum()) == 0 and float(l.mlp.down_proj.weight.abs().sum()) == 0]
    same_q = [torch.equal(big.hf.model.layers[j].self_attn.q_proj.weight, small.hf.model.layers[i].self_attn.q_proj.weight) for j, i in enumerate(src)]
    tied = big.hf.lm_head.weight.data_ptr() == big.hf.model.embed_tokens.weight.data_ptr()
    out[n] = {"src": src, "diff": diff, "zero": zero, "same_q": all(same_q), "tied": tied, "params": big.num_params()}
print(json.dumps(out))`);
    expect(r.err).toBe(r.ok ? r.err : '');
    const out = JSON.parse(r.out);
    expect(out['3'].src).toEqual([0, 1, 1]);
    expect(out['5'].src).toEqual([0, 0, 1, 1, 1]);
    expect(out['3'].zero).toEqual([2]);
    expect(out['5'].zero).toEqual([1, 3, 4]);
    for (const n of ['3', '5']) {
      expect(out[n].diff).toBeLessThan(1e-5);
      expect(out[n].same_q).toBe(true);
      expect(out[n].tied).toBe(true);
    }
    expect(out['5'].params).toBeGreaterThan(out['3'].params);
  });

  it('lets the added layers learn, and refuses to shrink or change the width', () => {
    const r = run(`${SETUP}
big, src = grow_depth(small, LlamaCfg(**{**small_cfg.to_dict(), "n_layer": 3}))
ids = torch.randint(0, 64, (4, 16))
opt = torch.optim.SGD(big.parameters(), lr=0.1)
loss = torch.nn.functional.cross_entropy(big(ids[:, :-1]).reshape(-1, 64), ids[:, 1:].reshape(-1))
loss.backward(); opt.step()
moved = float(big.hf.model.layers[2].self_attn.o_proj.weight.abs().sum()) > 0
errors = []
for bad in ({"n_layer": 1}, {"n_layer": 4, "n_embd": 64}):
    try:
        grow_depth(small, LlamaCfg(**{**small_cfg.to_dict(), **bad}))
        errors.append(None)
    except AssertionError as e:
        errors.append(str(e))
print(json.dumps({"moved": moved, "errors": errors}))`);
    expect(r.err).toBe(r.ok ? r.err : '');
    const out = JSON.parse(r.out);
    expect(out.moved).toBe(true);
    expect(out.errors[0]).toMatch(/cannot shrink 2 -> 1/);
    expect(out.errors[1]).toMatch(/n_embd differs/);
  });
});
