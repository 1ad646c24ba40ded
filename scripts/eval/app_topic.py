# Replies as the app gives them, judged for topic: an exported model folder's ONNX file (q8, what
# the app runs on WASM) in Python onnxruntime (ort_eval.py), greedy, with the reply rules of its
# generation_config.json read as the app reads them (workers/sampling.ts, replyRules): the
# repeated-n-gram block, the repetition penalty on the reply's own tokens, and classifier-free
# guidance against the chat template around an empty user turn (workers/engine.ts,
# unconditionalPrompt). Topic adherence on the same 69 held-out prompts as scripts/eval/topic.py
# and the 20 card prompts (scripts/eval/prompts.py, PROMPTS), by the same word-overlap rule, and
# who it says it is (scripts/eval/identity.py): the overlap rule alone rewards a rule set that makes
# the model echo words, so read the identity count and the answers before choosing one.
# From the command line it compares rule sets on one folder:
#   .venv/bin/python -m scripts.eval.app_topic --model-dir models/hearth-chat \
#     --rules 'app' 'ngram=4' 'ngram=4,penalty=1.2,guidance=2' [--split dev]
# Choose rules on --split dev (held-out prompts after the quoted ones, and DEV_PROMPTS), then
# measure the chosen set once on the default split, which the model cards quote.
import json
import os

from scripts.eval.identity import identity
from scripts.eval.ort_eval import OrtModel
from scripts.eval.topic import adherence, shares_topic

RULE_NAMES = {"ngram": "no_repeat_ngram_size", "penalty": "hearth_reply_repetition_penalty",
              "guidance": "hearth_guidance_scale"}


def _num(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool) and v == v and abs(v) != float("inf")


def reply_rules(gen):
    """workers/sampling.ts replyRules, the same defaults and ranges (a value out of range is ignored)."""
    n = gen.get("no_repeat_ngram_size")
    p = gen.get("hearth_reply_repetition_penalty")
    g = gen.get("hearth_guidance_scale")
    return {"ngram": int(n) if _num(n) and float(n).is_integer() and 0 <= n <= 16 else 4,
            "penalty": p if _num(p) and 1 <= p <= 3 else 1,
            "guidance": g if _num(g) and 1 <= g <= 4 else 1}


def folder_rules(model_dir):
    return reply_rules(json.load(open(os.path.join(model_dir, "generation_config.json"))))


def parse_rules(spec, model_dir):
    """'app' (the folder's own rules) or 'ngram=4,penalty=1.2,guidance=2' (unnamed ones: off)."""
    if spec == "app":
        return folder_rules(model_dir)
    rules = {"ngram": 0, "penalty": 1, "guidance": 1}
    for part in filter(None, spec.split(",")):
        k, v = part.split("=")
        if k not in RULE_NAMES:
            raise ValueError(f"unknown rule {k!r} (known: {', '.join(RULE_NAMES)})")
        rules[k] = int(v) if k == "ngram" else float(v)
    return rules


class AppReplies:
    """Greedy replies to single user messages under `rules`, as the app decodes them."""

    def __init__(self, model_dir, tok, rules, dtype="q8", model=None):
        self.m = model or OrtModel(model_dir, dtype, threads=2)
        self.tok, self.rules = tok, rules
        self.stop = [tok.token_id("<|end|>"), 0]
        self.uncond = tok.encode(tok.apply_chat_template([{"role": "user", "content": ""}]))

    def ids(self, text, max_new):
        ids = self.tok.encode(self.tok.apply_chat_template([{"role": "user", "content": text}]))
        r = self.rules
        return self.m.greedy(ids[-(self.m.ctx - max_new):], max_new, self.stop, r["ngram"], r["penalty"],
                             r["guidance"], self.uncond)

    def __call__(self, text, max_new):
        return self.tok.decode(self.ids(text, max_new), skip_special=True).strip()


def app_topic(replies, data, prompts, per_source=20, max_new=48, card_new=80, skip=0):
    """{"rules", "topic": topic.adherence(...), "card": {"on_topic", "prompts", "answers"},
    "identity": identity.identity(...)} under replies.rules
    (skip: topic.topic_dialogues; the development split is skip=DEV_SKIP with DEV_PROMPTS)."""
    answers = [{"prompt": p, "answer": replies(p, card_new)} for p in prompts]
    for a in answers:
        a["on_topic"] = shares_topic(a["prompt"], a["answer"])
    card = {"prompts": len(answers), "on_topic": sum(a["on_topic"] for a in answers), "answers": answers}
    return {"rules": dict(replies.rules), "topic": adherence(replies, data, per_source, max_new, skip), "card": card,
            "identity": identity(replies, max_new)}


if __name__ == "__main__":
    import argparse

    from scripts.eval.prompts import DEV_PROMPTS, PROMPTS
    from scripts.eval.topic import DEV_SKIP
    from scripts.tokenizer.hf_bpe import Tokenizer
    from scripts.train import data as D

    ap = argparse.ArgumentParser(description="Topic adherence and card prompts of a model folder as the app answers.")
    ap.add_argument("--model-dir", required=True)
    ap.add_argument("--dtype", default="q8")
    ap.add_argument("--data", default="../shared/data")
    ap.add_argument("--rules", nargs="+", default=["app"])
    ap.add_argument("--split", choices=["test", "dev"], default="test",
                    help="test: the prompts the cards quote; dev: other held-out prompts and DEV_PROMPTS, "
                         "to choose rules on before measuring them once on test")
    ap.add_argument("--out", default=None, help="write every reply here (JSON)")
    a = ap.parse_args()
    tok = Tokenizer.load(a.model_dir)
    data = D.load_all(a.data)
    results = []
    dev = a.split == "dev"
    for spec in a.rules:
        r = app_topic(AppReplies(a.model_dir, tok, parse_rules(spec, a.model_dir), a.dtype), data,
                      DEV_PROMPTS if dev else PROMPTS, skip=DEV_SKIP if dev else 0)
        results.append(r)
        print(json.dumps({"rules": r["rules"], "topic": f"{r['topic']['all']['on_topic']}/{r['topic']['all']['prompts']}",
                          "card": f"{r['card']['on_topic']}/{r['card']['prompts']}",
                          "identity": f"Hearth {r['identity']['hearth']}/{r['identity']['prompts']}, "
                                      f"another {r['identity']['other']}"}), flush=True)
    if a.out:
        json.dump(results, open(a.out, "w"), indent=1)
