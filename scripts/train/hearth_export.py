# Reads Hearth's export file (docs/export-format.md, format "hearth-export", version 1) for
# fine-tuning: the branch on screen of each conversation (root to its current leaf), with the
# conversation's system prompt first, as [{"role", "content"}, ...] lists. Standard library only.
#   /usr/bin/python3 -m scripts.train.hearth_export hearth-export-2026-12-01.json   # prints a summary
import json
import sys

FORMAT = "hearth-export"
VERSION = 1


def is_hearth_export(data):
    return isinstance(data, dict) and data.get("format") == FORMAT


def current_branch(conversation):
    """Messages from the root to the current leaf (the newest branch when there is none)."""
    messages = {m["id"]: m for m in conversation["messages"]}
    leaf = messages.get(conversation.get("currentLeafId"))
    if leaf is None and messages:
        # The app's fallback: follow the newest child down from the newest root.
        children = {}
        for m in messages.values():
            key = m["parentId"] if m["parentId"] in messages else None
            children.setdefault(key, []).append(m)
        for kids in children.values():
            kids.sort(key=lambda m: m["createdAt"])
        leaf = children[None][-1] if children.get(None) else None
        while leaf is not None and children.get(leaf["id"]):
            leaf = children[leaf["id"]][-1]
    path, seen = [], set()
    while leaf is not None and leaf["id"] not in seen:
        seen.add(leaf["id"])
        path.append(leaf)
        leaf = messages.get(leaf["parentId"])
    return path[::-1]


def conversations_from_export(data, source="export"):
    """Each conversation's branch on screen as [{"role", "content"}], system prompt first.

    Failed replies (status "error") and empty messages are left out."""
    if not is_hearth_export(data):
        raise ValueError(f"{source}: not a Hearth export (format {data.get('format') if isinstance(data, dict) else None!r})")
    if data.get("version") != VERSION:
        raise ValueError(f"{source}: Hearth export version {data.get('version')!r}; this reader reads version {VERSION}")
    out = []
    for c in data["conversations"]:
        turns = [{"role": "system", "content": c["systemPrompt"]}] if c.get("systemPrompt", "").strip() else []
        for m in current_branch(c):
            if m["status"] != "error" and m["content"].strip():
                turns.append({"role": m["role"], "content": m["content"]})
        out.append(turns)
    return out


def read_hearth_export(path):
    with open(path, encoding="utf-8") as f:
        return conversations_from_export(json.load(f), path)


if __name__ == "__main__":
    for i, conv in enumerate(read_hearth_export(sys.argv[1])):
        print(i, len(conv), " / ".join(f"{t['role']}: {t['content'][:30]!r}" for t in conv))
