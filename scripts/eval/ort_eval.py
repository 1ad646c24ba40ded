# Runs an exported model folder's ONNX files with Python onnxruntime (CPU), the way
# transformers.js feeds them: input_ids, attention_mask, position_ids, past_key_values.N.key/value
# in; logits, present.N.key/value out. Used for held-out loss per dtype, parity (greedy tokens)
# and the sample answers (greedy with the app's reply rules: n-gram block, reply repetition penalty,
# classifier-free guidance).
#   python -m scripts.eval.ort_eval greedy <model_dir> <fp32|q8|q4> \
#     '<json {prompt_ids, max_new, stop, no_repeat_ngram, penalty, guidance, uncond_ids}>'
import json
import os
import sys

import numpy as np

FILES = {"fp32": "model.onnx", "q8": "model_quantized.onnx", "q4": "model_q4.onnx"}


class OrtModel:
    def __init__(self, model_dir, dtype, threads=1):
        import onnxruntime as ort
        self.cfg = json.load(open(os.path.join(model_dir, "config.json")))
        c = self.cfg
        self.layers = c.get("num_hidden_layers", c.get("n_layer"))
        heads = c.get("num_attention_heads", c.get("n_head"))
        self.kv_heads = c.get("num_key_value_heads", heads)
        self.head_dim = c.get("head_dim") or c.get("hidden_size", c.get("n_embd")) // heads
        self.ctx = c.get("max_position_embeddings", c.get("n_positions"))
        so = ort.SessionOptions()
        so.intra_op_num_threads = threads
        so.inter_op_num_threads = 1
        self.sess = ort.InferenceSession(os.path.join(model_dir, "onnx", FILES[dtype]), so, providers=["CPUExecutionProvider"])

    def empty_past(self):
        z = np.zeros((1, self.kv_heads, 0, self.head_dim), dtype=np.float32)
        return {f"past_key_values.{i}.{kv}": z for i in range(self.layers) for kv in ("key", "value")}

    def forward(self, ids, past, past_len):
        T = len(ids)
        feeds = {"input_ids": np.array([ids], dtype=np.int64),
                 "attention_mask": np.ones((1, past_len + T), dtype=np.int64),
                 "position_ids": np.arange(past_len, past_len + T, dtype=np.int64)[None], **past}
        outs = self.sess.run(None, feeds)
        names = [o.name for o in self.sess.get_outputs()]
        res = dict(zip(names, outs))
        present = {f"past_key_values.{i}.{kv}": res[f"present.{i}.{kv}"] for i in range(self.layers) for kv in ("key", "value")}
        return res["logits"], present

    def loss(self, windows):
        """windows: [{ids, mask}] -> (mean loss over mask, weight); prefill only, no cache."""
        tot, cnt = 0.0, 0.0
        for w in windows:
            ids, mask = w["ids"], np.asarray(w["mask"], dtype=np.float64)
            T = len(ids) - 1
            logits, _ = self.forward(ids[:T], self.empty_past(), 0)
            lg = logits[0].astype(np.float64)
            mx = lg.max(-1, keepdims=True)
            lse = np.log(np.exp(lg - mx).sum(-1)) + mx[:, 0]
            nll = lse - lg[np.arange(T), np.asarray(ids[1:])]
            tot += float((nll * mask[1:]).sum())
            cnt += float(mask[1:].sum())
        return tot / max(cnt, 1.0), cnt

    def greedy(self, prompt, max_new, stop=(), no_repeat_ngram=0, penalty=1.0, guidance=1.0, uncond=None):
        """Greedy reply with the app's rules (workers/decoder.ts): with guidance > 1 the logits are
        uncond + guidance * (cond - uncond), where uncond continues the reply after the prompt
        `uncond` (the chat template around an empty user turn); then the repetition penalty on the
        reply's own tokens; then the repeated-n-gram block over prompt + reply."""
        guided = guidance != 1.0 and uncond is not None
        past, past_len, inp, out = self.empty_past(), 0, list(prompt), []
        upast, ulen, uinp = self.empty_past(), 0, list(uncond or [])
        for _ in range(max_new):
            if past_len + len(inp) > self.ctx or (guided and ulen + len(uinp) > self.ctx):
                break
            logits, past = self.forward(inp, past, past_len)
            # float64 arithmetic rounded to float32 after each rule, as the app's Float32Array does
            row = logits[0, -1].astype(np.float64)
            if guided:
                ulogits, upast = self.forward(uinp, upast, ulen)
                u = ulogits[0, -1].astype(np.float64)
                row = (u + guidance * (row - u)).astype(np.float32).astype(np.float64)
                ulen += len(uinp)
            if penalty > 1.0:
                for t in set(out):
                    row[t] = np.float32(row[t] / penalty if row[t] > 0 else row[t] * penalty)
            for b in banned_by_ngram(list(prompt) + out, no_repeat_ngram):
                row[b] = -np.inf
            nxt = int(row.argmax())
            out.append(nxt)
            past_len += len(inp)
            inp = [nxt]
            uinp = [nxt]
            if nxt in stop:
                break
        return out


def banned_by_ngram(seq, n):
    """Tokens that would repeat an n-gram of seq (transformers' no_repeat_ngram_size rule)."""
    if n < 2 or len(seq) < n - 1:
        return set()
    tail = seq[len(seq) - n + 1:]
    return {seq[i + n - 1] for i in range(len(seq) - n + 1) if seq[i:i + n - 1] == tail}


if __name__ == "__main__":
    mode, model_dir, dtype, spec = sys.argv[1:5]
    assert mode == "greedy", "usage: ort_eval greedy <dir> <dtype> <json>"
    s = json.loads(spec)
    m = OrtModel(model_dir, dtype)
    print(json.dumps(m.greedy(s["prompt_ids"], s["max_new"], s.get("stop", []), s.get("no_repeat_ngram", 0),
                              s.get("penalty", 1.0), s.get("guidance", 1.0), s.get("uncond_ids"))))
