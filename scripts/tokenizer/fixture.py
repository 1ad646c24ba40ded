# Writes the tokenizer parity fixture: Python encodings of a fixed set of strings (Unicode,
# emoji, code, whitespace, chat template) for a model folder's tokenizer.json. The Node test
# tests/model/tokenizer.test.ts checks transformers.js produces identical ids and decodes back.
# Usage: /usr/bin/python3 -m scripts.tokenizer.fixture models/hearth-chat
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))

from scripts.tokenizer.hf_bpe import Tokenizer  # noqa: E402

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

CASES = [
    "Hello, world!",
    "I'm sure you'll like it; don't you think? WE'LL SEE'S",
    "  leading spaces and trailing spaces   ",
    "line one\nline two\n\n\nline five\r\nwindows",
    "tabs\tand\t\tmore\ttabs",
    "Numbers: 3.14159, 1,000,000 and 2024-11-21 at 23:59.",
    "Café, naïve, façade, jalapeño, Zürich, Ångström",
    "Ελληνικά, русский язык, עברית, العربية, हिन्दी",
    "日本語のテキストと中文文本와 한국어",
    "e\u0301 combining accent, ﬁ ligature, full-width ＡＢＣ",
    "no\u00a0break\u00a0space, zero\u200bwidth, bom\ufeffhere, thin\u2009space",
    "Emoji: 😀 👍🏽 👩‍👩‍👧‍👦 🇫🇷 ❤️ 🔥🔥🔥",
    "def add(a, b):\n    \"\"\"Add two numbers.\"\"\"\n    return a + b  # sum\n",
    "const f = (x) => { if (x !== null) { return x ** 2; } };\n\tconsole.log(`value: ${f(3)}`);",
    "<div class=\"box\">&nbsp;<a href='https://example.com/?q=1&r=2'>link</a></div>",
    "SELECT name, COUNT(*) FROM users WHERE age >= 18 GROUP BY name;",
    "$ npm run build && ./scripts/run.sh --flag=value | grep -v '^#'",
    "<|user|>\nWhat is 2+2?<|end|>\n<|assistant|>\n4<|end|>\n",
    "<|system|>\nYou are Hearth.<|end|>\n<|user|>\nHi 👋<|end|>\n<|assistant|>\n",
    "text<|endoftext|>more text<|end|>",
    "",
    " ",
    "\n",
    "a",
    "ünïcödé ünïcödé ünïcödé",
    "!!!??? ... --- *** ### @@@",
]


def write_fixture(model_dir, out_path=None):
    tok = Tokenizer.load(model_dir)
    name = os.path.basename(os.path.abspath(model_dir))
    out_path = out_path or os.path.join(REPO, "tests", "model", "fixtures", f"{name}.tokenizer.json")
    os.makedirs(os.path.dirname(out_path), exist_ok=True)
    cases = []
    for s in CASES:
        ids = tok.encode(s)
        assert tok.decode(ids) == s, f"python round-trip failed for {s!r}"
        cases.append({"text": s, "ids": ids})
    json.dump({"model": name, "cases": cases}, open(out_path, "w", encoding="utf-8"), ensure_ascii=False, indent=1)
    return out_path


if __name__ == "__main__":
    for d in sys.argv[1:]:
        print(write_fixture(d))
