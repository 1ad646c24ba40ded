# Topic adherence: how often the model's greedy answer to a held-out user message (the first
# user turn of held-out dialogues, never trained on) shares a content word with that message.
# A crude, automatic stand-in for "stays on the user's topic": it compares training runs on the
# same prompts; copying the prompt would score 1.0, so read it with the sample answers.

from scripts.train import data as D
from scripts.train.trainer import greedy

SOURCES = ["oasst", "gpteacher", "topicalchat", "persona"]


def _stems(text):
    """Content words (as in the QA-pair miner) cut to 5 letters, so 'boil' ~ 'boiling'."""
    return {w[:5] for w in D.content_words(text)}


def shares_topic(prompt, answer):
    return bool(_stems(prompt) & _stems(answer))


def topic_prompts(data, per_source):
    """{source: [first user message of each held-out dialogue that has content words]}."""
    out = {}
    for n in SOURCES:
        if n not in data:
            continue
        msgs = [d[0]["content"] for d in data[n][1] if d and d[0]["role"] == "user"]
        msgs = [m for m in msgs if len(m) <= 300 and _stems(m)]
        out[n] = msgs[:per_source]
    return out


def topic_adherence(model, tok, data, per_source=20, max_new=48):
    stop = [tok.token_id("<|end|>"), 0]
    res = {}
    for n, prompts in topic_prompts(data, per_source).items():
        hits, examples = 0, []
        for p in prompts:
            ids = tok.encode(tok.apply_chat_template([{"role": "user", "content": p}]))
            ids = ids[-(model.cfg.n_positions - max_new):]
            ans = tok.decode(greedy(model, ids, max_new, stop_ids=stop), skip_special=True).strip()
            ok = shares_topic(p, ans)
            hits += ok
            examples.append({"prompt": p, "answer": ans, "on_topic": ok})
        res[n] = {"prompts": len(prompts), "on_topic": hits, "rate": hits / max(len(prompts), 1), "examples": examples}
    total = sum(r["prompts"] for r in res.values())
    res["all"] = {"prompts": total, "on_topic": sum(r["on_topic"] for r in res.values()),
                  "rate": sum(r["on_topic"] for r in res.values()) / max(total, 1)}
    return res


if __name__ == "__main__":
    import argparse
    import json

    import torch

    from scripts.tokenizer.hf_bpe import Tokenizer
    from scripts.train.trainer import load_model

    ap = argparse.ArgumentParser(description="Topic adherence of a checkpoint on held-out prompts.")
    ap.add_argument("--ckpt", required=True)
    ap.add_argument("--tokenizer", required=True)
    ap.add_argument("--data", default="../shared/data")
    ap.add_argument("--per-source", type=int, default=20)
    a = ap.parse_args()
    torch.set_num_threads(1)
    m, _ = load_model(a.ckpt)
    r = topic_adherence(m.float().eval(), Tokenizer.load(a.tokenizer), D.load_all(a.data), a.per_source)
    print(json.dumps(r, indent=1))
