# Shared training loop: seeded window sampling from a weighted mixture of token streams,
# AdamW with warmup + cosine decay, bf16 autocast where the CPU computes bf16 natively (fp32
# elsewhere), optional torch.compile, JSON-lines logs (loss, tokens/s), periodic checkpoints and
# exact resume (model, optimizer, step, RNG state).
import json
import math
import os
import time

import numpy as np
import torch

from scripts.train.model import GPT, GPTConfig, lm_loss


def cpu_has_native_bf16():
    """bf16 autocast pays only on CPUs with bf16 instructions (AVX512-BF16, AMX). Without them
    PyTorch emulates it: measured 40x slower than fp32 on an AVX2-only EPYC (104 against 2342
    tokens/s for the 4.2M Llama, batch 8 x 512), so the default precision follows the CPU."""
    try:
        with open("/proc/cpuinfo") as f:
            flags = f.read()
    except OSError:
        return False
    return "avx512_bf16" in flags or "amx_bf16" in flags


class Mixture:
    """Random (ctx+1)-token windows from several streams, picked with probability
    proportional to tokens * weight. With doc starts, windows begin at a document start."""

    def __init__(self, streams, ctx, seed):
        # streams: list of (name, ids uint16, mask uint8, starts or None, weight)
        self.streams = [s for s in streams if len(s[1]) > ctx + 1 and s[4] > 0]
        self.ctx = ctx
        w = np.array([len(s[1]) * s[4] for s in self.streams], dtype=np.float64)
        self.p = w / w.sum()
        self.rng = np.random.default_rng(seed)

    def batch(self, bsz):
        T = self.ctx
        xs, ms = [], []
        which = self.rng.choice(len(self.streams), size=bsz, p=self.p)
        for k in which:
            _, ids, mask, starts, _ = self.streams[k]
            if starts is not None:
                st = starts[starts < len(ids) - T - 1]
                i = int(st[self.rng.integers(len(st))])
            else:
                i = int(self.rng.integers(0, len(ids) - T - 1))
            xs.append(ids[i:i + T + 1].astype(np.int64))
            ms.append(mask[i + 1:i + T + 1])
        x = torch.from_numpy(np.stack(xs))
        m = torch.from_numpy(np.stack(ms).astype(np.float32))
        return x[:, :-1], x[:, 1:], m

    def shares(self):
        """{stream name: share of the windows drawn from it} (streams of weight 0 are absent)."""
        return {s[0]: round(float(p), 4) for s, p in zip(self.streams, self.p)}

    def state(self):
        return self.rng.bit_generator.state

    def set_state(self, st):
        self.rng.bit_generator.state = st


def lr_at(step, progress, lr, warmup, min_ratio=0.1):
    """Linear warmup over `warmup` steps, then cosine decay to min_ratio*lr as progress goes 0 -> 1."""
    if step < warmup:
        return lr * (step + 1) / warmup
    return lr * (min_ratio + (1 - min_ratio) * 0.5 * (1 + math.cos(math.pi * min(1.0, progress))))


def wsd_at(step, progress, lr, warmup, decay_frac=0.25, min_ratio=0.0):
    """Warmup-stable-decay: linear warmup, constant, then linear decay to min_ratio*lr over the
    last `decay_frac` of progress (progress = max(step/steps, elapsed/budget))."""
    if step < warmup:
        return lr * (step + 1) / warmup
    start = 1.0 - decay_frac
    if progress <= start:
        return lr
    f = min(1.0, (progress - start) / decay_frac)
    return lr * (1.0 - (1.0 - min_ratio) * f)


def _fp32_newton_schulz():
    """torch.optim.Muon orthogonalises in bf16, which CPUs without bf16 instructions emulate
    (the whole step ran ~40x slower on an AVX2-only machine). There, swap in the same iteration
    in fp32 (torch's private helper, so only when it exists with the expected name)."""
    import torch.optim._muon as tm
    orig = getattr(tm, "_zeropower_via_newtonschulz", None)
    if orig is None or getattr(orig, "_hearth_fp32", False):
        return

    def ns_fp32(grad, ns_coefficients, ns_steps, eps):
        a, b, c = ns_coefficients
        x = grad.float()
        tall = x.size(0) > x.size(1)
        if tall:
            x = x.T
        x = x / x.norm().clamp(min=eps)
        for _ in range(ns_steps):
            g = x @ x.T
            x = torch.addmm(x, torch.addmm(g, g, g, beta=b, alpha=c), x, beta=a)
        return x.T if tall else x

    ns_fp32._hearth_fp32 = True
    tm._zeropower_via_newtonschulz = ns_fp32


def muon_adamw(model, lr, weight_decay=0.0, muon_lr=0.02, betas=(0.9, 0.95)):
    """Muon (torch.optim.Muon: Newton-Schulz orthogonalised momentum) for the hidden 2-D
    matrices; AdamW for the (tied) embedding and the RMSNorm gains. Each group keeps its own
    peak learning rate in "base_lr"; the schedule scales them together."""
    hidden, other = [], []
    for name, p in model.named_parameters():
        if not p.requires_grad:
            continue
        (hidden if p.dim() == 2 and "embed_tokens" not in name and "lm_head" not in name else other).append(p)
    seen, uniq = set(), []
    for p in other:  # tied lm_head / embedding appear once
        if id(p) not in seen:
            seen.add(id(p))
            uniq.append(p)
    if not cpu_has_native_bf16():
        _fp32_newton_schulz()
    muon = torch.optim.Muon(hidden, lr=muon_lr, weight_decay=weight_decay, momentum=0.95, nesterov=True)
    adam = torch.optim.AdamW([{"params": [p for p in uniq if p.dim() >= 2], "weight_decay": 0.0},
                              {"params": [p for p in uniq if p.dim() < 2], "weight_decay": 0.0}],
                             lr=lr, betas=betas, eps=1e-8)
    for o, base in ((muon, muon_lr), (adam, lr)):
        for g in o.param_groups:
            g["base_lr"] = base
    return [muon, adam]


def save_ckpt(path, model, opt, step, mixture, extra):
    tmp = path + ".tmp"
    opts = opt if isinstance(opt, (list, tuple)) else ([opt] if opt else [])
    torch.save({"model": model.state_dict(), "opt": [o.state_dict() for o in opts], "step": step,
                "cfg": model.cfg.to_dict(), "mixture": mixture.state() if mixture else None,
                "torch_rng": torch.get_rng_state(), "extra": extra}, tmp)
    os.replace(tmp, path)


def build_model(cfg):
    if cfg.get("arch") == "llama":
        from scripts.train.llama import HearthLlama, LlamaCfg
        return HearthLlama(LlamaCfg(**cfg), init=False)
    return GPT(GPTConfig(**cfg))


def load_model(path):
    ck = torch.load(path, map_location="cpu", weights_only=False)
    model = build_model(ck["cfg"])
    model.load_state_dict(ck["model"])
    return model, ck


def train(model, mixture, out_dir, steps, bsz, lr, warmup=100, weight_decay=0.1, log_every=10,
          ckpt_every=200, time_limit=None, use_mask=True, params=None, tag="train", log=print, bf16=None, eval_fn=None, eval_every=0, auto_threads=False, max_threads=2,
          opt_fn=None, schedule="cosine", compile=False):
    """Train `model` for `steps` steps; resumes from out_dir/ckpt.pt if present.
    Progress (which drives the cosine schedule) is max(step/steps, train_seconds/time_limit):
    without a binding time limit the run is fully deterministic; with one, the schedule
    compresses so the run still ends with a decayed learning rate inside the budget."""
    os.makedirs(out_dir, exist_ok=True)
    if bf16 is None:
        bf16 = cpu_has_native_bf16()
    # torch.compile (inductor, C++ on CPU): +43% tokens/s for the 4.2M Llama at 8 x 512 on 2
    # cores after ~40 s of compilation; evaluation keeps calling the eager module (other shapes).
    fwd = model
    if compile:
        try:
            fwd = torch.compile(model)
        except Exception as e:  # noqa: BLE001 - eager is always a correct fallback
            log(f"[{tag}] torch.compile unavailable ({e}); training eagerly")
    log(f"[{tag}] precision {'bf16 autocast' if bf16 else 'fp32'}, {'compiled' if fwd is not model else 'eager'}")
    ckpt = os.path.join(out_dir, "ckpt.pt")
    params = params if params is not None else [p for p in model.parameters() if p.requires_grad]
    decay = [p for p in params if p.dim() >= 2]
    no_decay = [p for p in params if p.dim() < 2]
    if opt_fn is not None:
        opts = opt_fn(model)
    else:
        opts = [torch.optim.AdamW([{"params": decay, "weight_decay": weight_decay},
                                   {"params": no_decay, "weight_decay": 0.0}], lr=lr, betas=(0.9, 0.95), eps=1e-8)]
        for g in opts[0].param_groups:
            g["base_lr"] = lr
    step, prev_secs, tokens = 0, 0.0, 0
    rewarm_from = None  # set when a finished (decayed) run is extended with a larger budget
    if os.path.exists(ckpt):
        ck = torch.load(ckpt, map_location="cpu", weights_only=False)
        model.load_state_dict(ck["model"])
        if ck.get("opt"):
            saved = ck["opt"] if isinstance(ck["opt"], list) else [ck["opt"]]
            for o, st in zip(opts, saved):
                base = [g["base_lr"] for g in o.param_groups]
                o.load_state_dict(st)
                for g, b in zip(o.param_groups, base):
                    g["base_lr"] = b
        step = ck["step"]
        if ck.get("mixture"):
            mixture.set_state(ck["mixture"])
        torch.set_rng_state(ck["torch_rng"])
        prev_secs = ck["extra"].get("train_seconds", 0.0)
        tokens = ck["extra"].get("tokens", 0)
        why = None
        if ck["extra"].get("done"):
            why = "the saved run had finished its decay"
        elif step > 0 and not ck.get("opt"):
            # a carried checkpoint (scripts/train/carry.py) has no optimizer state: fresh AdamW
            # moments at the full rate would jolt the weights, so ramp up as after a warm-up
            why = "the checkpoint has no optimizer state"
        if why:
            rewarm_from = step
        log(f"[{tag}] resumed from step {step} ({prev_secs:.0f}s trained)"
            + (f", re-warming the learning rate: {why}" if why else ""))
    logf = open(os.path.join(out_dir, "log.jsonl"), "a")
    model.train()
    t0 = time.time()
    t_last, tok_last = t0, tokens
    start_step = step

    def progress():
        p = step / steps
        if time_limit:
            p = max(p, (prev_secs + time.time() - t0) / time_limit)
        return p

    def extra():
        return {"tag": tag, "train_seconds": prev_secs + time.time() - t0, "tokens": tokens, "steps": steps}

    # On a shared 2-core machine one thread can beat two (OpenMP barriers wait for descheduled
    # threads). With auto_threads, every 100 steps try the other count for 10 steps and keep
    # whichever has the lower recent seconds/step.
    n_threads = torch.get_num_threads()
    step_time = {}
    # Saved once per run as it enters the decay. A run resumed inside its decay keeps the one it has,
    # and so does a finished run extended by less than a third (it re-warms, but its progress is
    # already past 0.75: saving now would store the decayed weights as "stable").
    stable_saved = progress() >= 0.75
    explore_until, t_step = -1, time.time()
    while step < steps and progress() < 1.0:
        if auto_threads and max_threads > 1:
            if step % 100 == 50 and step > start_step:
                explore_until = step + 10
                n_threads = 1 if n_threads == max_threads else max_threads
                torch.set_num_threads(n_threads)
            elif step == explore_until:
                best = min(step_time, key=step_time.get)
                if best != n_threads:
                    n_threads = best
                    torch.set_num_threads(n_threads)
        cur = (wsd_at if schedule == "wsd" else lr_at)(step, progress(), lr, warmup)
        if rewarm_from is not None:
            # Extending a decayed run: ramp back up over `warmup` steps rather than jumping from
            # ~0 to the stable rate (the usual way to continue a warmup-stable-decay run).
            cur *= min(1.0, (step - rewarm_from + 1) / max(1, warmup))
        if schedule == "wsd" and not stable_saved and progress() >= 0.75:
            # The last checkpoint before the decay: a later, longer run can continue from it.
            save_ckpt(os.path.join(out_dir, "stable.pt"), model, opts, step, mixture, extra())
            stable_saved = True
        for o in opts:
            for gr in o.param_groups:
                gr["lr"] = gr["base_lr"] * cur / lr
        x, y, m = mixture.batch(bsz)
        with torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16):
            logits = fwd(x)
        loss = lm_loss(logits, y, m if use_mask else None)
        for o in opts:
            o.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        for o in opts:
            o.step()
        step += 1
        tokens += x.numel()
        now = time.time()
        dt, t_step = now - t_step, now
        step_time[n_threads] = dt if n_threads not in step_time else 0.8 * step_time[n_threads] + 0.2 * dt
        if step % log_every == 0 or step == steps:
            now = time.time()
            rate = (tokens - tok_last) / max(1e-9, now - t_last)
            rec = {"tag": tag, "step": step, "loss": round(loss.item(), 4), "lr": cur, "progress": round(progress(), 4),
                   "tok_s": round(rate), "threads": n_threads, "train_seconds": round(prev_secs + now - t0, 1), "tokens": tokens}
            logf.write(json.dumps(rec) + "\n")
            logf.flush()
            log(f"[{tag}] step {step}/{steps} loss {loss.item():.4f} lr {cur:.2e} {rate:.0f} tok/s")
            t_last, tok_last = now, tokens
        if eval_fn is not None and eval_every and step % eval_every == 0:
            rec = {"tag": tag, "step": step, "eval": eval_fn(model)}
            logf.write(json.dumps(rec) + "\n")
            logf.flush()
            log(f"[{tag}] eval at step {step}: {rec['eval']}")
        if step % ckpt_every == 0:
            save_ckpt(ckpt, model, opts, step, mixture, extra())
        t_step = time.time()  # evaluation / checkpoint time does not count as step time
    save_ckpt(ckpt, model, opts, step, mixture, {**extra(), "done": True})
    logf.close()
    return {"steps": step, "tokens": tokens, "train_seconds": prev_secs + time.time() - t0,
            "precision": "bf16 autocast" if bf16 else "fp32", "compiled": fwd is not model}


@torch.no_grad()
def eval_loss(model, ids, mask, ctx, bsz=16, use_mask=True, max_tokens=None):
    """Mean per-token loss over a held-out stream, non-overlapping ctx windows, fp32."""
    model.eval()
    n = len(ids) - 1
    if max_tokens:
        n = min(n, max_tokens)
    tot, cnt = 0.0, 0.0
    wins = [(i, min(i + ctx, n)) for i in range(0, n, ctx)]
    for b in range(0, len(wins), bsz):
        chunk = wins[b:b + bsz]
        L = max(e - s for s, e in chunk)
        x = np.zeros((len(chunk), L), dtype=np.int64)
        y = np.zeros((len(chunk), L), dtype=np.int64)
        w = np.zeros((len(chunk), L), dtype=np.float32)
        for r, (s, e) in enumerate(chunk):
            x[r, :e - s] = ids[s:e]
            y[r, :e - s] = ids[s + 1:e + 1]
            w[r, :e - s] = mask[s + 1:e + 1] if use_mask else 1.0
        logits = model(torch.from_numpy(x)).float()
        l = torch.nn.functional.cross_entropy(logits.reshape(-1, logits.size(-1)), torch.from_numpy(y).reshape(-1), reduction="none")
        wt = torch.from_numpy(w).reshape(-1)
        tot += float((l * wt).sum())
        cnt += float(wt.sum())
    model.train()
    return tot / max(cnt, 1.0), cnt


@torch.no_grad()
def greedy(model, ids, max_new, stop_ids=(), ctx=None):
    """Greedy decoding with the cached forward (the same graph that is exported)."""
    model.eval()
    cfg = model.cfg
    hd = cfg.n_embd // cfg.n_head
    if hasattr(model, "empty_past"):
        past = model.empty_past()
    else:
        past = [(torch.zeros(1, cfg.n_head, 0, hd), torch.zeros(1, cfg.n_head, 0, hd)) for _ in range(cfg.n_layer)]
    seq = list(ids)
    inp = torch.tensor([seq])
    out = []
    for _ in range(max_new):
        L = len(seq)
        if L >= cfg.n_positions:
            break
        T = inp.shape[1]
        pos = torch.arange(L - T, L).unsqueeze(0)
        am = torch.ones(1, L, dtype=torch.int64)
        logits, past = model.forward_cached(inp, am, pos, past)
        nxt = int(logits[0, -1].argmax())
        out.append(nxt)
        seq.append(nxt)
        if nxt in stop_ids:
            break
        inp = torch.tensor([[nxt]])
    return out
