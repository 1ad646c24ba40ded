# Exports a trained GPT (scripts/train/model.py) to the folder layout transformers.js
# loads: config.json, generation_config.json, tokenizer files and onnx/model.onnx with
# KV cache (inputs input_ids, attention_mask, position_ids, past_key_values.N.key/value;
# outputs logits, present.N.key/value; batch axis named "batch_size").
import json
import os
import re

import numpy as np
import onnx
from onnx import helper, numpy_helper
import torch

from scripts.train.model import GPT


class _Wrapper(torch.nn.Module):
    def __init__(self, model):
        super().__init__()
        self.model = model
        self.n_layer = model.cfg.n_layer

    def forward(self, input_ids, attention_mask, position_ids, *past_flat):
        past = [(past_flat[2 * i], past_flat[2 * i + 1]) for i in range(self.n_layer)]
        logits, presents = self.model.forward_cached(input_ids, attention_mask, position_ids, past)
        out = [logits]
        for k, v in presents:
            out += [k, v]
        return tuple(out)


def _embedding(model):
    if hasattr(model, "hf"):
        return model.hf.model.embed_tokens.weight
    return model.transformer.wte.weight


def export_model_onnx(model: GPT, path, opset=17):
    """Trace the cached forward to ONNX, then store lm_head as Transpose(wte) (no duplicate table)."""
    cfg = model.cfg
    model = model.float().eval()
    hd = getattr(cfg, "head_dim", cfg.n_embd // cfg.n_head)
    kv_heads = getattr(cfg, "n_kv_head", cfg.n_head)
    B, T, P = 2, 3, 4
    ids = torch.randint(0, cfg.vocab_size, (B, T))
    am = torch.ones(B, P + T, dtype=torch.int64)
    pos = torch.arange(P, P + T).unsqueeze(0).repeat(B, 1)
    past = []
    in_names = ["input_ids", "attention_mask", "position_ids"]
    out_names = ["logits"]
    axes = {
        "input_ids": {0: "batch_size", 1: "sequence_length"},
        "attention_mask": {0: "batch_size", 1: "total_sequence_length"},
        "position_ids": {0: "batch_size", 1: "sequence_length"},
        "logits": {0: "batch_size", 1: "sequence_length"},
    }
    for i in range(cfg.n_layer):
        for kv in ("key", "value"):
            past.append(torch.randn(B, kv_heads, P, hd))
            n_in, n_out = f"past_key_values.{i}.{kv}", f"present.{i}.{kv}"
            in_names.append(n_in)
            out_names.append(n_out)
            axes[n_in] = {0: "batch_size", 2: "past_sequence_length"}
            axes[n_out] = {0: "batch_size", 2: "total_sequence_length"}
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    with torch.no_grad():
        torch.onnx.export(
            _Wrapper(model), (ids, am, pos, *past), path, input_names=in_names, output_names=out_names,
            dynamic_axes=axes, opset_version=opset, do_constant_folding=True, dynamo=False,
        )
    m = onnx.load(path)
    if hasattr(model, "hf"):
        _name_llama_weights(m, cfg.n_layer)
    _tie_lm_head(m, _embedding(model).detach().numpy())
    onnx.checker.check_model(m)
    onnx.save(m, path)
    return path


LLAMA_PROJ = [("self_attn", "q_proj"), ("self_attn", "k_proj"), ("self_attn", "v_proj"), ("self_attn", "o_proj"),
              ("mlp", "gate_proj"), ("mlp", "up_proj"), ("mlp", "down_proj")]


def _rename(g, old, new):
    for i in g.initializer:
        if i.name == old:
            i.name = new
    for node in g.node:
        for k, x in enumerate(node.input):
            if x == old:
                node.input[k] = new


def _name_llama_weights(m, n_layer):
    """Give the initializers transformers' names: "model.hf.model.X" -> "model.X", and the
    folded, transposed projection weights ("onnx::MatMul_N", [in, out]) -> "model.layers.L.<proj>.weight_t"
    (MatMul nodes come layer by layer in q, k, v, o, gate, up, down order)."""
    g = m.graph
    for i in list(g.initializer):
        if i.name.startswith("model.hf."):
            _rename(g, i.name, i.name[len("model.hf."):])
    inits = {i.name for i in g.initializer}
    seen = {}
    for node in g.node:
        if node.op_type != "MatMul" or node.input[1] not in inits:
            continue
        proj = node.name.rstrip("/").split("/")[-2] if "/" in node.name else ""
        proj = re.sub(r"_\d+$", "", proj)  # "/q_proj_1/MatMul" is layer 1's
        match = [sp for sp in LLAMA_PROJ if sp[1] == proj]
        if not match:
            continue
        layer = seen.get(proj, 0)
        seen[proj] = layer + 1
        _rename(g, node.input[1], f"model.layers.{layer}.{match[0][0]}.{proj}.weight_t")
    assert all(v == n_layer for v in seen.values()) and len(seen) == len(LLAMA_PROJ), seen


def _tie_lm_head(m, wte):
    """torch.onnx writes the tied lm_head as its own [C, V] initializer; replace it with
    Transpose(wte) so the file holds the table once (ORT folds the Transpose at load)."""
    g = m.graph
    inits = {i.name: i for i in g.initializer}
    wte_name = next((n for n, t in inits.items() if tuple(t.dims) == wte.shape and np.array_equal(numpy_helper.to_array(t), wte)), None)
    if wte_name is None:
        return
    for node in g.node:
        if node.op_type != "MatMul":
            continue
        w = inits.get(node.input[1])
        if w is None or tuple(w.dims) != wte.shape[::-1]:
            continue
        if not np.array_equal(numpy_helper.to_array(w), wte.T):
            continue
        tname = "lm_head.weight_T"
        g.node.insert(0, helper.make_node("Transpose", [wte_name], [tname], perm=[1, 0], name="lm_head_tied_transpose"))
        old = node.input[1]
        node.input[1] = tname
        if not any(old in n.input for n in g.node):
            g.initializer.remove(inits[old])
        # keep topological order: the Transpose must come first (it depends only on an initializer)
        return


def hf_config(cfg, extra=None):
    c = {
        "architectures": ["GPT2LMHeadModel"],
        "model_type": "gpt2",
        "vocab_size": cfg.vocab_size,
        "n_positions": cfg.n_positions,
        "n_ctx": cfg.n_positions,
        "max_position_embeddings": cfg.n_positions,
        "n_embd": cfg.n_embd,
        "n_layer": cfg.n_layer,
        "n_head": cfg.n_head,
        "n_inner": None,
        "activation_function": "gelu_new",
        "layer_norm_epsilon": 1e-5,
        "resid_pdrop": 0.0, "embd_pdrop": 0.0, "attn_pdrop": 0.0,
        "initializer_range": 0.02,
        "scale_attn_weights": True,
        "tie_word_embeddings": True,
        "use_cache": True,
        "bos_token_id": 0,
        "eos_token_id": 0,
        "pad_token_id": 0,
        "torch_dtype": "float32",
    }
    if extra:
        c.update(extra)
    return c


def llama_hf_config(model, extra=None):
    """config.json straight from transformers' LlamaConfig (model_type "llama")."""
    c = model.hf.config.to_dict()
    c["architectures"] = ["LlamaForCausalLM"]
    c["torch_dtype"] = "float32"
    c.pop("_attn_implementation_autoset", None)
    c.pop("dtype", None)
    c.setdefault("transformers_version", None)
    if extra:
        c.update(extra)
    return c


def write_hf_folder(model, tok, out_dir, quantize=("q8", "q4"), extra_config=None, log=print, reply_rules=None):
    """Write the full model folder: configs, tokenizer, fp32 ONNX and quantized variants.
    `reply_rules`: how the app decodes replies (workers/sampling.ts, replyRules), e.g.
    {"no_repeat_ngram_size": 4, "hearth_reply_repetition_penalty": 1.2, "hearth_guidance_scale": 2.0}."""
    from scripts.export import quantize as qz

    cfg = model.cfg
    os.makedirs(os.path.join(out_dir, "onnx"), exist_ok=True)
    with open(os.path.join(out_dir, "config.json"), "w") as f:
        conf = llama_hf_config(model, extra_config) if hasattr(model, "hf") else hf_config(cfg, extra_config)
        json.dump(conf, f, indent=2)
    end_id = tok.token_id("<|end|>")
    gen = {"bos_token_id": 0, "eos_token_id": [end_id, 0], "pad_token_id": 0,
           "max_length": cfg.n_positions, "do_sample": False, **(reply_rules or {})}
    with open(os.path.join(out_dir, "generation_config.json"), "w") as f:
        json.dump(gen, f, indent=2)
    tok.save(out_dir, model_max_length=cfg.n_positions)
    fp32 = os.path.join(out_dir, "onnx", "model.onnx")
    export_model_onnx(model, fp32)
    log(f"wrote {fp32} ({os.path.getsize(fp32) / 1e6:.2f} MB)")
    if "q8" in quantize:
        p = os.path.join(out_dir, "onnx", "model_quantized.onnx")
        qz.quantize_int8(fp32, p)
        log(f"wrote {p} ({os.path.getsize(p) / 1e6:.2f} MB)")
    if "q4" in quantize:
        p = os.path.join(out_dir, "onnx", "model_q4.onnx")
        qz.quantize_q4(fp32, p)
        log(f"wrote {p} ({os.path.getsize(p) / 1e6:.2f} MB)")
    return out_dir
