// The fine-tuning script reads Hearth's export file directly: scripts/train/hearth_export.py gives
// each conversation's branch on screen (system prompt first, failed replies left out), with the
// standard library only. (tests/model/finetune-export.test.ts checks finetune.py's loader, which
// needs torch.) Runs HEARTH_PYTHON (npm test sets it to the .venv), else python3 on PATH.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { freshStorage } from './dbHelpers';
import { exportText, seed } from './io-helpers';

const PY = process.env.HEARTH_PYTHON ?? 'python3'; // the standard library is enough
const root = resolve(__dirname, '../..');
const run = (code: string, file: string) => JSON.parse(execFileSync(PY, ['-c', code, file], { cwd: root, encoding: 'utf8', timeout: 120_000 }));

describe('python reader of the export', () => {
  it('gives the branch on screen of each conversation, system prompt first', async () => {
    const s = freshStorage();
    await seed(s);
    const file = join(mkdtempSync(join(tmpdir(), 'hearth-io-')), 'hearth-export.json');
    writeFileSync(file, await exportText(s));
    const expected = [
      [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'What is in the picture?' },
        { role: 'assistant', content: 'A small cat' },
        { role: 'user', content: 'Thanks! ```code```' },
      ],
      [{ role: 'user', content: 'Second chat' }], // the failed reply is left out
    ];
    const reader = 'import json, sys; from scripts.train.hearth_export import read_hearth_export; print(json.dumps(read_hearth_export(sys.argv[1])))';
    expect(run(reader, file)).toEqual(expected);
  });

  it('refuses a file that is not a Hearth export of a version it reads', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'hearth-io-')), 'x.json');
    writeFileSync(file, JSON.stringify({ format: 'hearth-export', version: 2, conversations: [] }));
    expect(() => execFileSync(PY, ['-c', 'import sys; from scripts.train.hearth_export import read_hearth_export; read_hearth_export(sys.argv[1])', file], { cwd: root, stdio: 'pipe' })).toThrow(
      /Hearth export version 2; this reader reads version 1/,
    );
  });
});
