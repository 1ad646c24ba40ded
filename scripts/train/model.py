# GPT-2-layout decoder in plain PyTorch. Parameter names match Hugging Face's
# GPT2LMHeadModel (transformer.wte/wpe/h.N.ln_1/attn.c_attn/... with Conv1D [in, out]
# weights, lm_head tied to wte) so the exported config loads as model_type "gpt2".
import math
from dataclasses import dataclass, asdict

import torch
import torch.nn as nn
import torch.nn.functional as F


@dataclass
class GPTConfig:
    vocab_size: int = 8192
    n_positions: int = 256
    n_embd: int = 256
    n_layer: int = 6
    n_head: int = 8
    dropout: float = 0.0

    def to_dict(self):
        return asdict(self)


class Conv1D(nn.Module):
    """HF GPT-2's linear layer: weight stored as [in, out]."""

    def __init__(self, n_in, n_out):
        super().__init__()
        self.weight = nn.Parameter(torch.empty(n_in, n_out))
        self.bias = nn.Parameter(torch.zeros(n_out))
        nn.init.normal_(self.weight, std=0.02)

    def forward(self, x):
        return torch.matmul(x, self.weight) + self.bias


class Attention(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.n_head = cfg.n_head
        self.head_dim = cfg.n_embd // cfg.n_head
        self.c_attn = Conv1D(cfg.n_embd, 3 * cfg.n_embd)
        self.c_proj = Conv1D(cfg.n_embd, cfg.n_embd)
        self.drop = nn.Dropout(cfg.dropout)

    def forward(self, x, bias_mask, past=None):
        B, T, C = x.shape
        q, k, v = self.c_attn(x).split(C, dim=2)
        q = q.view(B, T, self.n_head, self.head_dim).transpose(1, 2)
        k = k.view(B, T, self.n_head, self.head_dim).transpose(1, 2)
        v = v.view(B, T, self.n_head, self.head_dim).transpose(1, 2)
        if past is not None:
            k = torch.cat([past[0], k], dim=2)
            v = torch.cat([past[1], v], dim=2)
        att = torch.matmul(q, k.transpose(-1, -2)) * (1.0 / math.sqrt(self.head_dim))
        att = att + bias_mask  # additive mask: 0 keep, large negative drop
        att = torch.softmax(att.float(), dim=-1).to(v.dtype)
        att = self.drop(att)
        y = torch.matmul(att, v).transpose(1, 2).reshape(B, T, C)
        return self.drop(self.c_proj(y)), (k, v)


class MLP(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.c_fc = Conv1D(cfg.n_embd, 4 * cfg.n_embd)
        self.c_proj = Conv1D(4 * cfg.n_embd, cfg.n_embd)
        self.drop = nn.Dropout(cfg.dropout)

    def forward(self, x):
        return self.drop(self.c_proj(F.gelu(self.c_fc(x), approximate="tanh")))


class Block(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.ln_1 = nn.LayerNorm(cfg.n_embd, eps=1e-5)
        self.attn = Attention(cfg)
        self.ln_2 = nn.LayerNorm(cfg.n_embd, eps=1e-5)
        self.mlp = MLP(cfg)

    def forward(self, x, bias_mask, past=None):
        a, present = self.attn(self.ln_1(x), bias_mask, past)
        x = x + a
        x = x + self.mlp(self.ln_2(x))
        return x, present


class Transformer(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.wte = nn.Embedding(cfg.vocab_size, cfg.n_embd)
        self.wpe = nn.Embedding(cfg.n_positions, cfg.n_embd)
        self.drop = nn.Dropout(cfg.dropout)
        self.h = nn.ModuleList([Block(cfg) for _ in range(cfg.n_layer)])
        self.ln_f = nn.LayerNorm(cfg.n_embd, eps=1e-5)


class GPT(nn.Module):
    def __init__(self, cfg: GPTConfig):
        super().__init__()
        self.cfg = cfg
        self.transformer = Transformer(cfg)
        self.lm_head = nn.Linear(cfg.n_embd, cfg.vocab_size, bias=False)
        nn.init.normal_(self.transformer.wte.weight, std=0.02)
        nn.init.normal_(self.transformer.wpe.weight, std=0.01)
        self.lm_head.weight = self.transformer.wte.weight  # tied, as in GPT-2
        # GPT-2 scaled init of residual projections
        for name, p in self.named_parameters():
            if name.endswith("c_proj.weight"):
                nn.init.normal_(p, std=0.02 / math.sqrt(2 * cfg.n_layer))
        T = cfg.n_positions
        causal = torch.triu(torch.full((T, T), float("-inf")), diagonal=1)
        self.register_buffer("causal", causal, persistent=False)

    def num_params(self, embeddings=True):
        n = sum(p.numel() for p in self.parameters())
        if not embeddings:
            n -= self.transformer.wte.weight.numel() + self.transformer.wpe.weight.numel()
        return n

    def forward(self, idx):
        """Training forward (no cache, full causal attention). Returns logits [B, T, V]."""
        B, T = idx.shape
        pos = torch.arange(T, device=idx.device)
        x = self.transformer.drop(self.transformer.wte(idx) + self.transformer.wpe(pos))
        mask = self.causal[:T, :T]
        for blk in self.transformer.h:
            x, _ = blk(x, mask)
        return self.lm_head(self.transformer.ln_f(x))

    def forward_cached(self, input_ids, attention_mask, position_ids, past):
        """Inference forward with KV cache, the graph exported to ONNX.
        past: list of (key, value) each [B, n_head, past_len, head_dim] (past_len may be 0).
        attention_mask: [B, past_len + T] (1 = attend). Returns logits and presents."""
        B, T = input_ids.shape
        past_len = past[0][0].shape[2]
        S = past_len + T
        # positions past the trained context are clamped (degraded output instead of a Gather error)
        position_ids = torch.clamp(position_ids, max=self.cfg.n_positions - 1)
        x = self.transformer.wte(input_ids) + self.transformer.wpe(position_ids)
        q_pos = torch.arange(T, device=input_ids.device).unsqueeze(1) + past_len
        k_pos = torch.arange(S, device=input_ids.device).unsqueeze(0)
        allowed = (k_pos <= q_pos).unsqueeze(0).unsqueeze(0) & (attention_mask[:, None, None, :] > 0)
        bias = (~allowed).to(x.dtype) * -1e9  # additive mask: 0 keep, -1e9 drop
        presents = []
        for blk, p in zip(self.transformer.h, past):
            x, pr = blk(x, bias, p)
            presents.append(pr)
        return self.lm_head(self.transformer.ln_f(x)), presents


def lm_loss(logits, targets, mask=None):
    """Mean cross-entropy over positions where mask is 1 (all positions if mask is None)."""
    loss = F.cross_entropy(logits.float().reshape(-1, logits.size(-1)), targets.reshape(-1), reduction="none")
    if mask is None:
        return loss.mean()
    m = mask.reshape(-1).float()
    return (loss * m).sum() / m.sum().clamp(min=1)
