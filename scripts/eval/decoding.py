# Topic adherence (scripts/eval/topic.py, the same 69 held-out prompts) under different decoding
# rules, on a checkpoint: plain greedy; greedy with repeated 4-grams blocked (what the app does);
# greedy with a repetition penalty of 1.2 on the reply's tokens (alone and with the 4-gram block);
# sample-and-rank (4 samples at temperature 0.7, top-p 0.9, keep the one with the highest mean
# log-probability under the model); and the same 4 samples ranked by mutual information (MMI,
# Li et al. 2016, "A Diversity-Promoting Objective Function for Neural Conversation Models"):
# mean log p(reply | prompt) - 0.5 * mean log p(reply | an empty user turn), which ranks down
# replies that fit any prompt ("I did not know that."); and classifier-free guidance (Sanchez et al.
# 2023) at scale 2 with the 4-gram block, alone and with the penalty (what the app does now,
# workers/decoder.ts): each step's log-probabilities become uncond + 2 * (cond - uncond), where
# uncond continues the same reply after an empty user turn.
#   .venv/bin/python -m scripts.eval.decoding --ckpt runs/v4/sft/ckpt.pt --tokenizer runs/v4/tokenizer
import argparse
import json

import torch

from scripts.eval.ort_eval import banned_by_ngram
from scripts.eval.topic import shares_topic, topic_prompts
from scripts.train import data as D


GUIDANCE = 2.0


@torch.no_grad()
def _last_logits(model, inp, L, past):
    T = inp.shape[1]
    logits, past = model.forward_cached(inp, torch.ones(1, L, dtype=torch.int64), torch.arange(L - T, L)[None], past)
    return logits[0, -1].float(), past


@torch.no_grad()
def decode(model, ids, max_new, stop, rule, gen=None, uncond=None):
    """One reply with KV cache. rule: greedy | block4 | penalty | penalty_block4 | sample |
    guided_block4 | guided_penalty_block4 (uncond: the unconditional prompt's ids). Returns (ids, mean logprob)."""
    past, upast = model.empty_past(), model.empty_past()
    guided = rule.startswith("guided")
    seq, inp, out, lps = list(ids), torch.tensor([ids]), [], []
    useq, uinp = list(uncond or []), torch.tensor([uncond or [0]])
    for _ in range(max_new):
        L = len(seq)
        if L >= model.cfg.n_positions:
            break
        row, past = _last_logits(model, inp, L, past)
        logp = torch.log_softmax(row, -1)
        if guided:
            urow, upast = _last_logits(model, uinp, len(useq), upast)
            row = torch.log_softmax(urow, -1) + GUIDANCE * (logp - torch.log_softmax(urow, -1))
        if rule in ("penalty", "penalty_block4", "guided_penalty_block4"):
            # The app's rule (workers/sampling.ts, penalizeRepeats): reply tokens only.
            for t in set(out):
                row[t] = row[t] / 1.2 if row[t] > 0 else row[t] * 1.2
        if rule in ("block4", "penalty_block4", "guided_block4", "guided_penalty_block4"):
            for b in banned_by_ngram(seq, 4):
                row[b] = -float("inf")
        if rule == "sample":
            p = torch.softmax(row / 0.7, -1)
            sp, si = torch.sort(p, descending=True)
            keep = torch.cumsum(sp, 0) - sp < 0.9
            sp = sp * keep
            nxt = int(si[torch.multinomial(sp / sp.sum(), 1, generator=gen)])
        else:
            nxt = int(row.argmax())
        lps.append(float(logp[nxt]))
        out.append(nxt)
        seq.append(nxt)
        useq.append(nxt)
        if nxt in stop:
            break
        inp = uinp = torch.tensor([[nxt]])
    return out, sum(lps) / max(len(lps), 1)


@torch.no_grad()
def mean_logprob(model, ctx, out):
    """Mean log-probability of the tokens `out` after the tokens `ctx` (one forward pass)."""
    ids = list(ctx) + list(out)
    ids = ids[-model.cfg.n_positions:]
    n = len(ids)
    logits, _ = model.forward_cached(torch.tensor([ids]), torch.ones(1, n, dtype=torch.int64),
                                     torch.arange(n)[None], model.empty_past())
    logp = torch.log_softmax(logits[0].float(), -1)
    k = min(len(out), n - 1)
    tgt = torch.tensor(ids[n - k:])
    return float(logp[n - k - 1:n - 1].gather(1, tgt[:, None]).mean())


def mmi_rank(model, cands, generic, lam=0.5):
    """The candidate (ids, mean logprob given the prompt) with the highest
    mean log p(reply | prompt) - lam * mean log p(reply | generic context)."""
    return max(cands, key=lambda c: c[1] - lam * mean_logprob(model, generic, c[0]))


def compare(model, tok, data, per_source=20, max_new=48, samples=4, seed=0):
    model = model.float().eval()
    stop = [tok.token_id("<|end|>"), 0]
    gen = torch.Generator().manual_seed(seed)
    rules = ["greedy", "block4", "penalty", "penalty_block4", "sample_rank", "sample_mmi", "guided_block4", "guided_penalty_block4"]
    generic = tok.encode(tok.apply_chat_template([{"role": "user", "content": ""}]))
    res = {r: {"on_topic": 0, "prompts": 0, "examples": []} for r in rules}
    for src, prompts in topic_prompts(data, per_source).items():
        for p in prompts:
            ids = tok.encode(tok.apply_chat_template([{"role": "user", "content": p}]))[-(model.cfg.n_positions - max_new):]
            cands = [decode(model, ids, max_new, stop, "sample", gen) for _ in range(samples)]
            for r in rules:
                if r == "sample_rank":
                    out = max(cands, key=lambda c: c[1])[0]
                elif r == "sample_mmi":
                    out = mmi_rank(model, cands, generic)[0]
                else:
                    out = decode(model, ids, max_new, stop, r, uncond=generic)[0]
                ans = tok.decode(out, skip_special=True).strip()
                ok = shares_topic(p, ans)
                res[r]["on_topic"] += ok
                res[r]["prompts"] += 1
                res[r]["examples"].append({"source": src, "prompt": p, "answer": ans, "on_topic": ok})
    for r in rules:
        res[r]["rate"] = res[r]["on_topic"] / max(res[r]["prompts"], 1)
    return res


if __name__ == "__main__":
    from scripts.tokenizer.hf_bpe import Tokenizer
    from scripts.train.trainer import load_model

    ap = argparse.ArgumentParser(description="Topic adherence under different decoding rules.")
    ap.add_argument("--ckpt", required=True)
    ap.add_argument("--tokenizer", required=True)
    ap.add_argument("--data", default="../shared/data")
    ap.add_argument("--out", default=None)
    ap.add_argument("--threads", type=int, default=2)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    m, _ = load_model(a.ckpt)
    r = compare(m, Tokenizer.load(a.tokenizer), D.load_all(a.data))
    print(json.dumps({k: {kk: v[kk] for kk in ("on_topic", "prompts", "rate")} for k, v in r.items()}, indent=1))
    if a.out:
        json.dump(r, open(a.out, "w"), indent=1)
