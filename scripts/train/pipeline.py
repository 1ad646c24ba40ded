# One command to rebuild the default model end to end:
#   tokenizer -> tokenized cache -> pretrain (all sources) -> chat fine-tune (dialogues,
#   loss on assistant turns) -> export (fp32/q8/q4 ONNX + tokenizer + configs) -> eval + card.
# Every stage resumes from what is already in --work.  `--smoke` runs all stages on a tiny
# slice and a tiny model in well under two minutes (used by tests/model/smoke.test.ts).
# Usage: .venv/bin/python -m scripts.train.pipeline --data ../shared/data --work runs/hearth-chat --out models/hearth-chat
# (`npm run model:train` makes the venv and runs this).
import argparse
import json
import os
import shutil
import sys
import time

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, REPO)

import torch  # noqa: E402

from scripts.tokenizer.hf_bpe import Tokenizer  # noqa: E402
from scripts.tokenizer.train_tokenizer import train_tokenizer  # noqa: E402
from scripts.train import data as D  # noqa: E402
from scripts.train.llama import HearthLlama, LlamaCfg, check_parity, grow_depth  # noqa: E402
from scripts.train.trainer import Mixture, eval_loss, load_model, muon_adamw, train  # noqa: E402

# pretraining share per source (tokens * weight): the narrow booking dialogues and the ~90 canned
# chit-chat answers at half weight; the identity chats are tiny and count 4x. Book and speech
# prose (Moby-Dick, State of the Union) at full weight: with them down to a tenth (the first Llama
# runs) oasst and GPTeacher stayed above the GPT-2 model's loss (docs/model.md, eleventh and twelfth attempts).
PRETRAIN_WEIGHTS = {"sgd": 0.5, "chitchat": 0.5, "identity": 4.0}
# SFT replays a little long-form prose (loss on every token) so the fine-tune does not forget
# how to write longer answers: without it, held-out oasst loss rose 4.83 -> 5.27 during SFT
SFT_REPLAY = {"oasst_prose": 0.15}
# fine-tune-only sources derived from training splits (scripts/train/data.py): question -> short
# answer pairs (qa_pairs), the same pairs with whole answers (oasst_qa_long) and on-topic single
# exchanges (topical_pairs); the last two stay off by default until a run shows they help.
# "introductions" (replies in Hearth's voice to "Hi, I'm Emma" and "what do you do for a living?")
# counts like the identity chats.
SFT_DERIVED = {"oasst_qa": 2.0, "topical_pairs": 0.0, "oasst_qa_long": 0.0, "introductions": 10.0}
STAGES = ["tokenizer", "cache", "pretrain", "sft", "export", "eval"]


def log(msg):
    print(time.strftime("%H:%M:%S"), msg, flush=True)


def streams(arrays, names, split, weights, with_starts):
    out = []
    for n in names:
        ids = arrays[f"{n}/{split}/ids"]
        out.append((n, ids, arrays[f"{n}/{split}/mask"], arrays[f"{n}/{split}/starts"] if with_starts else None, weights.get(n, 1.0)))
    return out


def heldout_eval_fn(arrays, names, ctx, max_tokens):
    def fn(model):
        res = {}
        for n in names:
            loss, _ = eval_loss(model, arrays[f"{n}/heldout/ids"], arrays[f"{n}/heldout/mask"], ctx, max_tokens=max_tokens)
            res[n] = round(loss, 4)
        return res
    return fn


def optimizer_fn(name, lr, muon_lr):
    """--optimizer -> the trainer's opt_fn. None makes the trainer's own AdamW (betas 0.9/0.95,
    the stage's weight decay on matrices only), the first generation's optimizer."""
    return (lambda m: muon_adamw(m, lr, muon_lr=muon_lr)) if name == "muon" else None


def precision_bf16(name):
    """--precision -> the trainer's bf16 argument (None: decide from the CPU)."""
    return {"auto": None, "fp32": False, "bf16": True}[name]


def parse():
    ap = argparse.ArgumentParser(description="Rebuild the Hearth default model.")
    ap.add_argument("--data", default=os.path.join(REPO, "..", "shared", "data"))
    ap.add_argument("--work", default=os.path.join(REPO, "runs", "hearth-chat"))
    ap.add_argument("--out", default=os.path.join(REPO, "models", "hearth-chat"))
    ap.add_argument("--stages", default=",".join(STAGES))
    ap.add_argument("--smoke", action="store_true", help="tiny data slice + tiny model, a few steps")
    ap.add_argument("--vocab", type=int, default=4096)
    ap.add_argument("--ctx", type=int, default=512)
    ap.add_argument("--n-layer", type=int, default=4)
    ap.add_argument("--n-embd", type=int, default=256)
    ap.add_argument("--n-head", type=int, default=8)
    ap.add_argument("--n-kv-head", type=int, default=4)
    ap.add_argument("--intermediate", type=int, default=768)
    ap.add_argument("--bsz", type=int, default=8)
    ap.add_argument("--pretrain-steps", type=int, default=8000)
    ap.add_argument("--pretrain-minutes", type=float, default=0,
                    help="stop pretraining after this many minutes of training (0: run every step)")
    ap.add_argument("--pretrain-lr", type=float, default=2e-3, help="AdamW (embedding, gains) peak LR")
    ap.add_argument("--pretrain-muon-lr", type=float, default=0.02, help="Muon (hidden matrices) peak LR")
    ap.add_argument("--sft-steps", type=int, default=1531)
    ap.add_argument("--sft-minutes", type=float, default=0)
    ap.add_argument("--sft-lr", type=float, default=3e-4)
    ap.add_argument("--sft-muon-lr", type=float, default=0.004)
    ap.add_argument("--seed", type=int, default=1337)
    ap.add_argument("--optimizer", choices=["muon", "adamw"], default="adamw",
                    help="muon: Muon for the hidden matrices + AdamW for the embedding and gains (no weight decay); "
                         "adamw: AdamW for everything (weight decay 0.1 on matrices in pretraining), as the "
                         "first-generation model was trained; the --*-muon-lr flags then do nothing")
    ap.add_argument("--precision", choices=["auto", "fp32", "bf16"], default="auto",
                    help="training precision; auto = bf16 autocast only where the CPU has bf16 instructions "
                         "(on a 2-core AVX512-BF16 EPYC the 4.2M model trained as fast in fp32: 2.4-2.5k tokens/s)")
    ap.add_argument("--grow-from", default="",
                    help="start pretraining from this smaller checkpoint grown to --n-layer (function-preserving)")
    ap.add_argument("--reply-penalty", type=float, default=1.5,
                    help="the app's repetition penalty on reply tokens (generation_config hearth_reply_repetition_penalty; 1: off)")
    ap.add_argument("--no-repeat-ngram", type=int, default=4, help="the app's no-repeat n-gram guard (0: off)")
    ap.add_argument("--guidance", type=float, default=2.0,
                    help="the app's classifier-free guidance scale (generation_config hearth_guidance_scale; 1: off)")
    ap.add_argument("--sft-weights", default="", type=parse_weights,
                    help="fine-tune mix overrides, e.g. 'persona=0.25,oasst_qa=4' (sources of data.SOURCES, "
                         "SFT_REPLAY or SFT_DERIVED; the rest keep their default weights)")
    ap.add_argument("--pretrain-weights", default="", type=parse_pretrain_weights,
                    help="pretraining mix overrides, e.g. 'sotu=0.1,moby=0.1' (the prose at a tenth) (sources of data.SOURCES; the rest keep "
                         "PRETRAIN_WEIGHTS, or 1)")
    a = ap.parse_args()
    if a.smoke:
        a.vocab, a.ctx, a.n_layer, a.n_embd, a.n_head, a.n_kv_head, a.intermediate, a.bsz = 400, 64, 2, 64, 4, 2, 128, 8
        a.pretrain_steps, a.sft_steps, a.pretrain_minutes, a.sft_minutes = 12, 8, 0, 0
    return a


def weights_parser(known, what):
    """argparse type: 'name=w,name=w' -> {name: w}; names must be in `known`, weights >= 0."""
    def parse(text):
        out = {}
        for part in filter(None, (p.strip() for p in text.split(","))):
            name, _, w = part.partition("=")
            if name not in known:
                raise argparse.ArgumentTypeError(f"unknown {what} source {name!r} (known: {', '.join(sorted(known))})")
            try:
                out[name] = float(w)
            except ValueError:
                raise argparse.ArgumentTypeError(f"weight of {name!r} is not a number: {w!r}") from None
            if not out[name] >= 0:
                raise argparse.ArgumentTypeError(f"weight of {name!r} must be >= 0")
        return out
    return parse


parse_weights = weights_parser(set(D.DIALOGUE_SOURCES) | set(SFT_REPLAY) | set(SFT_DERIVED), "fine-tune")
parse_pretrain_weights = weights_parser(set(D.SOURCES), "pretraining")


def main():
    a = parse()
    torch.set_num_threads(2)
    torch.manual_seed(a.seed)
    stages = a.stages.split(",")
    os.makedirs(a.work, exist_ok=True)
    with open(os.path.join(a.work, "args.json"), "w") as f:
        json.dump(vars(a), f, indent=2)
    data = None
    limit = 60 if a.smoke else None

    tok_dir = os.path.join(a.work, "tokenizer")
    if os.path.exists(os.path.join(tok_dir, "tokenizer.json")):
        tok = Tokenizer.load(tok_dir)
    else:
        assert "tokenizer" in stages, "tokenizer missing from --work"
        data = D.load_all(a.data, limit=limit)
        tok = train_tokenizer(data, a.vocab, log=log)
        tok.save(tok_dir, a.ctx)
    log(f"tokenizer: {tok.vocab_size} tokens")

    cache = os.path.join(a.work, "tokens.npz")
    if os.path.exists(cache):
        arrays = D.load_cache(cache)
    else:
        data = data or D.load_all(a.data, limit=limit)
        arrays = D.build_cache(tok, data, cache, log=log)
    names = list(D.SOURCES)
    dialog = D.DIALOGUE_SOURCES
    ev_tokens = 2000 if a.smoke else 16000

    cfg = LlamaCfg(vocab_size=tok.vocab_size, n_positions=a.ctx, n_embd=a.n_embd, n_layer=a.n_layer, n_head=a.n_head,
                   n_kv_head=a.n_kv_head, intermediate=a.intermediate)
    pre_dir, sft_dir = os.path.join(a.work, "pretrain"), os.path.join(a.work, "sft")
    summary_path = os.path.join(a.work, "summary.json")
    summary = json.load(open(summary_path)) if os.path.exists(summary_path) else {}

    if "pretrain" in stages:
        torch.manual_seed(a.seed)
        if a.grow_from and not os.path.exists(os.path.join(pre_dir, "ckpt.pt")):
            small, _ = load_model(a.grow_from)
            model, src = grow_depth(small, cfg)
            summary["grown_from"] = {"ckpt": a.grow_from, "n_layer": small.cfg.n_layer, "layer_sources": src}
            log(f"pretrain: grown from {a.grow_from} ({small.cfg.n_layer} -> {cfg.n_layer} layers, sources {src})")
        else:
            model = HearthLlama(cfg)  # a resumed run's weights come from its ckpt.pt in train()
        log(f"pretrain: {model.num_params() / 1e6:.2f}M params, {cfg}")
        mix = Mixture(streams(arrays, names, "train", {**PRETRAIN_WEIGHTS, **a.pretrain_weights}, False), a.ctx, a.seed)
        res = train(model, mix, pre_dir, a.pretrain_steps, a.bsz, a.pretrain_lr, warmup=min(200, a.pretrain_steps // 5),
                    time_limit=a.pretrain_minutes * 60 or None, use_mask=False, tag="pretrain", log=log,
                    log_every=2 if a.smoke else 20, ckpt_every=200,
                    eval_fn=heldout_eval_fn(arrays, dialog, a.ctx, ev_tokens), eval_every=0 if a.smoke else 1000,
                    auto_threads=not a.smoke, schedule="wsd",
                    opt_fn=optimizer_fn(a.optimizer, a.pretrain_lr, a.pretrain_muon_lr), compile=not a.smoke, bf16=precision_bf16(a.precision))
        summary["pretrain"] = {**res, "optimizer": a.optimizer}
        summary["pretrain_mix"] = mix.shares()
        json.dump(summary, open(summary_path, "w"), indent=2)

    if "sft" in stages:
        base, _ = load_model(os.path.join(pre_dir, "ckpt.pt"))
        model = base
        weights = {**{n: D.SOURCES[n][1] for n in dialog}, **SFT_REPLAY, **SFT_DERIVED, **a.sft_weights}
        sft_names = dialog + list(SFT_REPLAY) + [n for n in SFT_DERIVED if f"{n}/train/ids" in arrays]
        mix = Mixture(streams(arrays, sft_names, "train", weights, True), a.ctx, a.seed + 1)
        res = train(model, mix, sft_dir, a.sft_steps, a.bsz, a.sft_lr, warmup=min(50, a.sft_steps // 5),
                    time_limit=a.sft_minutes * 60 or None, use_mask=True, tag="sft", log=log,
                    log_every=2 if a.smoke else 20, ckpt_every=200, weight_decay=0.0,
                    eval_fn=heldout_eval_fn(arrays, dialog, a.ctx, ev_tokens), eval_every=0 if a.smoke else 500,
                    auto_threads=not a.smoke, schedule="wsd",
                    opt_fn=optimizer_fn(a.optimizer, a.sft_lr, a.sft_muon_lr), compile=not a.smoke, bf16=precision_bf16(a.precision))
        summary["sft"] = {**res, "optimizer": a.optimizer}
        summary["sft_mix"] = mix.shares()
        json.dump(summary, open(summary_path, "w"), indent=2)

    final = os.path.join(sft_dir, "ckpt.pt") if os.path.exists(os.path.join(sft_dir, "ckpt.pt")) else os.path.join(pre_dir, "ckpt.pt")
    if "export" in stages:
        from scripts.export.onnx_export import write_hf_folder
        model, _ = load_model(final)
        rules = {"no_repeat_ngram_size": a.no_repeat_ngram, "hearth_reply_repetition_penalty": a.reply_penalty,
                 "hearth_guidance_scale": a.guidance}
        write_hf_folder(model, tok, a.out, log=log, reply_rules=rules)
        # the same fp32 graph quantized by onnxruntime's own tools, for the comparison in eval
        from scripts.export import quantize as qz
        ort_dir = os.path.join(a.work, "ort-quant")
        os.makedirs(os.path.join(ort_dir, "onnx"), exist_ok=True)
        shutil.copy(os.path.join(a.out, "config.json"), ort_dir)
        fp32 = os.path.join(a.out, "onnx", "model.onnx")
        qz.quantize_int8_ort(fp32, os.path.join(ort_dir, "onnx", "model_quantized.onnx"))
        qz.quantize_q4_ort(fp32, os.path.join(ort_dir, "onnx", "model_q4.onnx"))
        check_parity(model)
        from scripts.tokenizer.fixture import write_fixture
        fx = write_fixture(a.out, os.path.join(a.out, "tokenizer_fixture.json") if a.smoke else None)
        log(f"exported {final} -> {a.out}; tokenizer fixture {fx}")

    if "eval" in stages:
        from scripts.eval.evaluate import evaluate
        model, _ = load_model(final)
        data = data or D.load_all(a.data, limit=limit)
        evaluate(model, tok, arrays, a.out, a.work, smoke=a.smoke, log=log, data=data)


if __name__ == "__main__":
    main()
