# A PyTorch reference of the q8 export (scripts/export/quantize.py): the same int8 weights (per
# output column), the int8 embedding table (also the tied lm_head, run in float), and the same
# dynamic activation quantization (ONNX DynamicQuantizeLinear: uint8, per tensor, round half to
# even) with the integer product computed exactly. Comparing ONNX q8 against this checks that the
# exported graph computes the quantized model it was meant to; comparing against the fp32 model
# measures the quantization itself (a near-tie can flip a greedy token there).
import copy

import numpy as np
import torch

from scripts.export.quantize import _quant_rows_int8
from scripts.train.model import Conv1D


def _dynamic_quantize(x):
    """ONNX DynamicQuantizeLinear on a float32 tensor -> (q as float64, scale float32, zero point float64)."""
    xmin = torch.clamp(x.min(), max=0.0)
    xmax = torch.clamp(x.max(), min=0.0)
    scale = (xmax - xmin) / 255.0
    if float(scale) == 0.0:
        return torch.zeros_like(x, dtype=torch.float64), torch.tensor(1.0), torch.tensor(0.0, dtype=torch.float64)
    zp = torch.round(torch.clamp(-xmin / scale, 0.0, 255.0)).double()
    q = torch.clamp(torch.round(x / scale).double() + zp, 0.0, 255.0)
    return q, scale, zp


def _quantized_forward(layer):
    w = layer.weight.detach().numpy().astype(np.float32)  # [K, N]
    q, s = _quant_rows_int8(np.ascontiguousarray(w.T))  # per output column: [N, K], [N]
    wq = torch.from_numpy(q.astype(np.float64))
    ws = torch.from_numpy(s)
    bias = layer.bias.detach().clone()

    def forward(x):
        x = x.float()
        a, a_scale, a_zp = _dynamic_quantize(x)
        acc = torch.matmul(a - a_zp, wq.T)  # exact: MatMulInteger's int32 sum
        return acc.float() * (a_scale * ws) + bias

    return forward


def q8_reference(model):
    """A copy of `model` that computes what onnx/model_quantized.onnx computes."""
    ref = copy.deepcopy(model).eval()
    with torch.no_grad():
        wte = ref.transformer.wte.weight
        q, s = _quant_rows_int8(wte.detach().numpy().astype(np.float32))
        wte.copy_(torch.from_numpy(q).float() * torch.from_numpy(s)[:, None])  # tied: the lm_head too
    for m in ref.modules():
        if isinstance(m, Conv1D):
            m.forward = _quantized_forward(m)
    return ref


def main():
    """python3 -m scripts.eval.q8_reference MODEL_DIR '{"prompt_ids": [...], "max_new": N, "stop": [...]}'
    -> JSON list of the greedy ids the q8 reference of MODEL_DIR (rebuilt from onnx/model.onnx) generates."""
    import json
    import sys

    from scripts.train.finetune import load_from_folder
    from scripts.train.trainer import greedy

    model_dir, spec = sys.argv[1], json.loads(sys.argv[2])
    torch.set_num_threads(1)
    ref = q8_reference(load_from_folder(model_dir))
    with torch.no_grad():
        ids = greedy(ref, spec["prompt_ids"], spec["max_new"], stop_ids=spec.get("stop", ()))
    print(json.dumps(ids))


if __name__ == "__main__":
    main()
