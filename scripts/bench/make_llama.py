# Builds a Llama-layout decoder (RMSNorm, rotary positions, grouped-query attention, SwiGLU MLP,
# tied embeddings) with random weights as a transformers.js model folder: config.json,
# generation_config.json, a tokenizer (copied from an existing model, its vocabulary padded with
# filler tokens to --vocab), onnx/model.onnx (fp32) and onnx/model_quantized.onnx (q8, by the
# project's quantizer). Inputs input_ids / attention_mask / position_ids / past_key_values.N.key
# and .value, outputs logits / present.N.key and .value, as optimum exports them. Needs only the
# `onnx` package and numpy. Used by `npm run bench` (a SmolLM2-135M-shaped model, written to the
# gitignored .cache/) and for the tiny Llama-layout test fixture:
#   python scripts/bench/make_llama.py --out DIR [--shape smollm2-135m|tiny] [--dtypes fp32,q8]
import argparse
import json
import os
import shutil
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, REPO)
from scripts.export.quantize import quantize_int8  # noqa: E402

SHAPES = {
    # HuggingFaceTB/SmolLM2-135M-Instruct's config.
    "smollm2-135m": dict(layers=30, hidden=576, heads=9, kv_heads=3, inter=1536, vocab=49152, ctx=2048, tokenizer="hearth-chat"),
    "tiny": dict(layers=2, hidden=64, heads=4, kv_heads=2, inter=128, vocab=1024, ctx=256, tokenizer="hearth-test-tiny"),
}


def build(layers, hidden, heads, kv_heads, inter, vocab, ctx, seed=0, theta=10000.0, eps=1e-5):
    rng = np.random.default_rng(seed)
    hd = hidden // heads
    rep = heads // kv_heads
    inits, nodes = [], []

    def const(name, arr):
        inits.append(numpy_helper.from_array(np.asarray(arr), name))
        return name

    def node(op, ins, outs, **kw):
        nodes.append(helper.make_node(op, ins, outs, name=f"n{len(nodes)}_{op}", **kw))
        return outs[0]

    def weight(name, shape, std):
        return const(name, (rng.standard_normal(shape) * std).astype(np.float32))

    def rmsnorm(x, name):
        w = const(name, np.ones(hidden, np.float32))
        sq = node("Pow", [x, "two"], [f"{name}_sq"])
        ms = node("ReduceMean", [sq], [f"{name}_ms"], axes=[-1], keepdims=1)
        r = node("Sqrt", [node("Add", [ms, "eps"], [f"{name}_mse"])], [f"{name}_rms"])
        return node("Mul", [node("Div", [x, r], [f"{name}_n"]), w], [f"{name}_out"])

    const("two", np.array(2.0, np.float32))
    const("eps", np.array(eps, np.float32))
    const("zero_f", np.array(0.0, np.float32))
    const("neg_inf", np.array(-3.0e38, np.float32))
    const("one_i", np.array(1, np.int64))
    const("idx0", np.array(0, np.int64))
    const("idx1", np.array(1, np.int64))
    const("ax1", np.array([1], np.int64))
    const("ax0", np.array([0], np.int64))
    const("ax12", np.array([1, 2], np.int64))
    const("ax2", np.array([2], np.int64))
    const("scale", np.array(1.0 / np.sqrt(hd), np.float32))
    half = hd // 2
    inv = 1.0 / (theta ** (np.arange(half, dtype=np.float64) * 2 / hd))
    ang = np.arange(ctx, dtype=np.float64)[:, None] * inv[None, :]
    const("cos_cache", np.cos(ang).astype(np.float32))
    const("sin_cache", np.sin(ang).astype(np.float32))
    for n, v in [("s0", [0]), ("sh", [half]), ("se", [hd]), ("ax3", [3])]:
        const(n, np.array(v, np.int64))
    const("shape_q", np.array([0, 0, heads, hd], np.int64))
    const("shape_kv", np.array([0, 0, kv_heads, hd], np.int64))
    const("shape_rep", np.array([0, heads, -1, hd], np.int64))
    const("shape_out", np.array([0, 0, heads * hd], np.int64))

    # The embedding std keeps logits (tied head) spread out, so greedy choices are not near-ties.
    emb = weight("model.embed_tokens.weight", (vocab, hidden), 0.5)
    x = node("Gather", [emb, "input_ids"], ["embeds"])
    cos = node("Unsqueeze", [node("Gather", ["cos_cache", "position_ids"], ["cos_g"]), "ax1"], ["cos"])
    sin = node("Unsqueeze", [node("Gather", ["sin_cache", "position_ids"], ["sin_g"]), "ax1"], ["sin"])
    # Attention bias [B, 1, S, T]: causal (key position <= query position) and the padding mask.
    s_len = node("Gather", [node("Shape", ["input_ids"], ["ids_shape"]), "idx1"], ["s_len"])
    t_len = node("Gather", [node("Shape", ["attention_mask"], ["am_shape"]), "idx1"], ["t_len"])
    past_len = node("Sub", [t_len, s_len], ["past_len"])
    q_pos = node("Unsqueeze", [node("Range", [past_len, t_len, "one_i"], ["q_pos0"]), "ax1"], ["q_pos"])
    k_pos = node("Unsqueeze", [node("Range", ["idx0", t_len, "one_i"], ["k_pos0"]), "ax0"], ["k_pos"])
    causal = node("LessOrEqual", [k_pos, q_pos], ["causal"])
    am = node("Unsqueeze", [node("Cast", ["attention_mask"], ["am_b"], to=TensorProto.BOOL), "ax12"], ["am4"])
    allowed = node("And", [causal, am], ["allowed"])
    bias = node("Where", [allowed, "zero_f", "neg_inf"], ["attn_bias"])

    def rope(t, name):
        a = node("Slice", [t, "s0", "sh", "ax3"], [f"{name}_a"])
        b = node("Slice", [t, "sh", "se", "ax3"], [f"{name}_b"])
        ra = node("Sub", [node("Mul", [a, cos], [f"{name}_ac"]), node("Mul", [b, sin], [f"{name}_bs"])], [f"{name}_ra"])
        rb = node("Add", [node("Mul", [b, cos], [f"{name}_bc"]), node("Mul", [a, sin], [f"{name}_as"])], [f"{name}_rb"])
        return node("Concat", [ra, rb], [f"{name}_rot"], axis=3)

    def heads_first(t, shape, name):
        r = node("Reshape", [t, shape], [f"{name}_r"])
        return node("Transpose", [r], [f"{name}_t"], perm=[0, 2, 1, 3])

    inputs = [
        helper.make_tensor_value_info("input_ids", TensorProto.INT64, ["batch_size", "sequence_length"]),
        helper.make_tensor_value_info("attention_mask", TensorProto.INT64, ["batch_size", "total_sequence_length"]),
        helper.make_tensor_value_info("position_ids", TensorProto.INT64, ["batch_size", "sequence_length"]),
    ]
    outputs = [helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["batch_size", "sequence_length", vocab])]
    std = 2.0 / np.sqrt(hidden)  # large enough that the layers, not only the embedding, pick the next token
    for i in range(layers):
        p = f"model.layers.{i}"
        for kind in ("key", "value"):
            inputs.append(helper.make_tensor_value_info(f"past_key_values.{i}.{kind}", TensorProto.FLOAT, ["batch_size", kv_heads, "past_sequence_length", hd]))
            outputs.append(helper.make_tensor_value_info(f"present.{i}.{kind}", TensorProto.FLOAT, ["batch_size", kv_heads, "total_sequence_length", hd]))
        h = rmsnorm(x, f"{p}.input_layernorm.weight")
        q = heads_first(node("MatMul", [h, weight(f"{p}.q_proj", (hidden, heads * hd), std)], [f"{p}.q"]), "shape_q", f"{p}.q")
        k = heads_first(node("MatMul", [h, weight(f"{p}.k_proj", (hidden, kv_heads * hd), std)], [f"{p}.k"]), "shape_kv", f"{p}.k")
        v = heads_first(node("MatMul", [h, weight(f"{p}.v_proj", (hidden, kv_heads * hd), std)], [f"{p}.v"]), "shape_kv", f"{p}.v")
        q, k = rope(q, f"{p}.q"), rope(k, f"{p}.k")
        pk = node("Concat", [f"past_key_values.{i}.key", k], [f"present.{i}.key"], axis=2)
        pv = node("Concat", [f"past_key_values.{i}.value", v], [f"present.{i}.value"], axis=2)
        if rep > 1:  # grouped-query attention: each KV head serves `rep` query heads
            pk = node("Reshape", [node("Concat", [node("Unsqueeze", [pk, "ax2"], [f"{p}.ku"])] * rep, [f"{p}.kc"], axis=2), "shape_rep"], [f"{p}.kx"])
            pv = node("Reshape", [node("Concat", [node("Unsqueeze", [pv, "ax2"], [f"{p}.vu"])] * rep, [f"{p}.vc"], axis=2), "shape_rep"], [f"{p}.vx"])
        kt = node("Transpose", [pk], [f"{p}.kT"], perm=[0, 1, 3, 2])
        scores = node("Add", [node("Mul", [node("MatMul", [q, kt], [f"{p}.qk"]), "scale"], [f"{p}.qks"]), bias], [f"{p}.qkb"])
        probs = node("Softmax", [scores], [f"{p}.probs"], axis=-1)
        ctx_ = node("MatMul", [probs, pv], [f"{p}.ctx"])
        ctx_ = node("Reshape", [node("Transpose", [ctx_], [f"{p}.ctxT"], perm=[0, 2, 1, 3]), "shape_out"], [f"{p}.ctxr"])
        o = node("MatMul", [ctx_, weight(f"{p}.o_proj", (heads * hd, hidden), std)], [f"{p}.o"])
        x = node("Add", [x, o], [f"{p}.res1"])
        h = rmsnorm(x, f"{p}.post_attention_layernorm.weight")
        g = node("MatMul", [h, weight(f"{p}.gate_proj", (hidden, inter), std)], [f"{p}.gate"])
        u = node("MatMul", [h, weight(f"{p}.up_proj", (hidden, inter), std)], [f"{p}.up"])
        act = node("Mul", [node("Mul", [g, node("Sigmoid", [g], [f"{p}.sig"])], [f"{p}.silu"]), u], [f"{p}.act"])
        d = node("MatMul", [act, weight(f"{p}.down_proj", (inter, hidden), 2.0 / np.sqrt(inter))], [f"{p}.down"])
        x = node("Add", [x, d], [f"{p}.res2"])
    x = rmsnorm(x, "model.norm.weight")
    head = node("Transpose", [emb], ["lm_head.weight_T"], perm=[1, 0])
    node("MatMul", [x, head], ["logits"])
    graph = helper.make_graph(nodes, "llama", inputs, outputs, inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], producer_name="hearth-make-llama")
    model.ir_version = 8
    return model


def write_tokenizer(src, out, vocab):
    """Copies src's tokenizer and pads its vocabulary with filler tokens up to `vocab` ids."""
    for f in ("tokenizer_config.json",):
        shutil.copy(os.path.join(src, f), os.path.join(out, f))
    tok = json.load(open(os.path.join(src, "tokenizer.json")))
    table = tok["model"]["vocab"]
    used = set(table.values()) | {t["id"] for t in tok["added_tokens"]}
    for i in range(vocab):
        if i not in used:
            table[f"x{i}"] = i
    json.dump(tok, open(os.path.join(out, "tokenizer.json"), "w"))
    return json.load(open(os.path.join(src, "generation_config.json")))


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--out", required=True)
    ap.add_argument("--shape", default="smollm2-135m", choices=sorted(SHAPES))
    ap.add_argument("--dtypes", default="fp32,q8")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    s = SHAPES[args.shape]
    os.makedirs(os.path.join(args.out, "onnx"), exist_ok=True)
    gen = write_tokenizer(os.path.join(REPO, "models", s["tokenizer"]), args.out, s["vocab"])
    gen["max_length"] = s["ctx"]
    # hearth-chat's own reply rules (guidance, reply penalty) are not in a Hub model's
    # generation_config: without this the bench's SmolLM2 stand-in was guided (two runs per token)
    # where the catalog's SmolLM2 is not
    for k in [k for k in gen if k.startswith("hearth_")]:
        del gen[k]
    json.dump(gen, open(os.path.join(args.out, "generation_config.json"), "w"), indent=2)
    eos = gen["eos_token_id"]
    config = {
        "architectures": ["LlamaForCausalLM"], "model_type": "llama", "vocab_size": s["vocab"],
        "hidden_size": s["hidden"], "intermediate_size": s["inter"], "num_hidden_layers": s["layers"],
        "num_attention_heads": s["heads"], "num_key_value_heads": s["kv_heads"], "head_dim": s["hidden"] // s["heads"],
        "max_position_embeddings": s["ctx"], "rms_norm_eps": 1e-5, "rope_theta": 10000.0, "hidden_act": "silu",
        "tie_word_embeddings": True, "bos_token_id": gen.get("bos_token_id", 0), "eos_token_id": eos,
        "pad_token_id": gen.get("pad_token_id", 0), "use_cache": True, "torch_dtype": "float32",
    }
    json.dump(config, open(os.path.join(args.out, "config.json"), "w"), indent=2)
    model = build(s["layers"], s["hidden"], s["heads"], s["kv_heads"], s["inter"], s["vocab"], s["ctx"], seed=args.seed)
    fp32 = os.path.join(args.out, "onnx", "model.onnx")
    onnx.save(model, fp32)
    dtypes = args.dtypes.split(",")
    if "q8" in dtypes:
        quantize_int8(fp32, os.path.join(args.out, "onnx", "model_quantized.onnx"))
    if "fp32" not in dtypes:
        os.remove(fp32)
    print(f"wrote {args.out} ({args.shape})")


if __name__ == "__main__":
    main()
