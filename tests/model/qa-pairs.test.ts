// The chat fine-tune's mined question -> short-answer pairs (scripts/train/data.py qa_pairs):
// a prompt is paired with the next oasst message only when that message's opening sentences
// share the prompt's content words, answers are cut at a sentence end, and messages outside
// the training split are never paired (with full=True the same pairs keep whole answers). Its
// on-topic single exchanges (topical_pairs), taken out of dialogues when the reply's opening takes
// up a word of the user's turn, built by load_all from training splits only. And persona chat's
// name placeholders, filled with first names in the training split only (fill_names).
// Needs the pipeline's Python (.venv/, HEARTH_PYTHON overrides).
import { describe, it, expect } from 'vitest';
import path from 'node:path';
import fs from 'node:fs';
import os from 'node:os';
import { spawnSync } from 'node:child_process';
import { findPython } from './python';

const REPO = path.resolve(__dirname, '../..');
const PY = findPython();

type Chat = { role: string; content: string }[];

function runPy(code: string, input: unknown): any {
  const r = spawnSync(PY, ['-c', code], {
    cwd: REPO, input: JSON.stringify(input), encoding: 'utf8',
    env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' },
  });
  if (r.status !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout);
}

// runs fn on a synthetic data folder in the shared data's formats (as the pipeline's smoke test makes)
function withSmokeData<T>(fn: (data: string) => T): T {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'hearth-data-'));
  try {
    const data = path.join(tmp, 'data');
    const made = spawnSync(PY, ['-m', 'scripts.train.make_smoke_data', data], { cwd: REPO, encoding: 'utf8' });
    if (made.status !== 0) throw new Error(made.stderr);
    return fn(data);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

function qaPairs(messages: string[], trainIdx: number[], full = false): Chat[] {
  const code = [
    'import json, sys',
    'from scripts.train.data import qa_pairs',
    'a = json.load(sys.stdin)',
    'keep = set(a["train"])',
    'print(json.dumps(qa_pairs(a["messages"], lambda i: i in keep and i + 1 in keep, full=a["full"])))',
  ].join('\n');
  const r = spawnSync(PY, ['-c', code], {
    cwd: REPO, input: JSON.stringify({ messages, train: trainIdx, full }), encoding: 'utf8',
    env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' },
  });
  if (r.status !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout);
}

const long = 'Boil eggs for about ten minutes in rolling water. Cool the eggs in cold water afterwards so they peel easily. '
  + 'Some people add salt to the water, which keeps a cracked shell from leaking. '.repeat(4);

describe('qa_pairs', () => {
  it('pairs a prompt with an on-topic reply, cut to its first sentences', () => {
    const out = qaPairs(['How long should I boil eggs?', long], [0, 1]);
    expect(out).toHaveLength(1);
    expect(out[0][0]).toEqual({ role: 'user', content: 'How long should I boil eggs?' });
    const answer = out[0][1].content;
    expect(out[0][1].role).toBe('assistant');
    expect(answer.startsWith('Boil eggs for about ten minutes in rolling water. Cool the eggs')).toBe(true);
    expect(answer.length).toBeLessThanOrEqual(280);
    expect(answer.length).toBeLessThan(long.length);
    expect(answer.endsWith('.')).toBe(true);
  });

  it('keeps the whole answer with full=True (oasst_qa_long), for the same pairs', () => {
    const offTopic = 'The stock market closed higher today after a quiet session. Traders expect more tomorrow.';
    expect(qaPairs(['How long should I boil eggs?', long], [0, 1], true)).toEqual([
      [{ role: 'user', content: 'How long should I boil eggs?' }, { role: 'assistant', content: long.trim() }],
    ]);
    expect(qaPairs(['How long should I boil eggs?', offTopic], [0, 1], true)).toEqual([]);
  });

  it('drops replies that share no content words, and pairs outside the training split', () => {
    const offTopic = 'The stock market closed higher today after a quiet session. Traders expect more tomorrow.';
    expect(qaPairs(['How long should I boil eggs?', offTopic], [0, 1])).toEqual([]);
    expect(qaPairs(['How long should I boil eggs?', long], [0])).toEqual([]);
    expect(qaPairs(['How long should I boil eggs?', long], [1])).toEqual([]);
  });

  it('splits sentences glued together by the lost newlines, and never ends on a list number', () => {
    const glued = 'Photosynthesis turns light into chemical energy in plants.Plants use chlorophyll to capture the light, '
      + 'which is why leaves are green and why they need sunshine to grow well over the long summer months of the year, '
      + 'and why a plant kept in a dark cupboard for a few weeks turns pale, grows long thin stems and finally dies.';
    const out = qaPairs(['What does photosynthesis do in plants?', glued], [0, 1]);
    expect(out.map((c) => c[1].content)).toEqual(['Photosynthesis turns light into chemical energy in plants.']);
    // the first sentence ends on "1." and the next would pass 280 characters
    const list = 'Here are ways to save energy at home:1. Insulate the walls and the roof of the house well so the heating energy '
      + 'is not lost through them in winter, which costs money every month, and turn off the lights and the machines you do not '
      + 'use in rooms that stay empty during the day and at night, which adds up over a year.';
    expect(qaPairs(['How can I save energy at home?', list], [0, 1])).toEqual([]);
  });
});

const u = (content: string) => ({ role: 'user', content });
const b = (content: string) => ({ role: 'assistant', content });

describe('topical_pairs', () => {
  const pairs = (dialogues: Chat[]): Chat[] => runPy([
    'import json, sys',
    'from scripts.train.data import topical_pairs',
    'print(json.dumps(topical_pairs(json.load(sys.stdin))))',
  ].join('\n'), dialogues);

  it('keeps user -> reply exchanges whose reply takes up a word of the user turn, from anywhere in a dialogue', () => {
    const out = pairs([[
      u('I just adopted a puppy last week.'), b('Congratulations! What breed is your puppy?'),
      u('Do you like cooking?'), b('Not really, I mostly watch football on weekends.'),
      u('My garden has tomatoes and beans growing.'), b('Fresh tomatoes are the best. Do you grow anything else?'),
    ]]);
    expect(out).toEqual([
      [u('I just adopted a puppy last week.'), b('Congratulations! What breed is your puppy?')],
      [u('My garden has tomatoes and beans growing.'), b('Fresh tomatoes are the best. Do you grow anything else?')],
    ]);
  });

  it('matches word stems, cuts long replies to their opening, and skips turns too short, too long or out of order', () => {
    const long = 'Boiling takes about ten minutes for hard eggs. '.repeat(2) + 'Then cool them in cold water. '.repeat(12);
    const out = pairs([
      [u('How long should I boil eggs?'), b(long)],
      [u('Hi'), b('Hi there, hi!')],
      [u('x'.repeat(301) + ' weather'), b('The weather is nice.')],
      [b('Talking about weather first.'), u('The weather is nice.')],
    ]);
    expect(out).toHaveLength(1);
    expect(out[0][1].content.startsWith('Boiling takes about ten minutes')).toBe(true);
    expect(out[0][1].content.length).toBeLessThanOrEqual(280);
  });

  it('load_all derives them from the training split only, never from held-out dialogues', () => {
    const r = withSmokeData((data) => runPy([
      'import json, sys',
      'from scripts.train import data as D',
      'd = D.load_all(json.load(sys.stdin))',
      'train, held = d["topical_pairs"]',
      'def users(docs): return {m["content"] for doc in docs for m in doc if m["role"] == "user"}',
      'train_users = users(doc for n in D.DERIVED["topical_pairs"] for doc in d[n][0])',
      'held_users = users(doc for n in D.DERIVED["topical_pairs"] for doc in d[n][1])',
      'qs = [p[0]["content"] for p in train]',
      'print(json.dumps({"n": len(train), "held": len(held), "held_users": len(held_users),',
      '                  "from_train": sum(q in train_users for q in qs)}))',
    ].join('\n'), data));
    expect(r.held).toBe(0);
    expect(r.held_users).toBeGreaterThan(0);
    expect(r.n).toBeGreaterThan(0);
    expect(r.from_train).toBe(r.n);
  });
});

describe('fill_names (persona chat placeholders)', () => {
  const fill = (dialogue: Chat, seed = 0): Chat | null => runPy([
    'import json, random, sys',
    'from scripts.train.data import fill_names',
    `print(json.dumps(fill_names(json.load(sys.stdin), random.Random(${seed}))))`,
  ].join('\n'), dialogue);

  it('gives each speaker one first name: user 1 speaks first, a bare [name] after "I\'m" is the speaker\'s own', () => {
    const out = fill([
      u("Hi, I'm [user 1's name]. What's your name?"),
      b("Hi [User 1's name], my name is (name). Nice to meet you!"),
      u('Nice to meet you too, [name]! I like hiking.'),
      b('Me too, user1.'),
    ])!;
    const [a, bName] = out[0].content.match(/I'm (\w+)\./)!.slice(1).concat(out[1].content.match(/my name is (\w+)\./)!.slice(1));
    expect(a).not.toBe(bName);
    expect(out.map((m) => m.content)).toEqual([
      `Hi, I'm ${a}. What's your name?`,
      `Hi ${a}, my name is ${bName}. Nice to meet you!`,
      `Nice to meet you too, ${bName}! I like hiking.`,
      `Me too, ${a}.`,
    ]);
    expect(out.map((m) => m.role)).toEqual(['user', 'assistant', 'user', 'assistant']);
  });

  it('drops a dialogue whose other placeholders have no stand-in, and leaves plain dialogues alone', () => {
    expect(fill([u("I'm from [user 1's hometown]."), b('Nice place!')])).toBeNull();
    const plain = [u('Do you like music?'), b('Yes, mostly jazz (and some rock).')];
    expect(fill(plain)).toEqual(plain);
  });

  it('load_all fills the training split and keeps held-out dialogues verbatim', () => {
    const r = withSmokeData((data) => runPy([
      'import csv, gzip, io, json, sys',
      'from scripts.train import data as D',
      'root = json.load(sys.stdin)',
      'for split in ("valid", "test"):',
      '    buf = io.StringIO(); w = csv.writer(buf)',
      '    w.writerow(["user 1 personas", "user 2 personas", "Best Generated Conversation"])',
      '    for i in range(30):',
      '        w.writerow(["a", "b", f"User 1: Hi, I\'m [user 1\'s name]. I grow tomatoes {i}.\\nUser 2: Hi [user 1\'s name], I\'m [user 2\'s name]."])',
      '    with gzip.open(f"{root}/synthetic-persona-chat/Synthetic-Persona-Chat_{split}.csv.gz", "wt") as f: f.write(buf.getvalue())',
      'train, held = D.load_all(root)["persona"]',
      'texts = [m["content"] for d in train for m in d]',
      'print(json.dumps({"train": len(train), "held": len(held), "train_slots": sum("[" in t for t in texts),',
      '                  "named": sum(any(n in t for n in D.FIRST_NAMES) for t in texts), "texts": len(texts),',
      '                  "held_slots": sum("[user 1\'s name]" in d[0]["content"] for d in held)}))',
    ].join('\n'), data));
    expect(r.train + r.held).toBe(60);
    expect(r.held).toBeGreaterThan(0);
    expect(r.train_slots).toBe(0);
    expect(r.named).toBe(r.texts);
    expect(r.held_slots).toBe(r.held);
  });
});
