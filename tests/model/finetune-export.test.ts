// scripts/train/finetune.py reads Hearth's export file as the app downloads it, with no conversion:
// its data loader gives the branch on screen of each conversation that has an assistant turn.
// Needs the pipeline's Python, found as the other model tests find it (./python.ts: HEARTH_PYTHON,
// else .venv/ from scripts/python-env.sh, else python3).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { expect, it } from 'vitest';
import { freshStorage } from '../unit/dbHelpers';
import { exportText, seed } from '../unit/io-helpers';
import { findPython } from './python';

const root = resolve(__dirname, '../..');

it('finetune.py loads a Hearth export directly', async () => {
  const s = freshStorage();
  await seed(s);
  const file = join(mkdtempSync(join(tmpdir(), 'hearth-ft-')), 'hearth-export.json');
  writeFileSync(file, await exportText(s));
  const code = 'import json, sys; from scripts.train.finetune import load_conversations; print(json.dumps(load_conversations(sys.argv[1])))';
  const r = spawnSync(findPython(), ['-c', code, file], { cwd: root, encoding: 'utf8', timeout: 280_000 });
  expect(r.stderr).not.toMatch(/Error/);
  expect(JSON.parse(r.stdout)).toEqual([
    [
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'What is in the picture?' },
      { role: 'assistant', content: 'A small cat' },
      { role: 'user', content: 'Thanks! ```code```' },
    ],
  ]);
}, 300_000); // importing torch is slow on a busy machine
