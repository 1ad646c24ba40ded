// The evaluation reads a model folder's reply rules as the app does: scripts/eval/app_topic.py's
// reply_rules against workers/sampling.ts's replyRules on the same generation configs, hostile
// values included, so that what the model card measures is what the app runs.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { expect, it } from 'vitest';
import { replyRules } from '../../workers/sampling';
import { findPython } from './python';

const CONFIGS: Record<string, unknown>[] = [
  {},
  { no_repeat_ngram_size: 4, hearth_reply_repetition_penalty: 1.2, hearth_guidance_scale: 2 },
  { no_repeat_ngram_size: 0, hearth_reply_repetition_penalty: 3, hearth_guidance_scale: 4 },
  { no_repeat_ngram_size: 4.0, hearth_guidance_scale: 1.5 },
  { no_repeat_ngram_size: 2.5, hearth_reply_repetition_penalty: 0.9, hearth_guidance_scale: 0.5 },
  { no_repeat_ngram_size: 17, hearth_reply_repetition_penalty: 3.5, hearth_guidance_scale: 4.01 },
  { no_repeat_ngram_size: -1, hearth_reply_repetition_penalty: '1.2', hearth_guidance_scale: '2' },
  { no_repeat_ngram_size: true, hearth_reply_repetition_penalty: null, hearth_guidance_scale: [2] },
  { guidance_scale: 3, repetition_penalty: 1.3 },
];

it("app_topic.py reads generation_config.json's reply rules exactly as the app does", () => {
  const code = 'import json, sys; from scripts.eval.app_topic import reply_rules; print(json.dumps([reply_rules(c) for c in json.load(sys.stdin)]))';
  const r = spawnSync(findPython(), ['-c', code], {
    cwd: path.resolve(__dirname, '../..'),
    input: JSON.stringify(CONFIGS),
    encoding: 'utf8',
    env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' },
  });
  expect(r.status, r.stderr).toBe(0);
  const py = JSON.parse(r.stdout) as { ngram: number; penalty: number; guidance: number }[];
  const app = CONFIGS.map((c) => replyRules(c));
  expect(py.map((p) => ({ noRepeatNgram: p.ngram, repetitionPenalty: p.penalty, guidanceScale: p.guidance }))).toEqual(app);
  // The cases above reach both sides of every range.
  expect(new Set(app.map((a) => a.guidanceScale)).size).toBeGreaterThan(2);
});
