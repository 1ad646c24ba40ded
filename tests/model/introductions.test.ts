// The chats in Hearth's voice that the fine-tune learns greetings and introductions from
// (scripts/train/make_identity_data.py): the committed files are what the generator writes, a
// reply to "Hi, I'm Emma" greets Emma and names Hearth, no reply gives Hearth another name or a
// job, home or family (Persona-Chat's speakers do, and the model copied them), and the
// introductions are fine-tune only: load_all gives them no held-out slice and the tokenizer skips them.
// Needs the pipeline's Python (.venv/, HEARTH_PYTHON overrides).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { expect, it } from 'vitest';
import { findPython } from './python';

const REPO = path.resolve(__dirname, '../..');
type Msg = { role: string; content: string };

function py(code: string): any {
  const r = spawnSync(findPython(), ['-c', code], {
    cwd: REPO, encoding: 'utf8', env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' },
  });
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout);
}

const read = (file: string): Msg[][] =>
  fs.readFileSync(path.join(REPO, 'scripts/train', file), 'utf8').split('\n').filter((l) => l.trim())
    .map((l) => JSON.parse(l).messages);

it('the committed chat files are exactly what make_identity_data.py writes', () => {
  const made = py([
    'import json',
    'from scripts.train import make_identity_data as M',
    'print(json.dumps({"identity": M.make(), "introductions": M.make_introductions(), "names": M.NAMES}))',
  ].join('\n'));
  expect(read('identity_chats.jsonl')).toEqual(made.identity);
  expect(read('introductions_chats.jsonl')).toEqual(made.introductions);
  expect(made.introductions.length).toBeGreaterThan(400);
});

it('introductions greet the user by name, name Hearth, and never invent a life for it', () => {
  const chats = read('introductions_chats.jsonl');
  const names: string[] = py('import json\nfrom scripts.train.make_identity_data import NAMES\nprint(json.dumps(NAMES))');
  let greeted = 0;
  for (const chat of chats) {
    expect(chat.map((m) => m.role)).toEqual(chat.map((_, i) => (i % 2 ? 'assistant' : 'user')));
    for (let i = 1; i < chat.length; i += 2) {
      const said = chat[i].content;
      const user = chat[i - 1].content;
      const name = names.find((n) => new RegExp(`\\b${n}\\b`).test(user));
      if (name && /\b(I'm|I am|[Mm]y name is|here)\b/.test(user)) {
        expect(said).toContain(name);
        greeted += 1;
      }
      if (/name/i.test(user) && /\?/.test(user)) expect(said).toContain('Hearth');
      // Hearth has no other name, job, home or family
      for (const m of said.matchAll(/\b(?:I'm|I am|[Mm]y name is|[Cc]all me) ([A-Z][a-z]+)/g)) expect(m[1]).toBe('Hearth');
      expect(said).not.toMatch(/\bI (work|live) (at|in|as) (?!your browser)|\bmy (wife|husband|kids?|son|daughter)\b/i);
    }
  }
  expect(greeted).toBeGreaterThan(150);
});

it('introductions are fine-tune only: no held-out slice, skipped by the tokenizer trainer', () => {
  const r = py([
    'import json, shutil, tempfile',
    'from scripts.train import data as D, make_smoke_data',
    'd = tempfile.mkdtemp()',
    'make_smoke_data.main(d)',
    'out = D.load_all(d, limit=60)',
    'shutil.rmtree(d)',
    'print(json.dumps({"n": len(out["introductions"][0]), "held": len(out["introductions"][1]),',
    '  "derived": "introductions" in D.DERIVED, "pretrain_source": "introductions" in D.SOURCES}))',
  ].join('\n'));
  expect(r).toEqual({ n: 60, held: 0, derived: true, pretrain_source: false });
});

it('no training chat repeats a prompt the evaluation asks (card, development, golden, identity), up to case, spacing and end punctuation', () => {
  const r = py([
    'import json',
    'from scripts.train import data as D',
    'from scripts.eval.prompts import PROMPTS, DEV_PROMPTS, GOLDEN_PROMPT',
    'from scripts.eval.identity import IDENTITY_PROMPTS',
    'from scripts.eval.model_card import trained_prompts',
    'asked = PROMPTS + DEV_PROMPTS + [m["content"] for m in GOLDEN_PROMPT] + IDENTITY_PROMPTS',
    'print(json.dumps({"identity": trained_prompts(asked, [D.IDENTITY_FILE]),',
    '  "introductions": trained_prompts(asked, [D.INTRODUCTIONS_FILE]), "both": trained_prompts(asked)}))',
  ].join('\n'));
  expect(r.introductions).toEqual([]);
  // the identity chats have held these four since the first model (they are in its pretraining too,
  // so changing them means a full retrain); the model cards say so. The list must not grow.
  expect(r.identity).toEqual(['Hi! How are you today?', 'What is your name?', 'Thank you for your help!', 'Who are you?']);
  // the card's note (trained_prompts over both files) names exactly these
  expect(r.both).toEqual(r.identity);
});
