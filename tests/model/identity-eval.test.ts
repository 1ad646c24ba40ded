// The identity measure (scripts/eval/identity.py) asks in words the training never used (neither
// the identity chats nor the introductions), and its judge tells Hearth from the other assistants the training text names, whatever the spelling.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { expect, it } from 'vitest';
import { findPython } from './python';

const REPO = path.resolve(__dirname, '../..');

const CASES: [string, { hearth: boolean; other: boolean }][] = [
  ["I'm Hearth, a small model running in your browser.", { hearth: true, other: false }],
  ["HEARTH's my name.", { hearth: true, other: false }],
  ['My name is Open Assistant. I am a language model.', { hearth: false, other: true }],
  ['I am OpenAssistant, trained by LAION.', { hearth: false, other: true }],
  ['I am Chat-GPT', { hearth: false, other: true }],
  ['I am based on GPT-3.', { hearth: false, other: true }],
  ['I am Hearth, not ChatGPT.', { hearth: true, other: true }],
  ['I love playing Hearthstone and watching a TV series.', { hearth: false, other: false }],
  ['I am a fan of the NFL.', { hearth: false, other: false }],
  ['', { hearth: false, other: false }],
];

it('identity questions are phrased unlike every identity chat, and the judge reads names', () => {
  const code = [
    'import json, sys',
    'from scripts.eval.identity import IDENTITY_PROMPTS, judge, identity',
    'cases = json.load(sys.stdin)',
    'n = [0]',
    'def reply(p, k):',
    '    n[0] += 1',
    '    return "I am Hearth." if n[0] % 2 else "Open Assistant here."',
    'print(json.dumps({"prompts": IDENTITY_PROMPTS, "judged": [judge(c) for c in cases], "run": identity(reply, 8)}))',
  ].join('\n');
  const r = spawnSync(findPython(), ['-c', code], {
    cwd: REPO,
    input: JSON.stringify(CASES.map((c) => c[0])),
    encoding: 'utf8',
    env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' },
  });
  expect(r.status, r.stderr).toBe(0);
  const out = JSON.parse(r.stdout);
  expect(out.judged).toEqual(CASES.map((c) => c[1]));
  // no question repeats a user turn of the training chats (case, spacing and end punctuation aside)
  const norm = (s: string) => s.toLowerCase().replace(/[?!.\s]+$/u, '').replace(/\s+/gu, ' ').trim();
  const trained = new Set<string>();
  for (const file of ['identity_chats.jsonl', 'introductions_chats.jsonl']) {
    for (const line of fs.readFileSync(path.join(REPO, 'scripts/train', file), 'utf8').split('\n')) {
      if (!line.trim()) continue;
      for (const m of JSON.parse(line).messages) if (m.role === 'user') trained.add(norm(m.content));
    }
  }
  expect(trained.size).toBeGreaterThan(20);
  expect(out.prompts).toHaveLength(10);
  expect(out.prompts.filter((p: string) => trained.has(norm(p)))).toEqual([]);
  // the counts are the judged answers': odd calls name Hearth, even ones Open Assistant
  expect(out.run.prompts).toBe(10);
  expect(out.run.hearth).toBe(5);
  expect(out.run.other).toBe(5);
  expect(out.run.answers[0]).toEqual({ prompt: out.prompts[0], answer: 'I am Hearth.', hearth: true, other: false });
});
