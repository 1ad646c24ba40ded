# Byte-level BPE (GPT-2 pre-tokenization) trained and run with Hugging Face `tokenizers`,
# so tokenizer.json is written by the same library the Hub's models use and transformers.js
# reads it as it reads theirs. Special tokens 0..4 are the chat contract shared with the app.
import json
import os

from tokenizers import Tokenizer as HFTokenizer
from tokenizers import decoders, models, pre_tokenizers, trainers

SPECIAL_TOKENS = ["<|endoftext|>", "<|system|>", "<|user|>", "<|assistant|>", "<|end|>"]

# Jinja chat template, as Hub models carry it in tokenizer_config.json. A system message is
# rendered like any other turn; the reply follows "<|assistant|>\n" and ends with <|end|>.
CHAT_TEMPLATE = (
    "{% for message in messages %}"
    "{{ '<|' + message['role'] + '|>\n' + message['content'] + '<|end|>\n' }}"
    "{% endfor %}"
    "{% if add_generation_prompt %}{{ '<|assistant|>\n' }}{% endif %}"
)


def train_hf_bpe(texts, vocab_size, specials=SPECIAL_TOKENS):
    """Train a byte-level BPE on an iterator of strings. Ids: specials first, then the
    256 byte symbols, then merges."""
    tok = HFTokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=True)
    tok.decoder = decoders.ByteLevel()
    tr = trainers.BpeTrainer(vocab_size=vocab_size, special_tokens=list(specials), show_progress=False,
                             initial_alphabet=pre_tokenizers.ByteLevel.alphabet(), min_frequency=2)
    tok.train_from_iterator(texts, trainer=tr)
    return Tokenizer(tok)


class Tokenizer:
    """Thin wrapper with the interface the pipeline uses (token_id, encode_ordinary, ...)."""

    def __init__(self, hf):
        self.hf = hf
        self.specials = [t.content for _, t in sorted(hf.get_added_tokens_decoder().items())]

    @property
    def vocab(self):
        """token string (byte-level unicode) -> id."""
        return self.hf.get_vocab(with_added_tokens=True)

    @property
    def special_ids(self):
        return {s: self.hf.token_to_id(s) for s in self.specials}

    @property
    def vocab_size(self):
        return self.hf.get_vocab_size()

    def token_id(self, s):
        i = self.hf.token_to_id(s)
        assert i is not None, s
        return i

    def encode_ordinary(self, text):
        """Encode text; special-token strings inside it are not expected in training text."""
        return self.hf.encode(text, add_special_tokens=False).ids

    def encode(self, text):
        """Special token strings become their ids (as transformers.js does)."""
        return self.hf.encode(text, add_special_tokens=False).ids

    def encode_batch(self, texts):
        return [e.ids for e in self.hf.encode_batch(texts, add_special_tokens=False)]

    def decode(self, ids, skip_special=False):
        return self.hf.decode([int(i) for i in ids], skip_special_tokens=skip_special)

    def apply_chat_template(self, messages, add_generation_prompt=True):
        s = "".join(f"<|{m['role']}|>\n{m['content']}<|end|>\n" for m in messages)
        if add_generation_prompt:
            s += "<|assistant|>\n"
        return s

    def tokenizer_config(self, model_max_length):
        eot = SPECIAL_TOKENS[0]
        added = {str(i): {"content": s, "lstrip": False, "normalized": False, "rstrip": False,
                          "single_word": False, "special": True} for i, s in enumerate(self.specials)}
        return {
            "added_tokens_decoder": added,
            "tokenizer_class": "GPT2Tokenizer",
            "bos_token": eot, "eos_token": eot, "unk_token": eot, "pad_token": eot,
            "add_bos_token": False, "add_prefix_space": False,
            "clean_up_tokenization_spaces": False,
            "model_max_length": model_max_length,
            "additional_special_tokens": self.specials[1:],
            "chat_template": CHAT_TEMPLATE,
        }

    def save(self, out_dir, model_max_length):
        os.makedirs(out_dir, exist_ok=True)
        self.hf.save(os.path.join(out_dir, "tokenizer.json"))
        with open(os.path.join(out_dir, "tokenizer_config.json"), "w", encoding="utf-8") as f:
            json.dump(self.tokenizer_config(model_max_length), f, ensure_ascii=False, indent=2)

    @classmethod
    def load(cls, path):
        """Load from a tokenizer.json file (or a folder containing one)."""
        if os.path.isdir(path):
            path = os.path.join(path, "tokenizer.json")
        return cls(HFTokenizer.from_file(path))
