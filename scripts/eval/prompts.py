"""The evaluation prompts: the 20 prompts quoted in the model card (PROMPTS), the development
prompts reply rules are chosen on (DEV_PROMPTS) and the golden-output prompt. Shared by
evaluate.py and app_topic.py (so neither imports the other)."""

PROMPTS = [
    "Hi! How are you today?",
    "What is your name?",
    "Can you recommend a good book?",
    "What do you like to do on weekends?",
    "I just got a new puppy. Any tips?",
    "What is the capital of France?",
    "How do I make a cup of tea?",
    "Tell me a short story about a dragon.",
    "What is your favorite food?",
    "Why is the sky blue?",
    "I feel a bit sad today.",
    "Can you help me find a restaurant for dinner tonight?",
    "What are some good exercises for beginners?",
    "Do you like music? What kind?",
    "Explain what a computer program is.",
    "What should I do to sleep better?",
    "Write a poem about the sea.",
    "What is the best way to learn a new language?",
    "Tell me something interesting about space.",
    "Thank you for your help!",
]
# Development prompts: the same kinds of everyday message as PROMPTS, never quoted in a card. Reply
# rules (guidance scale, repetition penalty) are chosen on these and on the development split of the
# held-out dialogues (scripts/eval/app_topic.py --split dev), then measured once on PROMPTS.
DEV_PROMPTS = [
    "Hello there! How is your day going?",
    "Who are you?",
    "Can you suggest a movie to watch tonight?",
    "What is your favorite season of the year?",
    "My cat keeps scratching the sofa. What can I do?",
    "What is the capital of Japan?",
    "How do I boil an egg?",
    "Tell me a short story about a robot.",
    "What is your favorite color?",
    "Why do leaves change color in autumn?",
    "I am nervous about my exam tomorrow.",
    "Can you help me plan a trip to the beach?",
    "What are some healthy breakfast ideas?",
    "Do you like sports? Which ones?",
    "Explain what the internet is.",
    "How can I drink more water every day?",
    "Write a poem about the moon.",
    "What is a good way to save money?",
    "Tell me something interesting about the ocean.",
    "Thanks, that was helpful!",
]
GOLDEN_PROMPT = [{"role": "user", "content": "Hello! What do you like to do for fun?"}]
