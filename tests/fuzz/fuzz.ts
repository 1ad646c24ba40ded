// The fuzzer's driver, shared by `npm run fuzz:sync` (tests/fuzz/cli.ts) and the CI test
// (tests/server/fuzz.test.ts): runs seeds on a cluster, and for a failing seed shrinks the
// schedule to a minimal replay, written to a JSON file with the command that reruns it.
import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Cluster, DbKind } from './cluster';
import { describeOp, generate, type FaultKind, type Op } from './ops';
import type { Violation } from './oracle';
import { broken, runSchedule, shrink, type RunOptions } from './run';

export interface FuzzOptions extends RunOptions {
  ops: number;
  /** Seconds spent shrinking each failing seed (0: no shrinking). */
  shrinkSeconds: number;
  verbose?: boolean;
}

export interface Replay {
  seed: number;
  db: DbKind;
  devices: number;
  tabs: number;
  faults: FaultKind[];
  ops: Op[];
}

export interface SeedOutcome {
  seed: number;
  db: DbKind;
  invariants: string[];
  violations: Violation[];
  ms: number;
  replay?: { ops: Op[]; file: string; invariant: string; violations: Violation[]; trace: string[] };
}

export const REPLAY_DIR = join(tmpdir(), 'hearth-fuzz-sync');

export function rerunCommand(r: { db: DbKind; seed?: number; file?: string; faults: FaultKind[] }, allFaults: number): string {
  const faults = r.faults.length === allFaults ? '' : ` --faults ${r.faults.join(',') || 'none'}`;
  return r.file ? `npm run fuzz:sync -- --db ${r.db} --replay ${r.file}` : `npm run fuzz:sync -- --db ${r.db} --seed ${r.seed}${faults}`;
}

export async function fuzzSeed(cluster: Cluster, seed: number, o: FuzzOptions, given?: Op[]): Promise<SeedOutcome> {
  const ops = given ?? generate(seed, { devices: o.devices, tabs: o.tabs, ops: o.ops, faults: o.faults });
  const result = await runSchedule(cluster, seed, ops, o);
  if (o.verbose) console.log(result.trace.join('\n'));
  const outcome: SeedOutcome = { seed, db: cluster.kind, invariants: broken(result), violations: result.violations, ms: result.ms };
  if (!outcome.invariants.length) return outcome;
  const invariant = result.violations[0].invariant;
  const minimal = o.shrinkSeconds > 0 ? await shrink(cluster, seed, ops, o, invariant, Date.now() + o.shrinkSeconds * 1000) : ops;
  const last = minimal === ops ? result : await runSchedule(cluster, seed, minimal, o);
  mkdirSync(REPLAY_DIR, { recursive: true });
  const file = join(REPLAY_DIR, `replay-${cluster.kind}-${seed}-${invariant}.json`);
  const replay: Replay = { seed, db: cluster.kind, devices: o.devices, tabs: o.tabs, faults: [...o.faults], ops: minimal };
  writeFileSync(file, JSON.stringify(replay, null, 1));
  outcome.replay = { ops: minimal, file, invariant, violations: last.violations, trace: last.trace };
  return outcome;
}

/** A failing seed as the report prints it. */
export function formatOutcome(r: SeedOutcome, allFaults: number, faults: FaultKind[]): string {
  if (!r.invariants.length) return `seed ${r.seed} [${r.db}] ok (${(r.ms / 1000).toFixed(1)} s)`;
  const lines = [`seed ${r.seed} [${r.db}] FAILED: ${r.invariants.join(', ')} (${(r.ms / 1000).toFixed(1)} s)`];
  for (const v of r.violations.slice(0, 6)) lines.push(`  ${v.invariant}: ${v.detail}`);
  if (r.violations.length > 6) lines.push(`  ... ${r.violations.length - 6} more`);
  if (r.replay) {
    lines.push(`  minimal replay for "${r.replay.invariant}" (${r.replay.ops.length} ops):`);
    for (const [i, op] of r.replay.ops.entries()) lines.push(`    ${i}. ${describeOp(op)}`);
    lines.push(`  the replay broke: ${[...new Set(r.replay.violations.map((v) => v.invariant))].join(', ') || 'nothing (flaky)'}`);
    lines.push(`  rerun the replay: ${rerunCommand({ db: r.db, file: r.replay.file, faults }, allFaults)}`);
  }
  lines.push(`  rerun the seed:   ${rerunCommand({ db: r.db, seed: r.seed, faults }, allFaults)}`);
  return lines.join('\n');
}
