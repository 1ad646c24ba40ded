# Evaluation of an exported model folder against its PyTorch weights:
#  - held-out loss / perplexity per source for PyTorch fp32 and ONNX fp32 / q8 / q4
#    (ONNX runs in Python onnxruntime, scripts/eval/ort_eval.py, fed as transformers.js feeds it),
#    and the same for q8 / q4 made by onnxruntime's quantization tools (when exported),
#  - parity: PyTorch vs ONNX fp32 loss (3 decimals) and greedy 64 tokens (fp32, q8),
#  - golden greedy output of onnx/model_quantized.onnx (golden.json, checked by tests),
#  - greedy answers to 20 fixed prompts, and the app's (q8 with the reply rules of the folder's
#    generation_config.json: scripts/eval/app_topic.py), written with everything else to eval.json
#    + README.md,
#  - topic adherence on held-out user messages (scripts/eval/topic.py), when given the data: the
#    model's own greedy replies, and the app's.
import json
import math
import os

import numpy as np
import torch

from scripts.train import data as D
from scripts.eval.app_topic import AppReplies, folder_rules
from scripts.eval.identity import IDENTITY_PROMPTS, identity
from scripts.eval.ort_eval import FILES, OrtModel
from scripts.eval.prompts import DEV_PROMPTS, GOLDEN_PROMPT, PROMPTS  # noqa: F401 (also read from here)
from scripts.eval.topic import adherence, shares_topic, topic_adherence
from scripts.train.trainer import eval_loss, greedy


DTYPES = ["fp32", "q8", "q4"]


def windows(arrays, names, ctx, max_tokens):
    """Non-overlapping (ctx+1)-token windows of each held-out stream (same as eval_loss)."""
    out = {}
    for n in names:
        ids, mask = arrays[f"{n}/heldout/ids"], arrays[f"{n}/heldout/mask"]
        L = min(len(ids) - 1, max_tokens)
        out[n] = [{"ids": ids[s:min(s + ctx, L) + 1].tolist(), "mask": mask[s:min(s + ctx, L) + 1].tolist()}
                  for s in range(0, L, ctx) if min(s + ctx, L) - s >= 1]
    return out


def heldout_bytes(tok, arrays, names, max_tokens):
    """UTF-8 bytes of the held-out targets eval_loss counts (special tokens count 0), per source:
    loss * tokens / bytes is nats per byte, which compares models with different tokenizers."""
    nbytes = np.zeros(tok.vocab_size, dtype=np.int64)
    specials = set(tok.special_ids)
    for t, i in tok.vocab.items():
        if t not in specials:
            nbytes[i] = len(t)  # byte-level BPE: one character per byte
    out = {}
    for n in names:
        ids, mask = arrays[f"{n}/heldout/ids"], arrays[f"{n}/heldout/mask"]
        k = min(len(ids) - 1, max_tokens)
        out[n] = int((nbytes[ids[1:k + 1].astype(np.int64)] * mask[1:k + 1]).sum())
    return out


_SESSIONS = {}


def ort_model(model_dir, dtype):
    key = (model_dir, dtype)
    if key not in _SESSIONS:
        _SESSIONS[key] = OrtModel(model_dir, dtype, threads=2)
    return _SESSIONS[key]


def onnx_greedy(out_dir, dtype, prompts, max_new, stop, no_repeat_ngram=0):
    m = ort_model(out_dir, dtype)
    return [m.greedy(p, max_new, stop, no_repeat_ngram) for p in prompts]


@torch.no_grad()
def _top2_margin(model, prompt, gen, i):
    """fp32 gap between the two best logits where q8 greedy first differs (None if it never does)."""
    if i >= len(gen):
        return None
    logits = model(torch.tensor([list(prompt) + list(gen)]))[0, len(prompt) - 1 + i]
    top = torch.topk(logits.float(), 2).values
    return float(top[0] - top[1])


def evaluate(model, tok, arrays, out_dir, work, smoke=False, log=print, max_tokens=20000, data=None):
    model = model.float().eval()
    ctx = model.cfg.n_positions
    names = list(D.SOURCES)
    max_tokens = 1500 if smoke else max_tokens
    res = {"heldout": {}, "parity": {}}
    wins = windows(arrays, names, ctx, max_tokens)
    nbytes = heldout_bytes(tok, arrays, names, max_tokens)
    with torch.no_grad():
        for n in names:
            l, c = eval_loss(model, arrays[f"{n}/heldout/ids"], arrays[f"{n}/heldout/mask"], ctx, max_tokens=max_tokens)
            res["heldout"].setdefault(n, {})["torch"] = {"loss": l, "tokens": c}
            res["heldout"][n]["bytes"] = nbytes[n]
    ort_dir = os.path.join(work, "ort-quant")
    variants = [(dt, out_dir, dt) for dt in DTYPES]
    variants += [(f"{dt}_ort", ort_dir, dt) for dt in ("q8", "q4") if os.path.exists(os.path.join(ort_dir, "onnx", FILES[dt]))]
    for key, d, dt in variants:
        m = ort_model(d, dt)
        for n in names:
            loss, cnt = m.loss(wins[n])
            res["heldout"][n][key] = {"loss": loss, "tokens": cnt}
        log(f"eval: held-out loss {key} done")
    for n, r in res["heldout"].items():
        for k, v in r.items():
            if isinstance(v, dict):
                v["ppl"] = math.exp(v["loss"])
                v["nats_per_byte"] = v["loss"] * v["tokens"] / max(r["bytes"], 1)
    # parity: losses to 3 decimals, greedy 64 tokens (no stop) PyTorch vs ONNX fp32 / q8
    ptxt = tok.apply_chat_template(GOLDEN_PROMPT)
    pids = tok.encode(ptxt)
    n_par = 16 if smoke else 64
    t_ids = greedy(model, pids, n_par)
    par = {"torch_greedy": t_ids}
    for dt in ("fp32", "q8"):
        par[f"{dt}_greedy"] = onnx_greedy(out_dir, dt, [pids], n_par, [])[0]
    par["fp32_tokens_equal"] = par["fp32_greedy"] == t_ids
    par["q8_tokens_equal"] = par["q8_greedy"] == t_ids
    par["q8_common_prefix"] = next((i for i, (a, b) in enumerate(zip(par["q8_greedy"], t_ids)) if a != b), len(t_ids))
    par["q8_divergence_top2_margin"] = _top2_margin(model, pids, t_ids, par["q8_common_prefix"])
    par["loss_max_abs_diff_fp32"] = max(abs(r["torch"]["loss"] - r["fp32"]["loss"]) for r in res["heldout"].values())
    par["loss_equal_3dp_fp32"] = all(round(r["torch"]["loss"], 3) == round(r["fp32"]["loss"], 3) for r in res["heldout"].values())
    res["parity"] = par
    log(f"eval: parity fp32 tokens equal {par['fp32_tokens_equal']}, q8 tokens equal {par['q8_tokens_equal']} "
        f"(common prefix {par['q8_common_prefix']}), max |loss diff| {par['loss_max_abs_diff_fp32']:.5f}")
    # golden: q8 greedy as the app runs it (stop on <|end|> / <|endoftext|>)
    stop = [tok.token_id("<|end|>"), 0]
    g_ids = onnx_greedy(out_dir, "q8", [pids], n_par, stop)[0]
    t_stop = greedy(model, pids, n_par, stop_ids=stop)
    golden = {"dtype": "q8", "file": "onnx/model_quantized.onnx", "messages": GOLDEN_PROMPT, "prompt": ptxt,
              "prompt_ids": pids, "max_new_tokens": n_par, "ids": g_ids, "text": tok.decode(g_ids),
              "torch_fp32_ids": t_stop, "torch_fp32_text": tok.decode(t_stop)}
    json.dump(golden, open(os.path.join(out_dir, "golden.json"), "w"), indent=2)
    # samples: 20 fixed prompts, q8 (what the app runs on WASM) and fp32
    prompts = PROMPTS[:3] if smoke else PROMPTS
    enc = [tok.encode(tok.apply_chat_template([{"role": "user", "content": p}])) for p in prompts]
    n_new = 24 if smoke else 80
    outs = {dt: onnx_greedy(out_dir, dt, enc, n_new, stop) for dt in ("q8", "fp32", "q4")}
    # and as the app answers at temperature 0: q8 with the folder's reply rules (workers/sampling.ts)
    app = AppReplies(out_dir, tok, folder_rules(out_dir), model=ort_model(out_dir, "q8"))
    res["app_rules"] = dict(app.rules)
    outs["app"] = [app.ids(p, n_new) for p in prompts]
    samples = []
    for i, p in enumerate(prompts):
        row = {"prompt": p, **{dt: tok.decode(outs[dt][i], skip_special=True).strip() for dt in outs}}
        row["app_on_topic"] = shares_topic(p, row["app"])
        samples.append(row)
    res["samples"] = samples
    res["samples_on_topic"] = {"prompts": len(samples), "on_topic": sum(r["app_on_topic"] for r in samples)}
    par["samples_q8_equal_fp32"] = sum(outs["q8"][i] == outs["fp32"][i] for i in range(len(prompts)))
    par["samples_q4_equal_fp32"] = sum(outs["q4"][i] == outs["fp32"][i] for i in range(len(prompts)))
    par["samples_count"] = len(prompts)
    # who it says it is, as the app answers (scripts/eval/identity.py)
    res["identity_app"] = identity(app, max_new=16 if smoke else 48, prompts=IDENTITY_PROMPTS[:3] if smoke else None)
    log(f"eval: names Hearth in {res['identity_app']['hearth']}/{res['identity_app']['prompts']} identity questions, "
        f"another assistant in {res['identity_app']['other']}")
    if data is not None:
        res["topic"] = topic_adherence(model, tok, data, per_source=3 if smoke else 20, max_new=16 if smoke else 48)
        res["topic_app"] = adherence(app, data, per_source=3 if smoke else 20, max_new=16 if smoke else 48)
        log(f"eval: topic adherence {res['topic']['all']['on_topic']}/{res['topic']['all']['prompts']} greedy, "
            f"{res['topic_app']['all']['on_topic']}/{res['topic_app']['all']['prompts']} as the app answers {res['app_rules']}")
    sizes = {f: os.path.getsize(os.path.join(out_dir, "onnx", f)) for f in os.listdir(os.path.join(out_dir, "onnx"))}
    res["file_sizes"] = sizes
    if os.path.isdir(os.path.join(ort_dir, "onnx")):
        res["ort_quant_file_sizes"] = {f: os.path.getsize(os.path.join(ort_dir, "onnx", f)) for f in os.listdir(os.path.join(ort_dir, "onnx"))}
    summary_path = os.path.join(work, "summary.json")
    res["training"] = json.load(open(summary_path)) if os.path.exists(summary_path) else {}
    res["params"] = model.num_params()
    res["config"] = model.cfg.to_dict()
    json.dump(res, open(os.path.join(out_dir, "eval.json"), "w"), indent=2)
    from scripts.eval.model_card import write_card
    write_card(out_dir, res, work)
    log(f"eval: wrote {out_dir}/eval.json, golden.json, README.md")
    return res
