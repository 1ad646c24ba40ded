# Weight quantization of the exported fp32 ONNX graph with the plain `onnx` package:
#  - q8: every MatMul with a constant weight becomes DynamicQuantizeLinear -> MatMulInteger
#        (uint8 activations, int8 symmetric per-output-column weights) -> Cast -> Mul(scale);
#        the token embedding (shared with the tied lm_head) is stored once as int8 per row.
#        Exception: MatMuls named in WEIGHT_ONLY keep int8 weights but run in float (Cast * scale,
#        constant-folded at load), see below.
#  - q4: every MatMul with a constant weight becomes com.microsoft MatMulNBits (bits 4,
#        block 32, symmetric, implicit zero point 8); the embedding Gather uses an int8 table.
import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

BLOCK = 32
# The Llama MLP's down_proj reads the SwiGLU product, whose outliers DynamicQuantizeLinear's single
# uint8 scale per tensor cannot hold: measured on the eighth Llama run
# (docs/model-runs/2026-12-02-llama-eighth), int8 activations there cost +0.147 nats per token on
# held-out oasst against +0.002 with down_proj in float; the other projections cost ~0.
WEIGHT_ONLY = ("down_proj",)


def _inits(g):
    return {i.name: i for i in g.initializer}


def _quant_rows_int8(w):
    """Symmetric int8 per row of w [R, C] -> (q int8 [R, C], scale float32 [R])."""
    amax = np.abs(w).max(axis=1)
    scale = np.where(amax > 0, amax / 127.0, 1.0).astype(np.float32)
    q = np.clip(np.rint(w / scale[:, None]), -127, 127).astype(np.int8)
    return q, scale


def _quant_q4(wt):
    """wt [N, K] (already transposed: one row per output) -> packed uint8 [N, K/32, 16], scales [N, K/32]."""
    N, K = wt.shape
    assert K % BLOCK == 0, f"K={K} must be a multiple of {BLOCK}"
    blocks = wt.reshape(N, K // BLOCK, BLOCK)
    amax = np.abs(blocks).max(axis=2)
    scale = np.where(amax > 0, amax / 7.0, 1.0).astype(np.float32)
    q = np.clip(np.rint(blocks / scale[:, :, None]), -8, 7).astype(np.int16) + 8  # codes 0..15
    q = q.astype(np.uint8)
    packed = (q[:, :, 0::2] | (q[:, :, 1::2] << 4)).astype(np.uint8)  # low nibble first
    return packed, scale


def _find_embedding(g, inits):
    """Return (gather_node, wte_name) for the token-embedding Gather on input_ids' path."""
    # the token embedding is the larger gathered table (wpe is [n_positions, C])
    cands = [i for i, m in enumerate(g) if m.op_type == "Gather" and m.input[0] in inits and len(inits[m.input[0]].dims) == 2]
    if not cands:
        raise RuntimeError("no embedding Gather found")
    best = max(cands, key=lambda i: inits[g[i].input[0]].dims[0])
    return best, g[best].input[0]


def _replace_embedding_int8(gather, inits, wte_name, new_nodes, new_inits):
    """Embedding lookup from an int8 table: Gather(q) -> Cast -> Mul(Unsqueeze(Gather(scale)))."""
    w = numpy_helper.to_array(inits[wte_name]).astype(np.float32)
    q, s = _quant_rows_int8(w)
    qn, sn = wte_name + "_int8", wte_name + "_scale"
    new_inits += [numpy_helper.from_array(q, qn), numpy_helper.from_array(s, sn)]
    ids, out = gather.input[1], gather.output[0]
    pre = "emb_q"
    new_nodes += [
        helper.make_node("Gather", [qn, ids], [pre + "_rows"], axis=0, name=pre + "_gather"),
        helper.make_node("Cast", [pre + "_rows"], [pre + "_rows_f"], to=TensorProto.FLOAT, name=pre + "_cast"),
        helper.make_node("Gather", [sn, ids], [pre + "_s"], axis=0, name=pre + "_gather_s"),
        helper.make_node("Unsqueeze", [pre + "_s", pre + "_axes"], [pre + "_s3"], name=pre + "_unsq"),
        helper.make_node("Mul", [pre + "_rows_f", pre + "_s3"], [out], name=pre + "_mul"),
    ]
    new_inits.append(numpy_helper.from_array(np.array([-1], dtype=np.int64), pre + "_axes"))
    return q, s, qn, sn


def _weight_of_matmul(node, nodes, inits, producers):
    """Constant weight [K, N] of a MatMul: an initializer, or Transpose(initializer) (tied lm_head)."""
    b = node.input[1]
    if b in inits and len(inits[b].dims) == 2:
        return numpy_helper.to_array(inits[b]), b, None
    pi = producers.get(b)
    p = nodes[pi] if pi is not None else None
    if p is not None and p.op_type == "Transpose" and p.input[0] in inits:
        return numpy_helper.to_array(inits[p.input[0]]).T, b, pi
    return None, None, None


def _rebuild(m, nodes, drop_nodes, new_nodes, new_inits, replace_at):
    """Replace nodes (by index, keeping topological order) and drop unused initializers."""
    g = m.graph
    out = []
    for key, n in enumerate(nodes):
        if key in replace_at:
            out.extend(replace_at[key])
        elif key not in drop_nodes:
            out.append(n)
    out = new_nodes + out  # new_nodes only depend on graph inputs/initializers
    copies = []
    for n in out:
        c = onnx.NodeProto()
        c.CopyFrom(n)
        copies.append(c)
    out = copies
    del g.node[:]
    g.node.extend(out)
    g.initializer.extend(new_inits)
    used = {i for n in g.node for i in n.input}
    keep = [i for i in g.initializer if i.name in used]
    del g.initializer[:]
    g.initializer.extend(keep)


def _rewrite(src, quantize_matmul):
    """Load src, swap the embedding Gather for the int8 table, and replace every MatMul with a
    constant weight by what `quantize_matmul(k, node, w, tied, emb, new_nodes, new_inits)` returns
    (w is [K, N]; tied: the lm_head on the embedding table, emb: its (q, scale, q name, scale name))."""
    m = onnx.load(src)
    inits = _inits(m.graph)
    nodes = list(m.graph.node)
    producers = {o: i for i, n in enumerate(nodes) for o in n.output}
    new_nodes, new_inits, replace_at, drop = [], [], {}, set()
    gi, wte_name = _find_embedding(nodes, inits)
    emb = _replace_embedding_int8(nodes[gi], inits, wte_name, new_nodes, new_inits)
    drop.add(gi)
    for k, n in enumerate(nodes):
        if n.op_type != "MatMul":
            continue
        w, _, tr = _weight_of_matmul(n, nodes, inits, producers)
        if w is None:
            continue
        if tr is not None:
            drop.add(tr)  # the Transpose of the tied lm_head is folded into the replacement
        tied = tr is not None and nodes[tr].input[0] == wte_name
        replace_at[k] = quantize_matmul(k, n, w, tied, emb, new_nodes, new_inits)
    _rebuild(m, nodes, drop, new_nodes, new_inits, replace_at)
    return m


def _weight_only_int8(p, n, w, new_inits):
    """int8 per-output-column weights, dequantized by constant nodes (folded by ORT at load) and
    multiplied in float: the file keeps int8's size, the activations keep their precision."""
    q, s = _quant_rows_int8(np.ascontiguousarray(w.T))
    new_inits += [numpy_helper.from_array(np.ascontiguousarray(q.T), p + "_w"), numpy_helper.from_array(s, p + "_ws")]
    return [
        helper.make_node("Cast", [p + "_w"], [p + "_wf"], to=TensorProto.FLOAT, name=p + "_wcast"),
        helper.make_node("Mul", [p + "_wf", p + "_ws"], [p + "_wdq"], name=p + "_wdq"),
        helper.make_node("MatMul", [n.input[0], p + "_wdq"], [n.output[0]], name=p + "_float"),
    ]


def _int8_matmul(k, n, w, tied, emb, new_nodes, new_inits):
    _, ws, wqn, _ = emb
    p = f"mmq{k}"
    if not tied and any(f"{name}/" in n.name or f"{name}_" in n.name for name in WEIGHT_ONLY):
        return _weight_only_int8(p, n, w, new_inits)
    if tied:
        # tied lm_head: reuse the int8 embedding table. The logits decide every greedy token, so
        # this product runs in float on the dequantized table (Cast * scale -> Transpose; all
        # constant, ORT folds it at load) instead of quantizing the activations.
        new_inits.append(numpy_helper.from_array(ws[:, None].astype(np.float32), p + "_ws_col"))
        new_nodes += [
            helper.make_node("Cast", [wqn], [p + "_wf"], to=TensorProto.FLOAT, name=p + "_wcast"),
            helper.make_node("Mul", [p + "_wf", p + "_ws_col"], [p + "_wdq"], name=p + "_wdq"),
            helper.make_node("Transpose", [p + "_wdq"], [p + "_wT"], perm=[1, 0], name=p + "_T"),
        ]
        return [helper.make_node("MatMul", [n.input[0], p + "_wT"], [n.output[0]], name=p + "_lm_head")]
    q, s = _quant_rows_int8(np.ascontiguousarray(w.T))  # per output column
    wname, sname = p + "_w", p + "_ws"
    new_inits += [numpy_helper.from_array(np.ascontiguousarray(q.T), wname), numpy_helper.from_array(s, sname)]
    return [
        helper.make_node("DynamicQuantizeLinear", [n.input[0]], [p + "_a", p + "_as", p + "_az"], name=p + "_dq"),
        helper.make_node("MatMulInteger", [p + "_a", wname, p + "_az"], [p + "_i32"], name=p + "_mmi"),
        helper.make_node("Cast", [p + "_i32"], [p + "_f"], to=TensorProto.FLOAT, name=p + "_cast"),
        helper.make_node("Mul", [p + "_as", sname], [p + "_sc"], name=p + "_scale"),
        helper.make_node("Mul", [p + "_f", p + "_sc"], [n.output[0]], name=p + "_out"),
    ]


def _q4_matmul(k, n, w, tied, emb, new_nodes, new_inits):
    K, N = w.shape
    packed, scale = _quant_q4(np.ascontiguousarray(w.T))
    p = f"mm4_{k}"
    new_inits += [numpy_helper.from_array(packed, p + "_B"), numpy_helper.from_array(scale, p + "_scales")]
    return [helper.make_node(
        "MatMulNBits", [n.input[0], p + "_B", p + "_scales"], [n.output[0]], domain="com.microsoft",
        name=p, K=K, N=N, bits=4, block_size=BLOCK, accuracy_level=0)]


def quantize_int8(src, dst):
    m = _rewrite(src, _int8_matmul)
    onnx.checker.check_model(m)
    onnx.save(m, dst)


def quantize_q4(src, dst):
    m = _rewrite(src, _q4_matmul)
    if not any(o.domain == "com.microsoft" for o in m.opset_import):
        m.opset_import.append(helper.make_opsetid("com.microsoft", 1))
    onnx.save(m, dst)


# ---- the same two formats made with onnxruntime's own quantization tools, for comparison ----
# (eval reports held-out loss and size of both; the pipeline ships whichever is better, see
# scripts/export/onnx_export.py:pick_quantizer). ORT's tools quantize MatMuls whose weight is an
# initializer: the tied lm_head (MatMul on Transpose(embedding)) stays fp32 and so does the
# embedding table it shares, where ours stores that table once in int8.

def quantize_int8_ort(src, dst):
    from onnxruntime.quantization import QuantType, quantize_dynamic
    quantize_dynamic(src, dst, weight_type=QuantType.QInt8, per_channel=True, op_types_to_quantize=["MatMul"],
                     extra_options={"WeightSymmetric": True})


def quantize_q4_ort(src, dst):
    import logging
    from onnxruntime.quantization.matmul_nbits_quantizer import MatMulNBitsQuantizer
    logging.getLogger("onnxruntime.quantization.matmul_nbits_quantizer").setLevel(logging.WARNING)
    q = MatMulNBitsQuantizer(onnx.load(src), block_size=BLOCK, is_symmetric=True)
    q.process()
    q.model.save_model_to_file(dst, False)
