# Byte-level BPE (GPT-2 style) written for Hearth: trainer, encoder/decoder and
# reader/writer of the Hugging Face `tokenizer.json` format that transformers.js loads.
# Pre-tokenization uses the GPT-2 regex (same pattern as transformers.js' ByteLevel),
# words are counted once, and merges are learned with incremental pair-count updates.
import collections
import heapq
import json

import regex

GPT2_PATTERN = r"""'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+"""
PAT = regex.compile(GPT2_PATTERN)

# The chat contract shared with the app: ids 0..4, in this order.
SPECIAL_TOKENS = ["<|endoftext|>", "<|system|>", "<|user|>", "<|assistant|>", "<|end|>"]

CHAT_TEMPLATE = (
    "{% for message in messages %}"
    "{{ '<|' + message['role'] + '|>\n' + message['content'] + '<|end|>\n' }}"
    "{% endfor %}"
    "{% if add_generation_prompt %}{{ '<|assistant|>\n' }}{% endif %}"
)


def bytes_to_unicode():
    """GPT-2's reversible byte -> printable unicode character table."""
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return {b: chr(c) for b, c in zip(bs, cs)}


BYTE_ENC = bytes_to_unicode()
BYTE_DEC = {c: b for b, c in BYTE_ENC.items()}


def pretokenize(text):
    """Split text into GPT-2 'words', each mapped to its byte-level unicode string."""
    return ["".join(BYTE_ENC[b] for b in w.encode("utf-8")) for w in PAT.findall(text)]


def count_words(texts, counter=None):
    counter = counter if counter is not None else collections.Counter()
    for t in texts:
        counter.update(pretokenize(t))
    return counter


def train_bpe(word_counts, vocab_size, specials=SPECIAL_TOKENS, log=None):
    """Learn merges until the vocabulary (specials + 256 bytes + merges) reaches vocab_size.
    Returns (vocab: token->id, merges: list of (a, b))."""
    vocab = {}
    for s in specials:
        vocab[s] = len(vocab)
    for b in range(256):
        vocab[BYTE_ENC[b]] = len(vocab)
    n_merges = vocab_size - len(vocab)
    words = [list(w) for w in word_counts]
    counts = [word_counts[w] for w in word_counts]
    pair_counts = collections.defaultdict(int)
    pair_where = collections.defaultdict(set)
    for i, w in enumerate(words):
        c = counts[i]
        for a, b in zip(w, w[1:]):
            pair_counts[(a, b)] += c
            pair_where[(a, b)].add(i)
    heap = [(-c, p) for p, c in pair_counts.items()]
    heapq.heapify(heap)
    merges = []
    while len(merges) < n_merges and heap:
        negc, pair = heapq.heappop(heap)
        cur = pair_counts.get(pair, 0)
        if cur <= 0:
            continue
        if -negc != cur:  # stale entry: re-push with the current count
            heapq.heappush(heap, (-cur, pair))
            continue
        a, b = pair
        new = a + b
        merges.append(pair)
        vocab[new] = len(vocab)
        changed = set()
        for i in list(pair_where[pair]):
            w = words[i]
            c = counts[i]
            # remove old pairs of this word
            for p in zip(w, w[1:]):
                pair_counts[p] -= c
                changed.add(p)
            j = 0
            out = []
            while j < len(w):
                if j < len(w) - 1 and w[j] == a and w[j + 1] == b:
                    out.append(new)
                    j += 2
                else:
                    out.append(w[j])
                    j += 1
            words[i] = out
            for p in zip(out, out[1:]):
                pair_counts[p] += c
                pair_where[p].add(i)
                changed.add(p)
        del pair_counts[pair]
        del pair_where[pair]
        for p in changed:
            c = pair_counts.get(p, 0)
            if c > 0:
                heapq.heappush(heap, (-c, p))
            elif p in pair_counts:
                del pair_counts[p]
        if log and len(merges) % 1000 == 0:
            log(f"bpe: {len(merges)}/{n_merges} merges")
    return vocab, merges


class Tokenizer:
    """Encoder/decoder equivalent to transformers.js for our tokenizer.json."""

    def __init__(self, vocab, merges, specials=SPECIAL_TOKENS):
        self.vocab = dict(vocab)
        self.inv = {i: t for t, i in self.vocab.items()}
        self.merges = [tuple(m) for m in merges]
        self.ranks = {m: i for i, m in enumerate(self.merges)}
        self.specials = list(specials)
        self.special_ids = {s: self.vocab[s] for s in self.specials}
        self.special_re = regex.compile("(" + "|".join(regex.escape(s) for s in self.specials) + ")")
        self.cache = {}

    @property
    def vocab_size(self):
        return len(self.vocab)

    def token_id(self, s):
        return self.vocab[s]

    def _bpe(self, word):
        ids = self.cache.get(word)
        if ids is not None:
            return ids
        parts = list(word)
        while len(parts) > 1:
            best, best_rank = None, None
            for i in range(len(parts) - 1):
                r = self.ranks.get((parts[i], parts[i + 1]))
                if r is not None and (best_rank is None or r < best_rank):
                    best, best_rank = i, r
            if best is None:
                break
            a, b = parts[best], parts[best + 1]
            out, i = [], 0
            while i < len(parts):
                if i < len(parts) - 1 and parts[i] == a and parts[i + 1] == b:
                    out.append(a + b)
                    i += 2
                else:
                    out.append(parts[i])
                    i += 1
            parts = out
        ids = [self.vocab[p] for p in parts]
        if len(self.cache) < 500_000:
            self.cache[word] = ids
        return ids

    def encode_ordinary(self, text):
        """Encode text without recognising special tokens."""
        out = []
        for w in pretokenize(text):
            out.extend(self._bpe(w))
        return out

    def encode(self, text):
        """Encode text; special token strings become their ids (as transformers.js does)."""
        out = []
        for k, piece in enumerate(self.special_re.split(text)):
            if not piece:
                continue
            if k % 2 == 1:
                out.append(self.special_ids[piece])
            else:
                out.extend(self.encode_ordinary(piece))
        return out

    def decode(self, ids, skip_special=False):
        parts, buf = [], []

        def flush():
            if buf:
                parts.append(bytes(BYTE_DEC[c] for c in "".join(buf)).decode("utf-8", errors="replace"))
                buf.clear()

        for i in ids:
            t = self.inv[int(i)]
            if t in self.special_ids:
                flush()
                if not skip_special:
                    parts.append(t)
            else:
                buf.append(t)
        flush()
        return "".join(parts)

    def apply_chat_template(self, messages, add_generation_prompt=True):
        s = "".join(f"<|{m['role']}|>\n{m['content']}<|end|>\n" for m in messages)
        if add_generation_prompt:
            s += "<|assistant|>\n"
        return s

    # ---- Hugging Face files ----
    def to_hf_json(self):
        added = [
            {"id": self.special_ids[s], "content": s, "single_word": False, "lstrip": False,
             "rstrip": False, "normalized": False, "special": True}
            for s in self.specials
        ]
        return {
            "version": "1.0",
            "truncation": None,
            "padding": None,
            "added_tokens": added,
            "normalizer": None,
            "pre_tokenizer": {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True, "use_regex": True},
            "post_processor": None,
            "decoder": {"type": "ByteLevel", "add_prefix_space": True, "trim_offsets": True, "use_regex": True},
            "model": {
                "type": "BPE", "dropout": None, "unk_token": None, "continuing_subword_prefix": None,
                "end_of_word_suffix": None, "fuse_unk": False, "byte_fallback": False, "ignore_merges": False,
                "vocab": self.vocab,
                "merges": [[a, b] for a, b in self.merges],
            },
        }

    def tokenizer_config(self, model_max_length):
        eot = SPECIAL_TOKENS[0]
        return {
            "tokenizer_class": "GPT2Tokenizer",
            "bos_token": eot, "eos_token": eot, "unk_token": eot, "pad_token": eot,
            "add_bos_token": False, "add_prefix_space": False,
            "clean_up_tokenization_spaces": False,
            "model_max_length": model_max_length,
            "additional_special_tokens": self.specials[1:],
            "chat_template": CHAT_TEMPLATE,
        }

    def save(self, out_dir, model_max_length):
        import os
        os.makedirs(out_dir, exist_ok=True)
        with open(os.path.join(out_dir, "tokenizer.json"), "w", encoding="utf-8") as f:
            json.dump(self.to_hf_json(), f, ensure_ascii=False)
        with open(os.path.join(out_dir, "tokenizer_config.json"), "w", encoding="utf-8") as f:
            json.dump(self.tokenizer_config(model_max_length), f, ensure_ascii=False, indent=2)

    @classmethod
    def load(cls, path):
        """Load from a tokenizer.json file (or a folder containing one)."""
        import os
        if os.path.isdir(path):
            path = os.path.join(path, "tokenizer.json")
        with open(path, encoding="utf-8") as f:
            j = json.load(f)
        m = j["model"]
        merges = [tuple(x) if isinstance(x, list) else tuple(x.split(" ", 1)) for x in m["merges"]]
        specials = [t["content"] for t in sorted(j["added_tokens"], key=lambda t: t["id"])]
        return cls(m["vocab"], merges, specials)
