// Topic adherence has two splits of the held-out dialogues: the first 20 per source, which the
// model cards quote, and the next 20 (the development split, scripts/eval/topic.py DEV_SKIP), on
// which reply rules are chosen. These check that the splits are disjoint, keep the measure's
// filter (a user turn with content words, at most 300 characters) and its order, and that the
// development card prompts share none of the quoted card prompts.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { expect, it } from 'vitest';
import { findPython } from './python';

const CODE = `
import json
from scripts.eval.topic import topic_dialogues, topic_prompts, adherence, DEV_SKIP
from scripts.eval.prompts import PROMPTS, DEV_PROMPTS

def dlg(i, text=None):
    return [{"role": "user", "content": text or f"Tell me about volcano number {i} please"},
            {"role": "assistant", "content": f"Volcano {i} is tall."}]

held = []
for i in range(50):
    held.append(dlg(i))
    if i % 7 == 0:
        held.append(dlg(i, "hi"))                      # no content words: skipped
        held.append(dlg(i, "lengthy " * 60))           # over 300 characters: skipped
held.append([{"role": "assistant", "content": "starts with the assistant"}])
data = {"persona": ([], held), "oasst": ([], [dlg(i) for i in range(25)])}
test = topic_prompts(data, DEV_SKIP)
dev = topic_prompts(data, DEV_SKIP, DEV_SKIP)
rep = adherence(lambda p, n: "volcanoes everywhere" if "1" in p else "no idea", data, DEV_SKIP, 8, DEV_SKIP)
print(json.dumps({"test": test, "dev": dev, "dev_skip": DEV_SKIP, "prompts": PROMPTS, "dev_prompts": DEV_PROMPTS,
                  "rep": {k: [v["prompts"], v["on_topic"], v["examples"][0]["prompt"] if v.get("examples") else None] for k, v in rep.items()}}))
`;

it('the development split of topic adherence follows the quoted one without overlap', () => {
  const r = spawnSync(findPython(), ['-c', CODE], {
    cwd: path.resolve(__dirname, '../..'),
    encoding: 'utf8',
    env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' },
  });
  expect(r.status, r.stderr).toBe(0);
  const out = JSON.parse(r.stdout);
  const name = (i: number) => `Tell me about volcano number ${i} please`;
  expect(out.dev_skip).toBe(20);
  // quoted split: the first 20 eligible, in order, the skipped kinds left out
  expect(out.test.persona).toEqual(Array.from({ length: 20 }, (_, i) => name(i)));
  // development split: the next 20, none of the quoted ones
  expect(out.dev.persona).toEqual(Array.from({ length: 20 }, (_, i) => name(i + 20)));
  // a source with fewer held-out dialogues gives fewer (oasst: 25 -> 5), not the quoted ones again
  expect(out.dev.oasst).toEqual(Array.from({ length: 5 }, (_, i) => name(i + 20)));
  // adherence on the development split judges those prompts: of 20..39 only 21 and 31 contain a "1"
  // (the quoted split, 0..19, has 11 such)
  expect(out.dev.persona.filter((p: string) => p.includes('1'))).toHaveLength(2);
  expect(out.rep.persona).toEqual([20, 2, name(20)]);
  expect(out.rep.all[0]).toBe(25);
  // the development card prompts are other prompts of the same number
  expect(out.dev_prompts).toHaveLength(out.prompts.length);
  expect(out.dev_prompts.filter((p: string) => out.prompts.includes(p))).toEqual([]);
});
