// A fuzz schedule: the operations of one seed, drawn up front from a seeded PRNG. Each operation
// carries its own random numbers (which conversation, which request, which instance), resolved
// against the state when it runs, so any sub-list of a schedule is still a valid schedule (that is
// what the shrinker relies on). Fault kinds can be switched off one by one (`--faults`).
import { rng } from '../server/simClient';
import type { Delivery } from './net';

/** Everything that can go wrong, each switchable. */
export const FAULT_KINDS = {
  drop: 'requests dropped, before the server saw them or after it processed them',
  dup: 'requests sent twice',
  delay: 'requests delivered out of order and answers that arrive late',
  kill: 'the server SIGKILLed while it processes a push, then restarted',
  restore: 'the server database restored from an earlier backup',
  close: 'a tab closed mid-sync (its work abandoned) and opened again',
  tabs: 'two tabs of a device syncing at the same time',
  expire: 'a session expiring on the server',
  password: 'the password changed on another device',
  signout: 'sign out (keeping or removing local data) and sign in again',
  'upper-ids': 'imports of files whose ids are upper-case',
} as const;
export type FaultKind = keyof typeof FAULT_KINDS;
export const ALL_FAULTS = Object.keys(FAULT_KINDS) as FaultKind[];

type On = { d: number; tab: number };
export type Op =
  | ({ t: 'create' } & On)
  | ({ t: 'send'; p: number; file: boolean } & On)
  | ({ t: 'rename'; p: number } & On)
  | ({ t: 'pin'; p: number } & On)
  | ({ t: 'prompt'; p: number } & On)
  | ({ t: 'delete'; p: number } & On)
  | ({ t: 'undo' } & On)
  | ({ t: 'regenerate'; p: number; q: number } & On)
  | ({ t: 'edit'; p: number; q: number } & On)
  | ({ t: 'import'; from: number; p: number; fresh: boolean; upper: boolean } & On)
  | ({ t: 'purge' } & On)
  | ({ t: 'sync' } & On)
  | ({ t: 'signout'; keep: boolean } & On)
  | ({ t: 'signin' } & On)
  | ({ t: 'reauth' } & On)
  | ({ t: 'password' } & On)
  | { t: 'expire'; d: number }
  | { t: 'net'; p: number; how: Delivery; r: number }
  | { t: 'backup' }
  | { t: 'restore'; p: number }
  | ({ t: 'close' } & On);

export interface ScheduleOptions {
  devices: number;
  tabs: number;
  ops: number;
  faults: Set<FaultKind>;
}

export function generate(seed: number, o: ScheduleOptions): Op[] {
  const random = rng(seed);
  const f = o.faults;
  const on = (): On => ({ d: Math.floor(random() * o.devices), tab: f.has('tabs') ? Math.floor(random() * o.tabs) : 0 });
  const deliveries: [Delivery, number][] = [
    ['ok', 10],
    ['drop-before', f.has('drop') ? 1 : 0],
    ['drop-after', f.has('drop') ? 1.5 : 0],
    ['dup', f.has('dup') ? 1.5 : 0],
    ['late', f.has('delay') ? 1.5 : 0],
    ['kill', f.has('kill') ? 0.4 : 0],
  ];
  const weighted = <T>(items: [T, number][]): T => {
    let x = random() * items.reduce((n, [, w]) => n + w, 0);
    for (const [item, w] of items) if ((x -= w) < 0) return item;
    return items[items.length - 1][0];
  };
  const makers: [() => Op, number][] = [
    [() => ({ t: 'net', p: f.has('delay') ? random() : 0, how: weighted(deliveries), r: random() }), 40],
    [() => ({ t: 'sync', ...on() }), 12],
    [() => ({ t: 'create', ...on() }), 5],
    [() => ({ t: 'send', ...on(), p: random(), file: random() < 0.35 }), 6],
    [() => ({ t: 'rename', ...on(), p: random() }), 5],
    [() => ({ t: 'pin', ...on(), p: random() }), 1.5],
    [() => ({ t: 'prompt', ...on(), p: random() }), 1.5],
    [() => ({ t: 'delete', ...on(), p: random() }), 3.5],
    [() => ({ t: 'undo', ...on() }), 2],
    [() => ({ t: 'regenerate', ...on(), p: random(), q: random() }), 2.5],
    [() => ({ t: 'edit', ...on(), p: random(), q: random() }), 2.5],
    [() => ({ t: 'import', ...on(), from: Math.floor(random() * o.devices), p: random(), fresh: random() < 0.5, upper: f.has('upper-ids') && random() < 0.5 }), 2],
    [() => ({ t: 'purge', ...on() }), 0.7],
    [() => ({ t: 'signout', ...on(), keep: random() < 0.5 }), f.has('signout') ? 1.2 : 0],
    [() => ({ t: 'signin', ...on() }), f.has('signout') ? 2 : 0],
    [() => ({ t: 'reauth', ...on() }), f.has('expire') || f.has('password') ? 2.5 : 0],
    [() => ({ t: 'password', ...on() }), f.has('password') ? 0.6 : 0],
    [() => ({ t: 'expire', d: Math.floor(random() * o.devices) }), f.has('expire') ? 0.8 : 0],
    [() => ({ t: 'backup' }), f.has('restore') ? 0.6 : 0],
    [() => ({ t: 'restore', p: random() }), f.has('restore') ? 0.5 : 0],
    [() => ({ t: 'close', ...on() }), f.has('close') ? 1.2 : 0],
  ];
  return Array.from({ length: o.ops }, () => weighted(makers)());
}

/** One line per operation, for replays. */
export function describeOp(op: Op): string {
  const { t, ...rest } = op;
  const args = Object.entries(rest)
    .map(([k, v]) => `${k}=${typeof v === 'number' && !Number.isInteger(v) ? v.toFixed(3) : v}`)
    .join(' ');
  return `${t} ${args}`.trim();
}
