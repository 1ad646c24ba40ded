// The sync fuzzer (tests/fuzz, docs/fuzz-sync.md) in CI: a few seeded multi-device schedules with
// injected faults against real server processes, on PGlite and, when TEST_DATABASE_URL is set, on
// two instances over one PostgreSQL database; every invariant must hold. The fault kinds come from
// FUZZ_SYNC_FAULTS (default: all); a failure prints each failing seed's violations and
// the command that reruns it (`npm run fuzz:sync -- --seed S ...` shrinks it to a minimal replay).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCluster, type Cluster, type DbKind } from '../fuzz/cluster';
import { formatOutcome, fuzzSeed } from '../fuzz/fuzz';
import { ALL_FAULTS, type FaultKind } from '../fuzz/ops';
import { DATABASES, TEST_DATABASE_URL, available } from './helpers';

/** CI runs every fault kind (FUZZ_SYNC_FAULTS=drop,dup,... narrows them). */
const faults = new Set<FaultKind>(!process.env.FUZZ_SYNC_FAULTS || process.env.FUZZ_SYNC_FAULTS === 'all' ? ALL_FAULTS : (process.env.FUZZ_SYNC_FAULTS.split(',') as FaultKind[]));
const SEEDS = Number(process.env.FUZZ_SYNC_SEEDS || 8);
const FIRST_SEED = Number(process.env.FUZZ_SYNC_SEED || 1);
const PORT = Number(process.env.FUZZ_SYNC_PORT || 8821);

for (const database of DATABASES) {
  const db = database.name as DbKind;
  describe.skipIf(!available(database))(`sync fuzzer on ${db}`, () => {
    let cluster: Cluster;
    beforeAll(async () => {
      cluster = await startCluster(db, PORT, TEST_DATABASE_URL);
    }, 600_000);
    afterAll(async () => {
      await cluster?.close();
    });

    it(`${SEEDS} seeded schedules (3 devices; faults: ${[...faults].join(', ')}) hold every invariant`, async () => {
      const failures: string[] = [];
      for (let seed = FIRST_SEED; seed < FIRST_SEED + SEEDS; seed++) {
        const r = await fuzzSeed(cluster, seed, { devices: 3, tabs: 2, ops: 60, faults, shrinkSeconds: 0 });
        if (r.invariants.length) failures.push(formatOutcome(r, ALL_FAULTS.length, [...faults]));
      }
      expect(failures.join('\n\n')).toBe('');
    }, 900_000);
  });
}
