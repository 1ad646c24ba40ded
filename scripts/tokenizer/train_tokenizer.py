# CLI: trains the byte-level BPE on the train split of every source (held-out slices are
# excluded) and writes tokenizer.json + tokenizer_config.json to --out.
# Usage: /usr/bin/python3 -m scripts.tokenizer.train_tokenizer --data ../shared/data --out runs/tok
import argparse
import collections
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))

from scripts.tokenizer.bpe import Tokenizer, count_words, train_bpe  # noqa: E402
from scripts.train import data as D  # noqa: E402


def train_tokenizer(data, vocab_size, log=print, max_docs=None):
    t0 = time.time()
    counter = collections.Counter()
    for name, (train, _) in data.items():
        if name in D.DERIVED:  # repeats text already counted
            continue
        docs = train[:max_docs] if max_docs else train
        count_words((D.doc_text(d) for d in docs), counter)
    # add the chat-template glue so "\n" after role tokens is always seen
    counter.update({"Ċ": 1000})
    log(f"tokenizer: {len(counter)} unique words ({time.time() - t0:.0f}s)")
    vocab, merges = train_bpe(counter, vocab_size, log=log)
    log(f"tokenizer: {len(vocab)} tokens ({time.time() - t0:.0f}s)")
    return Tokenizer(vocab, merges)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default="../shared/data")
    ap.add_argument("--out", required=True)
    ap.add_argument("--vocab", type=int, default=4096)
    ap.add_argument("--ctx", type=int, default=256)
    args = ap.parse_args()
    tok = train_tokenizer(D.load_all(args.data), args.vocab)
    tok.save(args.out, args.ctx)


if __name__ == "__main__":
    main()
