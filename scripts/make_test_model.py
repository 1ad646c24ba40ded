# Builds models/hearth-test-tiny: a ~0.2M-parameter GPT-2-layout chat model for app
# development and tests (same special tokens and chat template as hearth-chat).
# Trains a 1k byte-level BPE and the model for ~90 s on chat-formatted dialogues, then
# exports fp32 / int8 / 4-bit ONNX.  Usage: /usr/bin/python3 scripts/make_test_model.py
import argparse
import os
import sys
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, REPO)

import torch  # noqa: E402

from scripts.tokenizer.bpe import Tokenizer, count_words, train_bpe  # noqa: E402
from scripts.train import data as D  # noqa: E402
from scripts.train.model import GPT, GPTConfig  # noqa: E402
from scripts.train.trainer import Mixture, train, greedy  # noqa: E402
from scripts.export.onnx_export import write_hf_folder  # noqa: E402


CARD = """# hearth-test-tiny

Test fixture, not a useful model: a {params:.2f} M-parameter GPT-2-layout chat model ({n_layer} layers,
{n_embd} hidden, {vocab}-token byte-level BPE, context {ctx}) trained for about {secs:.0f} seconds on
chat-formatted dialogues from `../shared/data` (see `models/hearth-chat/README.md` for sources and
licences). Same special tokens, chat template and file layout as `hearth-chat`, so the app and tests
can exercise loading, the chat template and KV-cache generation (fp32 / q8 / q4) quickly.
Rebuild: `/usr/bin/python3 scripts/make_test_model.py` (output is not bit-identical across machines).
"""


def write_card(out, model, tok, secs):
    c = model.cfg
    with open(os.path.join(out, "README.md"), "w") as f:
        f.write(CARD.format(params=model.num_params() / 1e6, n_layer=c.n_layer, n_embd=c.n_embd,
                            vocab=tok.vocab_size, ctx=c.n_positions, secs=secs))


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--data", default=os.path.join(REPO, "..", "shared", "data"))
    ap.add_argument("--out", default=os.path.join(REPO, "models", "hearth-test-tiny"))
    ap.add_argument("--work", default=os.path.join(REPO, "runs", "test-tiny"))
    ap.add_argument("--steps", type=int, default=1500)
    ap.add_argument("--seconds", type=float, default=100)
    ap.add_argument("--vocab", type=int, default=1024)
    args = ap.parse_args()
    torch.manual_seed(0)
    torch.set_num_threads(2)
    t0 = time.time()
    data = D.load_all(args.data)
    dialog = ["persona", "topicalchat", "gpteacher", "chitchat", "oasst"]
    texts = [D.doc_text(d) for s in dialog for d in data[s][0][:1500]]
    vocab, merges = train_bpe(count_words(texts), args.vocab)
    tok = Tokenizer(vocab, merges)
    print(f"tokenizer: {tok.vocab_size} tokens ({time.time() - t0:.0f}s)")
    streams = []
    for s in dialog:
        ids, mask, starts = D.tokenize_split(tok, data[s][0][:3000], None)
        streams.append((s, ids, mask, None, 1.0))
    cfg = GPTConfig(vocab_size=tok.vocab_size, n_positions=256, n_embd=64, n_layer=2, n_head=4)
    model = GPT(cfg)
    print(f"model: {model.num_params() / 1e6:.3f}M params")
    mix = Mixture(streams, ctx=128, seed=0)
    if os.path.exists(os.path.join(args.work, "ckpt.pt")):
        os.remove(os.path.join(args.work, "ckpt.pt"))
    train(model, mix, args.work, steps=args.steps, bsz=32, lr=3e-3, warmup=50, log_every=100,
          ckpt_every=10**9, time_limit=args.seconds, use_mask=False, tag="tiny")
    model.eval()
    prompt = tok.apply_chat_template([{"role": "user", "content": "Hello! What do you like to do?"}])
    out = greedy(model, tok.encode(prompt), 24, stop_ids=(tok.token_id("<|end|>"), 0))
    print("sample:", repr(tok.decode(out)))
    write_hf_folder(model, tok, args.out, quantize=("q8", "q4"))
    write_card(args.out, model, tok, args.seconds)
    total = sum(os.path.getsize(os.path.join(dp, f)) for dp, _, fs in os.walk(args.out) for f in fs)
    print(f"wrote {args.out}: {total / 1e6:.2f} MB total ({time.time() - t0:.0f}s)")


if __name__ == "__main__":
    main()
