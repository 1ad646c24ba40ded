# Topic adherence: how often the model's greedy answer to a held-out user message (the first
# user turn of held-out dialogues, never trained on) shares a content word with that message.
# A crude, automatic stand-in for "stays on the user's topic": it compares training runs on the
# same prompts; copying the prompt would score 1.0, so read it with the sample answers.
# Each result also counts the human reply of the same held-out dialogue by the same rule
# ("human_on_topic"): people answer "hey did you know the nfl actually allows for female players?"
# with "Well, they should. Everybody is equal.", so their replies score 51 of the 69 prompts
# (0.74); where a model scores above them, it echoes the prompt's words.

from scripts.train import data as D
from scripts.train.trainer import greedy

SOURCES = ["oasst", "gpteacher", "topicalchat", "persona"]


_stems = D.stems  # content words (as in the QA-pair miner) cut to 5 letters


def shares_topic(prompt, answer):
    return bool(_stems(prompt) & _stems(answer))


def topic_dialogues(data, per_source, skip=0):
    """{source: [held-out dialogues whose first user message has content words, <= 300 chars]}:
    the first `per_source` such dialogues after the first `skip`. skip=0 is the measure the model
    cards quote; skip=per_source is the development set (DEV_SKIP) that reply rules are chosen on,
    so the quoted figure is not tuned on its own prompts. A source with fewer dialogues gives fewer."""
    out = {}
    for n in SOURCES:
        if n not in data:
            continue
        docs = [d for d in data[n][1] if d and d[0]["role"] == "user"]
        out[n] = [d for d in docs if len(d[0]["content"]) <= 300 and _stems(d[0]["content"])][skip:skip + per_source]
    return out


DEV_SKIP = 20  # the development prompts follow the 20 per source that the cards quote


def topic_prompts(data, per_source, skip=0):
    """{source: [first user message of each held-out dialogue that has content words]}."""
    return {n: [d[0]["content"] for d in docs] for n, docs in topic_dialogues(data, per_source, skip).items()}


def human_on_topic(dialogue):
    """Whether the people's own reply (the dialogue's next turn) shares a content word with the prompt."""
    return len(dialogue) > 1 and dialogue[1]["role"] == "assistant" and shares_topic(dialogue[0]["content"], dialogue[1]["content"])


def adherence(reply, data, per_source=20, max_new=48, skip=0):
    """Topic adherence of `reply(prompt_text, max_new) -> answer text` on the held-out prompts:
    {source: {prompts, on_topic, rate, human_on_topic, examples}, "all": {...}}."""
    res = {}
    for n, docs in topic_dialogues(data, per_source, skip).items():
        examples = []
        for d in docs:
            p = d[0]["content"]
            ans = reply(p, max_new)
            examples.append({"prompt": p, "answer": ans, "on_topic": shares_topic(p, ans)})
        hits = sum(e["on_topic"] for e in examples)
        res[n] = {"prompts": len(docs), "on_topic": hits, "rate": hits / max(len(docs), 1),
                  "human_on_topic": sum(map(human_on_topic, docs)), "examples": examples}
    total = sum(r["prompts"] for r in res.values())
    hits = sum(r["on_topic"] for r in res.values())
    res["all"] = {"prompts": total, "on_topic": hits, "rate": hits / max(total, 1),
                  "human_on_topic": sum(r["human_on_topic"] for r in res.values())}
    return res


def topic_adherence(model, tok, data, per_source=20, max_new=48):
    """The model's own greedy answers (PyTorch, no reply rules)."""
    stop = [tok.token_id("<|end|>"), 0]

    def reply(p, n):
        ids = tok.encode(tok.apply_chat_template([{"role": "user", "content": p}]))[-(model.cfg.n_positions - n):]
        return tok.decode(greedy(model, ids, n, stop_ids=stop), skip_special=True).strip()

    return adherence(reply, data, per_source, max_new)


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
