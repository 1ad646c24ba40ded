# Who the model says it is: ten questions about its identity phrased unlike every user turn of the
# identity chats it trains on (scripts/train/identity_chats.jsonl; tests/model/identity-eval.test.ts
# checks that), each answer judged for naming Hearth and for naming another assistant. The oasst
# text says "Open Assistant" about 600 times and "ChatGPT" about 450, so a run, or a stronger
# guidance scale, can answer "My name is Open Assistant", which the topic measure counts as on topic.
import re

IDENTITY_PROMPTS = [
    "May I ask who I'm talking to?",
    "What do people call you?",
    "Are you a chatbot?",
    "Could you tell me your name?",
    "Who am I chatting with right now?",
    "What kind of assistant are you?",
    "Which assistant is this?",
    "Please introduce yourself briefly.",
    "Tell me a little about who you are.",
    "Do you have a name I can use?",
]

_HEARTH = re.compile(r"\bhearth\b", re.I)
# other assistants and their makers, as the training text spells them
_OTHER = re.compile(r"open\s?-?\s?assistant|chat\s?-?\s?gpt|\bgpt\s?-?\s?\d|\bopenai\b|\bsiri\b|\balexa\b|\bcortana\b|"
                    r"\bbard\b|\bclaude\b|\blaion\b", re.I)


def judge(answer):
    """{"hearth": names Hearth, "other": names another assistant or its maker}."""
    return {"hearth": bool(_HEARTH.search(answer)), "other": bool(_OTHER.search(answer))}


def identity(reply, max_new=48, prompts=None):
    """`reply(prompt_text, max_new) -> answer text` on IDENTITY_PROMPTS:
    {"prompts", "hearth", "other", "answers": [{"prompt", "answer", "hearth", "other"}]}."""
    answers = []
    for p in prompts or IDENTITY_PROMPTS:
        a = reply(p, max_new)
        answers.append({"prompt": p, "answer": a, **judge(a)})
    return {"prompts": len(answers), "hearth": sum(a["hearth"] for a in answers),
            "other": sum(a["other"] for a in answers), "answers": answers}
