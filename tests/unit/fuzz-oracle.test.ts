// The sync fuzzer's oracle (tests/fuzz/oracle.ts): what it calls lost, and the one loss it excuses
// (a version only the server held when the server was restored from a backup).
import { describe, expect, it } from 'vitest';
import { Oracle } from '../../tests/fuzz/oracle';

const conv = (id: string, title: string, updatedAt: number, deletedAt: number | null = null) =>
  JSON.stringify({ id, title, updatedAt, deletedAt });
const state = (...entries: [string, string][]) => new Map(entries);
const invariants = (o: Oracle, final: Map<string, string>) => o.check('d1', final).map((v) => v.invariant);

describe('fuzz oracle', () => {
  const v1 = conv('c', 'first', 1);
  const v2 = conv('c', 'renamed', 2);

  it('a record written on a device and held by no device is missing; a version lost under a newer one is a lost write', () => {
    const o = new Oracle();
    o.record(state(), state(['conversation:c', v1]), 'd0@0:create');
    expect(invariants(o, state())).toEqual(['missing-record']);
    o.record(state(['conversation:c', v1]), state(['conversation:c', v2]), 'd0@1:rename');
    expect(invariants(o, state(['conversation:c', v1]))).toEqual(['lost-write']);
    expect(invariants(o, state(['conversation:c', v2]))).toEqual([]);
  });

  it('a restore excuses only what no device held at that moment', () => {
    const o = new Oracle();
    o.record(state(), state(['conversation:c', v1]), 'd0@0:create');
    o.record(state(['conversation:c', v1]), state(['conversation:c', v2]), 'd0@1:rename');
    // d0 removed its data after pushing the rename; d1 still holds the first version.
    o.restored([state(), state(['conversation:c', v1])], '#2');
    expect(invariants(o, state(['conversation:c', v1]))).toEqual([]);
    expect(invariants(o, state())).toEqual(['missing-record']); // d1 held the record: it must survive
  });

  it('a restore excuses nothing a device holds, nor a version whose later version a device holds', () => {
    const o = new Oracle();
    o.record(state(), state(['conversation:c', v1]), 'd0@0:create');
    o.record(state(['conversation:c', v1]), state(['conversation:c', v2]), 'd0@1:rename');
    const v3 = conv('c', 'renamed again', 3);
    o.record(state(['conversation:c', v2]), state(['conversation:c', v3]), 'd2@2:rename');
    o.restored([state(['conversation:c', v1]), state(['conversation:c', v3])], '#3'); // v2 is held by nobody, v3 is
    expect(invariants(o, state(['conversation:c', v1]))).toEqual(['lost-write']);
    expect(invariants(o, state(['conversation:c', v3]))).toEqual([]);
  });

  it('with every version held by nobody at the restore, the record may be gone', () => {
    const o = new Oracle();
    o.record(state(), state(['conversation:c', v1]), 'd0@0:create');
    o.restored([state(), state()], '#1');
    expect(invariants(o, state())).toEqual([]);
  });
});
