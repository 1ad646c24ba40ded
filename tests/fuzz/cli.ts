// `npm run fuzz:sync -- --seeds N [--seed S] [--db pglite|postgres|both] [--faults a,b|all|none]
//   [--ops N] [--devices N] [--tabs N] [--shrink-seconds S] [--replay file.json] [--verbose] [--keep-going] [--fresh-every N]`
// Runs seeded multi-device fault-injection schedules against the real sync server (see
// docs/fuzz-sync.md). PostgreSQL needs TEST_DATABASE_URL. Server ports from FUZZ_SYNC_PORT (8821).
// Exits 1 when any seed breaks an invariant; each failing seed prints a minimal replay.
// --keep-going (long runs): a seed the harness cannot run (a server that will not start again)
// is printed and counted as a harness error, and the run goes on with fresh servers.
// --fresh-every N (default 200): new servers on an empty database every N seeds, so a long run's
// database (and the cost of each backup) does not grow with it.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { startCluster, type Cluster, type DbKind } from './cluster';
import { formatOutcome, fuzzSeed, type Replay, type SeedOutcome } from './fuzz';
import { ALL_FAULTS, FAULT_KINDS, type FaultKind } from './ops';

const { values: a } = parseArgs({
  options: {
    seeds: { type: 'string', default: '10' },
    seed: { type: 'string' },
    db: { type: 'string', default: 'pglite' },
    faults: { type: 'string', default: 'all' },
    ops: { type: 'string', default: '80' },
    devices: { type: 'string', default: '3' },
    tabs: { type: 'string', default: '2' },
    'shrink-seconds': { type: 'string', default: '180' },
    replay: { type: 'string' },
    verbose: { type: 'boolean', default: false },
    'keep-going': { type: 'boolean', default: false },
    'fresh-every': { type: 'string', default: '200' },
    help: { type: 'boolean', default: false },
  },
});

if (a.help) {
  console.log(readFileSync(new URL(import.meta.url), 'utf8').split('\n').slice(0, 5).join('\n'));
  console.log('\nFault kinds:');
  for (const [k, v] of Object.entries(FAULT_KINDS)) console.log(`  ${k.padEnd(10)} ${v}`);
  process.exit(0);
}

function faultSet(spec: string): Set<FaultKind> {
  if (spec === 'all') return new Set(ALL_FAULTS);
  if (spec === 'none') return new Set();
  const list = spec.split(',').map((s) => s.trim()) as FaultKind[];
  const bad = list.filter((k) => !(k in FAULT_KINDS));
  if (bad.length) throw new Error(`unknown fault kind(s) ${bad.join(', ')}; known: ${ALL_FAULTS.join(', ')}`);
  return new Set(list);
}

const replay: Replay | null = a.replay ? JSON.parse(readFileSync(a.replay, 'utf8')) : null;
const faults = replay ? new Set(replay.faults) : faultSet(a.faults!);
const dbs: DbKind[] = replay ? [replay.db] : a.db === 'both' ? ['pglite', 'postgres'] : [a.db as DbKind];
const first = a.seed !== undefined ? Number(a.seed) : 1;
const seeds = replay ? [replay.seed] : Array.from({ length: a.seed !== undefined && process.argv.includes('--seeds') === false ? 1 : Number(a.seeds) }, (_, i) => first + i);
const options = {
  devices: replay?.devices ?? Number(a.devices),
  tabs: replay?.tabs ?? Number(a.tabs),
  ops: Number(a.ops),
  faults,
  shrinkSeconds: Number(a['shrink-seconds']),
  verbose: a.verbose,
};
const port = Number(process.env.FUZZ_SYNC_PORT || 8821);

const outcomes: SeedOutcome[] = [];
const harnessErrors: string[] = [];
console.log(`[fuzz:sync] ${seeds.length} seed(s) on ${dbs.join(' and ')}; faults: ${[...faults].join(', ') || 'none'}`);
const open = async (db: DbKind) => {
  const started = Date.now();
  const cluster = await startCluster(db, port, process.env.TEST_DATABASE_URL);
  console.log(`[fuzz:sync] ${db}: ${cluster.instances.length} server instance(s) up in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return cluster;
};
// A failure to close must not hide the error that ended the loop (if one did): both are printed.
const close = (c: Cluster) => c.close().catch((e) => console.error(`[fuzz:sync] ${c.kind}: closing the servers failed:`, e));
for (const db of dbs) {
  let cluster = await open(db);
  try {
    for (const [i, seed] of seeds.entries()) {
      if (i > 0 && i % Number(a['fresh-every']) === 0) {
        await close(cluster);
        cluster = await open(db);
      }
      let r: SeedOutcome;
      try {
        r = await fuzzSeed(cluster, seed, options, replay?.ops);
      } catch (e) {
        if (!a['keep-going']) throw e;
        harnessErrors.push(`${db}:${seed}`);
        console.log(`seed ${seed} [${db}] HARNESS ERROR (not counted): ${String((e as Error)?.stack ?? e).split('\n').slice(0, 3).join(' | ').slice(0, 600)}`);
        await close(cluster);
        cluster = await open(db);
        continue;
      }
      outcomes.push(r);
      console.log(formatOutcome(r, ALL_FAULTS.length, [...faults]));
    }
  } finally {
    await close(cluster);
  }
}

const failed = outcomes.filter((r) => r.invariants.length);
const byInvariant = new Map<string, string[]>();
for (const r of failed) for (const inv of r.invariants) byInvariant.set(inv, [...(byInvariant.get(inv) ?? []), `${r.db}:${r.seed}`]);
console.log(`\n[fuzz:sync] ${outcomes.length - failed.length} of ${outcomes.length} schedule(s) held every invariant`);
for (const [inv, where] of byInvariant) console.log(`  ${inv}: ${where.join(' ')}`);
if (harnessErrors.length) console.log(`  ${harnessErrors.length} seed(s) the harness could not run: ${harnessErrors.join(' ')}`);
process.exit(failed.length || harnessErrors.length ? 1 : 0);
