# Fine-tunes a shipped Hearth model folder (weights read back from onnx/model.onnx) on a
# JSON file of conversations, fully or with LoRA (--lora-rank, merged back into the weights),
# then re-exports the full folder (fp32 / q8 / q4 ONNX, tokenizer, configs).
#
# Input: Hearth's export file as the app downloads it ("Export all"; the branch on screen of each
# conversation is used, see scripts/train/hearth_export.py), or a JSON list of conversations,
#   [{"messages": [{"role": "system"|"user"|"assistant", "content": "..."}, ...]}, ...]
# Loss is on assistant turns only.  Example:
#   python -m scripts.train.finetune --model models/hearth-chat --data chats.json \
#       --out models/hearth-chat-ft --lora-rank 8 --steps 200
import argparse
import json
import math
import os
import sys

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, REPO)

import numpy as np  # noqa: E402
import onnx  # noqa: E402
from onnx import numpy_helper  # noqa: E402
import torch  # noqa: E402
import torch.nn as nn  # noqa: E402

from scripts.tokenizer.hf_bpe import Tokenizer  # noqa: E402
from scripts.train.data import encode_doc  # noqa: E402
from scripts.train.hearth_export import conversations_from_export, is_hearth_export  # noqa: E402
from scripts.train.model import GPT, GPTConfig  # noqa: E402
from scripts.train.trainer import train  # noqa: E402

ROLES = {"system", "user", "assistant"}


def load_llama_from_folder(model_dir, c):
    """Rebuild HearthLlama from config.json + onnx/model.onnx (names from onnx_export._name_llama_weights)."""
    from scripts.train.llama import HearthLlama, LlamaCfg
    heads = c["num_attention_heads"]
    cfg = LlamaCfg(vocab_size=c["vocab_size"], n_positions=c["max_position_embeddings"], n_embd=c["hidden_size"],
                   n_layer=c["num_hidden_layers"], n_head=heads, n_kv_head=c.get("num_key_value_heads", heads),
                   intermediate=c["intermediate_size"], rms_eps=c.get("rms_norm_eps", 1e-5),
                   rope_theta=c.get("rope_theta", (c.get("rope_parameters") or {}).get("rope_theta", 10000.0)))
    model = HearthLlama(cfg, init=False)
    m = onnx.load(os.path.join(model_dir, "onnx", "model.onnx"))
    weights = {}
    for i in m.graph.initializer:
        a = numpy_helper.to_array(i)
        if i.name.endswith(".weight_t"):
            weights[i.name[:-len("_t")]] = a.T
        elif i.name.startswith("model."):
            weights[i.name] = a
    sd = model.hf.state_dict()
    missing = [k for k in sd if k not in weights and k != "lm_head.weight"]
    if missing:
        raise ValueError(f"{model_dir}: weights missing from model.onnx: {missing[:5]}")
    model.hf.load_state_dict({k: torch.from_numpy(np.array(weights[k])) for k in sd if k in weights}, strict=False)
    return model


def load_from_folder(model_dir):
    """Rebuild the PyTorch model from an exported folder (config.json + onnx/model.onnx)."""
    c = json.load(open(os.path.join(model_dir, "config.json")))
    if c.get("model_type") == "llama":
        return load_llama_from_folder(model_dir, c)
    cfg = GPTConfig(vocab_size=c["vocab_size"], n_positions=c["n_positions"], n_embd=c["n_embd"],
                    n_layer=c["n_layer"], n_head=c["n_head"])
    model = GPT(cfg)
    m = onnx.load(os.path.join(model_dir, "onnx", "model.onnx"))
    weights = {i.name[len("model."):]: numpy_helper.to_array(i) for i in m.graph.initializer if i.name.startswith("model.")}
    sd = model.state_dict()
    missing = [k for k in sd if k not in weights and k != "lm_head.weight"]
    if missing:
        raise ValueError(f"{model_dir}: weights missing from model.onnx: {missing[:5]}")
    model.load_state_dict({k: torch.from_numpy(np.array(weights[k])) for k in sd if k in weights}, strict=False)
    return model


def load_conversations(path):
    convs = json.load(open(path, encoding="utf-8"))
    if is_hearth_export(convs):
        convs = conversations_from_export(convs, path)
    elif isinstance(convs, dict) and "conversations" in convs:
        convs = convs["conversations"]
    out = []
    for i, c in enumerate(convs):
        msgs = c["messages"] if isinstance(c, dict) else c
        for m in msgs:
            if m.get("role") not in ROLES or not isinstance(m.get("content"), str):
                raise ValueError(f"conversation {i}: bad message {m!r}")
        if any(m["role"] == "assistant" for m in msgs):
            out.append([{"role": m["role"], "content": m["content"]} for m in msgs])
    if not out:
        raise ValueError(f"{path}: no conversation with an assistant turn")
    return out


class ConversationBatches:
    """Seeded batches of whole conversations (first ctx+1 tokens), padded; mask = assistant tokens."""

    def __init__(self, tok, convs, ctx, seed):
        self.items = []
        for c in convs:
            ids, mask = encode_doc(tok, c)
            self.items.append((ids[:ctx + 1], mask[:ctx + 1]))
        self.ctx = ctx
        self.rng = np.random.default_rng(seed)

    def batch(self, bsz):
        pick = self.rng.integers(0, len(self.items), size=bsz)
        L = max(len(self.items[i][0]) for i in pick)
        x = np.zeros((bsz, L), dtype=np.int64)
        m = np.zeros((bsz, L), dtype=np.float32)
        for r, i in enumerate(pick):
            ids, mask = self.items[i]
            x[r, :len(ids)] = ids
            m[r, :len(mask)] = mask
        x, m = torch.from_numpy(x), torch.from_numpy(m)
        return x[:, :-1], x[:, 1:], m[:, 1:]

    def state(self):
        return self.rng.bit_generator.state

    def set_state(self, st):
        self.rng.bit_generator.state = st


class LoRA(nn.Module):
    """A linear layer plus a trainable low-rank update x @ A @ B * alpha / r. Works on nn.Linear
    (weight [out, in], Llama) and GPT-2's Conv1D (weight [in, out], bias)."""

    def __init__(self, base, rank, alpha):
        super().__init__()
        self.base = base
        self.linear = isinstance(base, nn.Linear)
        n_in, n_out = base.weight.shape[::-1] if self.linear else base.weight.shape
        self.A = nn.Parameter(torch.randn(n_in, rank) / math.sqrt(n_in))
        self.B = nn.Parameter(torch.zeros(rank, n_out))
        self.scale = alpha / rank

    def forward(self, x):
        return self.base(x) + (x @ self.A) @ self.B * self.scale

    def merged(self):
        with torch.no_grad():
            d = self.A @ self.B * self.scale
            self.base.weight += d.T if self.linear else d
        return self.base


def _lora_sites(model):
    if hasattr(model, "hf"):
        for layer in model.hf.model.layers:
            for parent, names in ((layer.self_attn, ("q_proj", "k_proj", "v_proj", "o_proj")),
                                  (layer.mlp, ("gate_proj", "up_proj", "down_proj"))):
                for name in names:
                    yield parent, name
        return
    for blk in model.transformer.h:
        for parent, name in ((blk.attn, "c_attn"), (blk.attn, "c_proj"), (blk.mlp, "c_fc"), (blk.mlp, "c_proj")):
            yield parent, name


def add_lora(model, rank, alpha):
    for p in model.parameters():
        p.requires_grad_(False)
    params = []
    for parent, name in _lora_sites(model):
        base = getattr(parent, name)
        lora = LoRA(base, rank, alpha)
        setattr(parent, name, lora)
        params += [lora.A, lora.B]
    return params


def merge_lora(model):
    for parent, name in list(_lora_sites(model)):
        mod = getattr(parent, name)
        if isinstance(mod, LoRA):
            setattr(parent, name, mod.merged())
    for p in model.parameters():
        p.requires_grad_(True)
    return model


def main(argv=None):
    ap = argparse.ArgumentParser(description="Fine-tune a Hearth model folder on conversations (JSON).")
    ap.add_argument("--model", default=os.path.join(REPO, "models", "hearth-chat"))
    ap.add_argument("--data", required=True, help="JSON list of {messages: [{role, content}]}")
    ap.add_argument("--out", required=True, help="folder to write the fine-tuned model to")
    ap.add_argument("--work", default=None, help="checkpoints/logs (default: <out>.work under runs/)")
    ap.add_argument("--lora-rank", type=int, default=0, help="0 = full fine-tune; >0 = LoRA rank (merged at the end)")
    ap.add_argument("--lora-alpha", type=float, default=None, help="LoRA alpha (default 2*rank)")
    ap.add_argument("--steps", type=int, default=200)
    ap.add_argument("--bsz", type=int, default=8)
    ap.add_argument("--lr", type=float, default=None, help="default 3e-4 full, 2e-3 LoRA")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--quantize", default="q8,q4", help="comma list of q8,q4 to write (empty for none)")
    a = ap.parse_args(argv)
    torch.set_num_threads(2)
    torch.manual_seed(a.seed)
    tok = Tokenizer.load(a.model)
    model = load_from_folder(a.model)
    convs = load_conversations(a.data)
    batches = ConversationBatches(tok, convs, model.cfg.n_positions, a.seed)
    if a.lora_rank > 0:
        params = add_lora(model, a.lora_rank, a.lora_alpha or 2.0 * a.lora_rank)
        lr = a.lr or 2e-3
    else:
        params = [p for p in model.parameters()]
        lr = a.lr or 3e-4
    work = a.work or os.path.join(REPO, "runs", "finetune-" + os.path.basename(os.path.abspath(a.out)))
    print(f"finetune: {len(convs)} conversations, {sum(p.numel() for p in params)} trainable params, lr {lr}")
    res = train(model, batches, work, a.steps, a.bsz, lr, warmup=min(20, a.steps // 5), weight_decay=0.0,
                log_every=max(1, a.steps // 20), ckpt_every=100, use_mask=True, params=params, tag="finetune")
    if a.lora_rank > 0:
        merge_lora(model)
    from scripts.export.onnx_export import write_hf_folder
    q = tuple(x for x in a.quantize.split(",") if x)
    # The source folder's reply rules (repetition penalty, n-gram guard, guidance) carry over.
    src_gen = json.load(open(os.path.join(a.model, "generation_config.json")))
    rules = {k: src_gen[k] for k in ("no_repeat_ngram_size", "hearth_reply_repetition_penalty", "hearth_guidance_scale") if k in src_gen}
    write_hf_folder(model, tok, a.out, quantize=q, reply_rules=rules)
    json.dump(res, open(os.path.join(work, "result.json"), "w"))
    print(f"finetune: wrote {a.out}")


if __name__ == "__main__":
    main()
