# Hearth's second-generation model: transformers' LlamaForCausalLM (RoPE, RMSNorm, SwiGLU,
# grouped-query attention, tied embeddings), so config.json and the weight names are the
# Hub's by construction and transformers.js runs it on its Llama path (as SmolLM2 / Llama 3.2).
# Training uses the transformers forward; `forward_cached` is a plain-PyTorch re-statement of
# the same computation with an explicit KV cache, the graph exported to ONNX (its parity with
# the transformers forward is checked in `check_parity`).
# QK-norm: LlamaForCausalLM has no query/key normalisation (Qwen3 / OLMo2 do, under other
# model types), so it is not used: the model stays a plain "llama" for transformers.js.
import math
from dataclasses import asdict, dataclass

import torch
import torch.nn as nn
import torch.nn.functional as F


@dataclass
class LlamaCfg:
    vocab_size: int = 4096
    n_positions: int = 512
    n_embd: int = 256
    n_layer: int = 4
    n_head: int = 8
    n_kv_head: int = 4
    intermediate: int = 688
    rope_theta: float = 10000.0
    rms_eps: float = 1e-5
    arch: str = "llama"

    @property
    def head_dim(self):
        return self.n_embd // self.n_head

    def to_dict(self):
        return asdict(self)

    def hf(self, **extra):
        from transformers import LlamaConfig
        return LlamaConfig(
            vocab_size=self.vocab_size, hidden_size=self.n_embd, intermediate_size=self.intermediate,
            num_hidden_layers=self.n_layer, num_attention_heads=self.n_head, num_key_value_heads=self.n_kv_head,
            max_position_embeddings=self.n_positions, rms_norm_eps=self.rms_eps, rope_theta=self.rope_theta,
            hidden_act="silu", tie_word_embeddings=True, attention_bias=False, mlp_bias=False,
            bos_token_id=0, eos_token_id=[4, 0], pad_token_id=0, initializer_range=0.02, **extra)


def _rms(x, w, eps):
    xf = x.float()
    return (xf * torch.rsqrt(xf.pow(2).mean(-1, keepdim=True) + eps)).to(x.dtype) * w


def _rotate_half(x):
    h = x.shape[-1] // 2
    return torch.cat((-x[..., h:], x[..., :h]), dim=-1)


class HearthLlama(nn.Module):
    def __init__(self, cfg: LlamaCfg, init=True):
        super().__init__()
        from transformers import LlamaForCausalLM
        self.cfg = cfg
        hc = cfg.hf()
        hc._attn_implementation = "sdpa"
        self.hf = LlamaForCausalLM(hc)
        if init:
            self._init()
        inv = 1.0 / (cfg.rope_theta ** (torch.arange(0, cfg.head_dim, 2, dtype=torch.float32) / cfg.head_dim))
        self.register_buffer("inv_freq", inv, persistent=False)

    def _init(self):
        """Normal(0.02) embeddings and input projections; output projections of attention and
        MLP (o_proj, down_proj) start at zero, so each block starts as the identity."""
        for name, p in self.hf.named_parameters():
            if name.endswith("norm.weight"):
                nn.init.ones_(p)
            elif name.endswith(("o_proj.weight", "down_proj.weight")):
                nn.init.zeros_(p)
            elif p.dim() == 2:
                nn.init.normal_(p, std=0.02)

    def num_params(self, embeddings=True):
        n = sum(p.numel() for p in self.parameters())
        return n if embeddings else n - self.hf.model.embed_tokens.weight.numel()

    def state_dict_hf(self):
        return self.hf.state_dict()

    def forward(self, idx):
        """Training forward (full causal attention, no cache): logits [B, T, V]."""
        return self.hf(input_ids=idx, use_cache=False).logits

    def empty_past(self, batch=1):
        c = self.cfg
        return [(torch.zeros(batch, c.n_kv_head, 0, c.head_dim), torch.zeros(batch, c.n_kv_head, 0, c.head_dim))
                for _ in range(c.n_layer)]

    def forward_cached(self, input_ids, attention_mask, position_ids, past):
        """Inference forward with KV cache (the graph exported to ONNX).
        past: list of (key, value) [B, n_kv_head, past_len, head_dim]; attention_mask [B, past_len + T]
        (1 = attend); position_ids [B, T]. Returns logits [B, T, V] and the presents."""
        c = self.cfg
        m = self.hf.model
        B, T = input_ids.shape
        past_len = past[0][0].shape[2]
        S = past_len + T
        x = m.embed_tokens(input_ids)
        freqs = position_ids.to(torch.float32)[:, :, None] * self.inv_freq[None, None, :]
        emb = torch.cat((freqs, freqs), dim=-1)
        cos, sin = emb.cos()[:, None], emb.sin()[:, None]  # [B, 1, T, hd]
        q_pos = torch.arange(T, device=input_ids.device).unsqueeze(1) + past_len
        k_pos = torch.arange(S, device=input_ids.device).unsqueeze(0)
        allowed = (k_pos <= q_pos).unsqueeze(0).unsqueeze(0) & (attention_mask[:, None, None, :] > 0)
        bias = (~allowed).to(x.dtype) * -1e9
        rep = c.n_head // c.n_kv_head
        scale = 1.0 / math.sqrt(c.head_dim)
        presents = []
        for layer, (pk, pv) in zip(m.layers, past):
            a = layer.self_attn
            h = _rms(x, layer.input_layernorm.weight, c.rms_eps)
            q = a.q_proj(h).view(B, T, c.n_head, c.head_dim).transpose(1, 2)
            k = a.k_proj(h).view(B, T, c.n_kv_head, c.head_dim).transpose(1, 2)
            v = a.v_proj(h).view(B, T, c.n_kv_head, c.head_dim).transpose(1, 2)
            q = q * cos + _rotate_half(q) * sin
            k = k * cos + _rotate_half(k) * sin
            k = torch.cat([pk, k], dim=2)
            v = torch.cat([pv, v], dim=2)
            presents.append((k, v))
            if rep > 1:
                k = k.repeat_interleave(rep, dim=1)
                v = v.repeat_interleave(rep, dim=1)
            att = torch.matmul(q, k.transpose(-1, -2)) * scale + bias
            att = torch.softmax(att.float(), dim=-1).to(v.dtype)
            y = torch.matmul(att, v).transpose(1, 2).reshape(B, T, c.n_head * c.head_dim)
            x = x + a.o_proj(y)
            h = _rms(x, layer.post_attention_layernorm.weight, c.rms_eps)
            mlp = layer.mlp
            x = x + mlp.down_proj(F.silu(mlp.gate_proj(h)) * mlp.up_proj(h))
        x = _rms(x, m.norm.weight, c.rms_eps)
        return self.hf.lm_head(x), presents


@torch.no_grad()
def check_parity(model, T=20, atol=1e-4):
    """forward_cached (prefill + one cached step) must equal the transformers forward."""
    model = model.float().eval()
    ids = torch.randint(0, model.cfg.vocab_size, (2, T))
    ref = model.hf(input_ids=ids, use_cache=False).logits
    pos = torch.arange(T - 1).unsqueeze(0).repeat(2, 1)
    l1, past = model.forward_cached(ids[:, :-1], torch.ones(2, T - 1, dtype=torch.int64), pos, model.empty_past(2))
    l2, _ = model.forward_cached(ids[:, -1:], torch.ones(2, T, dtype=torch.int64), torch.full((2, 1), T - 1), past)
    got = torch.cat([l1, l2], dim=1)
    err = float((got - ref).abs().max())
    assert err < atol, f"cached forward differs from transformers' LlamaForCausalLM by {err}"
    return err


@torch.no_grad()
def grow_depth(small, cfg, atol=1e-4):
    """A deeper model that computes exactly what `small` computes (function-preserving depth
    growth): every layer of `small` is kept in order, and each added layer is a copy of the layer
    before it with its output projections (o_proj, down_proj) zeroed, so it starts as the
    identity, like the zero-initialised blocks of a fresh model. Embeddings and norms are copied.
    The added layers sit evenly between the old ones (4 -> 6: after old layers 1 and 3)."""
    old, new = small.cfg.n_layer, cfg.n_layer
    assert new >= old, f"grow_depth cannot shrink {old} -> {new} layers"
    same = ("vocab_size", "n_embd", "n_head", "n_kv_head", "intermediate", "rope_theta", "rms_eps")
    for k in same:
        assert getattr(small.cfg, k) == getattr(cfg, k), f"grow_depth changes only depth; {k} differs"
    big = HearthLlama(cfg, init=False)  # every weight is copied below
    # source layer for each new layer; an added layer repeats the previous index
    src, added = [], []
    for i in range(old):
        src.append(i)
        extra = (i + 1) * (new - old) // old - i * (new - old) // old
        for _ in range(extra):
            src.append(i)
            added.append(len(src) - 1)
    sm, bm = small.hf.model, big.hf.model
    bm.embed_tokens.weight.copy_(sm.embed_tokens.weight)
    bm.norm.weight.copy_(sm.norm.weight)
    for j, i in enumerate(src):
        bm.layers[j].load_state_dict(sm.layers[i].state_dict())
        if j in added:
            bm.layers[j].self_attn.o_proj.weight.zero_()
            bm.layers[j].mlp.down_proj.weight.zero_()
    big.hf.tie_weights()
    ids = torch.randint(0, cfg.vocab_size, (2, 16))
    err = float((big.float().eval()(ids) - small.float().eval()(ids)).abs().max())
    assert err < atol, f"grown model differs from the small one by {err}"
    return big, src
