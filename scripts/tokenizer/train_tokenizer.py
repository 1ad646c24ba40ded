# CLI: trains the byte-level BPE (Hugging Face `tokenizers`, scripts/tokenizer/hf_bpe.py) on the
# train split of every source (held-out slices are excluded) and writes tokenizer.json +
# tokenizer_config.json to --out.
# Usage: python -m scripts.tokenizer.train_tokenizer --data ../shared/data --out runs/tok
import argparse
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))

from scripts.tokenizer.hf_bpe import train_hf_bpe  # noqa: E402
from scripts.train import data as D  # noqa: E402


def train_tokenizer(data, vocab_size, log=print, max_docs=None):
    t0 = time.time()

    def texts():
        for name, (train, _) in data.items():
            if name in D.DERIVED:  # repeats text already counted
                continue
            for d in (train[:max_docs] if max_docs else train):
                yield D.doc_text(d)
        # the chat-template glue: "\n" after every role token
        for _ in range(1000):
            yield "\n"

    tok = train_hf_bpe(texts(), vocab_size)
    log(f"tokenizer: {tok.vocab_size} tokens ({time.time() - t0:.0f}s)")
    return tok


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default="../shared/data")
    ap.add_argument("--out", required=True)
    ap.add_argument("--vocab", type=int, default=4096)
    ap.add_argument("--ctx", type=int, default=512)
    args = ap.parse_args()
    tok = train_tokenizer(D.load_all(args.data), args.vocab)
    tok.save(args.out, args.ctx)


if __name__ == "__main__":
    main()
