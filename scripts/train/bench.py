# Measures training throughput (tokens/s, bf16 autocast, 2 threads) for candidate model
# sizes on random tokens, to choose the size that fits the time budget.
# Usage: /usr/bin/python3 -m scripts.train.bench [--steps 15]
import argparse
import json
import time

import torch

from scripts.train.model import GPT, GPTConfig, lm_loss

CANDIDATES = [
    dict(n_layer=4, n_embd=192, n_head=6),
    dict(n_layer=6, n_embd=192, n_head=6),
    dict(n_layer=4, n_embd=256, n_head=8),
    dict(n_layer=6, n_embd=256, n_head=8),
    dict(n_layer=8, n_embd=256, n_head=8),
]


def bench(cfg, steps, bsz, ctx):
    torch.manual_seed(0)
    m = GPT(cfg)
    opt = torch.optim.AdamW(m.parameters(), lr=1e-4)
    x = torch.randint(0, cfg.vocab_size, (bsz, ctx + 1))
    times = []
    for i in range(steps + 3):
        t = time.time()
        with torch.autocast("cpu", dtype=torch.bfloat16):
            logits = m(x[:, :-1])
        loss = lm_loss(logits, x[:, 1:])
        opt.zero_grad()
        loss.backward()
        opt.step()
        if i >= 3:
            times.append(time.time() - t)
    times.sort()
    med = times[len(times) // 2]
    return m.num_params(), bsz * ctx / med


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--steps", type=int, default=15)
    ap.add_argument("--vocab", type=int, default=8192)
    ap.add_argument("--ctx", type=int, default=256)
    ap.add_argument("--bsz", type=int, default=16)
    args = ap.parse_args()
    torch.set_num_threads(2)
    for c in CANDIDATES:
        cfg = GPTConfig(vocab_size=args.vocab, n_positions=args.ctx, **c)
        n, rate = bench(cfg, args.steps, args.bsz, args.ctx)
        print(json.dumps({**c, "vocab": args.vocab, "ctx": args.ctx, "params_M": round(n / 1e6, 2), "tok_s": round(rate)}), flush=True)


if __name__ == "__main__":
    main()
