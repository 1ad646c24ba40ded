# Carries an unfinished training run from one build machine to the next. A run's work folder
# (`runs/`, gitignored) dies with its machine, and a full run of the default model (~3 hours of a
# 2-core machine) is longer than one working session, so a stopped run is packed into a small,
# pickle-free folder that can be committed, and unpacked into a new work folder where the same
# pipeline command resumes it:
#
#   .venv/bin/python -m scripts.train.carry pack --work runs/X --to checkpoints/X
#   .venv/bin/python -m scripts.train.carry unpack --from checkpoints/X --work runs/X
#
# What travels: the weights (safetensors, fp16 by default: 8.4 MB for the 4.2 M model), the
# tokenizer files (the token ids the weights mean), the step, tokens and training seconds (which
# drive the warmup-stable-decay schedule), the data sampler's and torch's random states, the run's
# arguments and its training log. What does not: the optimizer state (Muon momentum, AdamW
# moments; twice the weights' size). The trainer re-warms the learning rate over its warm-up steps
# when it resumes a checkpoint without optimizer state, as it does when a finished run is extended.
# The tokenized cache (`tokens.npz`) is rebuilt from the data and the carried tokenizer.
# A packed fine-tune (`--stage sft`) serves `--stages export,eval` on the next machine; to resume a
# fine-tune the pipeline also needs its pretraining checkpoint, so rerun a cut-short fine-tune instead.
import argparse
import base64
import json
import os
import shutil

import torch

from scripts.train.trainer import save_ckpt

FORMAT = "hearth-carried-run/1"
STAGES = ("pretrain", "sft")


def pack(work, dest, stage="pretrain", half=True):
    """work/<stage>/ckpt.pt (+ tokenizer, args, log) -> dest/ (model.safetensors, state.json, ...)."""
    from safetensors.torch import save_file
    ckpt = os.path.join(work, stage, "ckpt.pt")
    if not os.path.exists(ckpt):
        raise SystemExit(f"no checkpoint to pack: {ckpt}")
    ck = torch.load(ckpt, map_location="cpu", weights_only=False)
    os.makedirs(dest, exist_ok=True)
    dtype = torch.float16 if half else torch.float32
    # tied weights appear once (lm_head.weight shares the embedding's storage)
    seen, tensors = set(), {}
    for k, v in ck["model"].items():
        if v.data_ptr() in seen and k.endswith("lm_head.weight"):
            continue
        seen.add(v.data_ptr())
        tensors[k] = v.detach().to(dtype).contiguous()
    save_file(tensors, os.path.join(dest, "model.safetensors"))
    state = {
        "format": FORMAT, "stage": stage, "cfg": ck["cfg"], "step": ck["step"], "extra": ck["extra"],
        "weights_dtype": str(dtype).replace("torch.", ""),
        "mixture": ck.get("mixture"),
        "torch_rng": base64.b64encode(ck["torch_rng"].numpy().tobytes()).decode("ascii"),
    }
    with open(os.path.join(dest, "state.json"), "w") as f:
        json.dump(state, f, indent=1)
    tok_dest = os.path.join(dest, "tokenizer")
    shutil.rmtree(tok_dest, ignore_errors=True)
    shutil.copytree(os.path.join(work, "tokenizer"), tok_dest)
    for name, src in (("args.json", os.path.join(work, "args.json")), ("log.jsonl", os.path.join(work, stage, "log.jsonl"))):
        if os.path.exists(src):
            shutil.copy(src, os.path.join(dest, name))
    return state


def unpack(src, work):
    """dest of `pack` -> work/tokenizer and work/<stage>/ckpt.pt (no optimizer state), ready for the
    pipeline to resume. Refuses to overwrite a work folder that already has that checkpoint."""
    from safetensors.torch import load_file
    from scripts.train.trainer import build_model
    state_path = os.path.join(src, "state.json")
    if not os.path.exists(state_path):
        raise SystemExit(f"{src}: not a carried run (no state.json)")
    with open(state_path) as f:
        state = json.load(f)
    if state.get("format") != FORMAT:
        raise SystemExit(f"{src}: not a carried run ({state.get('format')!r})")
    if state["stage"] not in STAGES:
        raise SystemExit(f"{src}: unknown stage {state['stage']!r}")
    stage_dir = os.path.join(work, state["stage"])
    ckpt = os.path.join(stage_dir, "ckpt.pt")
    if os.path.exists(ckpt):
        raise SystemExit(f"{ckpt} exists; unpack into a new work folder")
    model = build_model(state["cfg"])
    tensors = load_file(os.path.join(src, "model.safetensors"))
    missing, unexpected = model.load_state_dict({k: v.float() for k, v in tensors.items()}, strict=False)
    # only the tied output matrix may be missing: it is the embedding
    missing = [k for k in missing if not k.endswith("lm_head.weight")]
    if missing or unexpected:
        raise SystemExit(f"{src}: weights do not fit the config (missing {missing}, unexpected {unexpected})")
    if hasattr(model, "hf"):
        model.hf.tie_weights()
    tok_dir = os.path.join(work, "tokenizer")
    if os.path.exists(tok_dir):
        raise SystemExit(f"{tok_dir} exists; unpack into a new work folder")
    shutil.copytree(os.path.join(src, "tokenizer"), tok_dir)
    os.makedirs(stage_dir, exist_ok=True)

    class _Mix:  # save_ckpt reads the sampler's state through .state()
        def state(self):
            return state["mixture"]

    rng = torch.frombuffer(bytearray(base64.b64decode(state["torch_rng"])), dtype=torch.uint8)
    prev = torch.get_rng_state()
    torch.set_rng_state(rng)
    try:
        save_ckpt(ckpt, model, [], state["step"], _Mix(), {**state["extra"], "carried": True})
    finally:
        torch.set_rng_state(prev)
    if os.path.exists(os.path.join(src, "log.jsonl")):
        shutil.copy(os.path.join(src, "log.jsonl"), os.path.join(stage_dir, "log.jsonl"))
    return state


def main():
    ap = argparse.ArgumentParser(description="Carry an unfinished training run to another machine.")
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("pack", help="work folder -> a small folder to commit")
    p.add_argument("--work", required=True)
    p.add_argument("--to", required=True)
    p.add_argument("--stage", default="pretrain", choices=STAGES)
    p.add_argument("--fp32", action="store_true", help="keep the weights in fp32 (twice the size)")
    u = sub.add_parser("unpack", help="a packed folder -> a new work folder the pipeline resumes")
    u.add_argument("--from", dest="src", required=True)
    u.add_argument("--work", required=True)
    a = ap.parse_args()
    if a.cmd == "pack":
        st = pack(a.work, a.to, a.stage, half=not a.fp32)
        print(f"packed {a.stage} step {st['step']} ({st['extra'].get('tokens', 0) / 1e6:.1f} M tokens) -> {a.to}")
    else:
        st = unpack(a.src, a.work)
        print(f"unpacked {st['stage']} step {st['step']} -> {a.work}; rerun the run's pipeline command with --work {a.work}")


if __name__ == "__main__":
    main()
