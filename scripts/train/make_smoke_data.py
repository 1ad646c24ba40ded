# Writes a tiny synthetic data folder with the same files and formats as ../shared/data
# (made-up sentences, ~40 documents per source) so `pipeline --smoke` and its test run
# anywhere, including CI without the real data.  Usage: python3 -m scripts.train.make_smoke_data OUT
import csv
import gzip
import io
import json
import os
import random
import sys

WORDS = ("the a my your this that cat dog book tea music city park weekend dinner train song friend "
         "likes reads plays finds makes sees wants needs loves visits today tomorrow often never "
         "quiet happy small big green warm early late very really").split()


def sentence(rng, n=None):
    w = [rng.choice(WORDS) for _ in range(n or rng.randint(4, 10))]
    return " ".join(w).capitalize() + rng.choice([".", "!", "?"])


def dialogue(rng, turns=4):
    return [sentence(rng) for _ in range(turns)]


def write_gz(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with gzip.open(path, "wt", encoding="utf-8") as f:
        f.write(text)


def main(out, n=40, seed=0):
    rng = random.Random(seed)
    for split in ("valid", "test"):
        buf = io.StringIO()
        wr = csv.writer(buf)
        wr.writerow(["user 1 personas", "user 2 personas", "Best Generated Conversation"])
        for _ in range(n // 2):
            conv = "\n".join(f"User {1 + i % 2}: {s}" for i, s in enumerate(dialogue(rng)))
            wr.writerow([sentence(rng), sentence(rng), conv])
        write_gz(f"{out}/synthetic-persona-chat/Synthetic-Persona-Chat_{split}.csv.gz", buf.getvalue())
    write_gz(f"{out}/topicalchat/topicalchat_valid_test.txt.gz",
             "\n\n".join("\n".join(f"{'AB'[i % 2]}: {s}" for i, s in enumerate(dialogue(rng))) for _ in range(n)))
    write_gz(f"{out}/sgd/sgd_dialogues.txt.gz",
             "\n\n".join("\n".join(f"{['User', 'Assistant'][i % 2]}: {s}" for i, s in enumerate(dialogue(rng))) for _ in range(n)))
    write_gz(f"{out}/oasst1/oasst1_en_train_messages.txt.gz",
             "\n<|endofmessage|>\n".join(" ".join(sentence(rng) for _ in range(3)) for _ in range(n)))
    rows = []
    for t in range(n):
        root = f"r{t}"
        rows.append({"message_id": root, "parent_id": None, "role": "prompter", "text": sentence(rng), "rank": None})
        rows.append({"message_id": root + "a", "parent_id": root, "role": "assistant", "text": sentence(rng), "rank": 0})
    write_gz(f"{out}/oasst1/oasst1_en_validation.jsonl.gz", "\n".join(json.dumps(r) for r in rows) + "\n")
    write_gz(f"{out}/gpteacher/roleplay-simple-deduped-roleplay-instruct.json.gz",
             json.dumps([{"instruction": sentence(rng), "input": "", "response": sentence(rng)} for _ in range(n)]))
    for style in ("friendly", "professional", "witty"):
        lines = ["Question\tAnswer\tSource\tMetadata"] + [f"{sentence(rng)}\t{sentence(rng)}\tqna_chitchat_{style}\teditorial:chitchat" for _ in range(n)]
        write_gz(f"{out}/ms-chitchat/qna_chitchat_{style}.tsv.gz", "\n".join(lines) + "\n")
    write_gz(f"{out}/npm-text/sotu_233_speeches.txt.gz",
             "\n".join(f"### {1790 + i}_someone_n\n" + " ".join(sentence(rng) for _ in range(30)) for i in range(n)))
    write_gz(f"{out}/npm-text/moby_dick.txt.gz", "\n\n".join(" ".join(sentence(rng) for _ in range(8)) for _ in range(n * 20)))
    return out


if __name__ == "__main__":
    print(main(sys.argv[1]))
