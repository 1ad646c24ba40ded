// Runs one fuzz schedule against a cluster: sets up an account and its devices, executes the
// operations one at a time (each waits until every running sync or account action is either done
// or waiting on the network, so the schedule alone decides the interleaving), then brings the
// system to quiescence (no faults; every device signs in if needed and syncs until a whole round
// moves nothing) and checks the invariants (tests/fuzz/oracle.ts). `shrink` cuts a failing
// schedule down (greedy delta debugging) while it still breaks the same invariant.
import { createHash, randomBytes } from 'node:crypto';
import type { Storage } from '../../src/db';
import * as account from '../../src/sync/account';
import * as app from './app';
import { Device, SERVER_URL, type Tab } from './app';
import type { Cluster } from './cluster';
import { Net } from './net';
import type { FaultKind, Op } from './ops';
import { compare, Oracle, plaintextIn, type Violation } from './oracle';
import { uuidFrom, rng } from '../server/simClient';

export interface RunOptions {
  devices: number;
  tabs: number;
  faults: Set<FaultKind>;
  /** Longest a step may take before the run is declared hung. */
  stepTimeoutMs?: number;
}

export interface RunResult {
  violations: Violation[];
  trace: string[];
  ms: number;
}

class Hang extends Error {}

let trials = 0;

/**
 * Runs `ops`. The app's record ids (crypto.randomUUID) come from the seed meanwhile, so a replay
 * picks the same records in the same order (lists tie on `createdAt` after an import).
 */
export async function runSchedule(cluster: Cluster, seed: number, ops: Op[], o: RunOptions): Promise<RunResult> {
  const ids = rng(seed ^ 0x1d5);
  const own = Object.getOwnPropertyDescriptor(crypto, 'randomUUID');
  Object.defineProperty(crypto, 'randomUUID', { value: () => uuidFrom(ids), configurable: true, writable: true });
  try {
    return await runOnce(cluster, seed, ops, o);
  } finally {
    if (own) Object.defineProperty(crypto, 'randomUUID', own);
    else delete (crypto as { randomUUID?: unknown }).randomUUID;
  }
}

async function runOnce(cluster: Cluster, seed: number, ops: Op[], o: RunOptions): Promise<RunResult> {
  const started = Date.now();
  const trial = ++trials;
  const tag = `${seed}x${randomBytes(3).toString('hex')}`;
  const marker = `${app.MARKER}-${tag}`;
  const trace: string[] = [];
  const logStart = cluster.instances.map((i) => i.log.length);
  const net = new Net(cluster, (line) => trace.push(line));
  const email = `fuzz-${tag}@example.org`;
  const passwords = [`password ${tag} 0`];
  const devices = Array.from({ length: o.devices }, (_, d) => new Device(d, net, `10.${(trial >> 8) & 255}.${trial & 255}.${d + 1}`, o.tabs));
  const oracle = new Oracle();
  const backups: number[] = [];
  const random = rng(seed ^ 0x5eed);
  let texts = 0;
  const text = (what: string) => `${marker} ${what} ${++texts}`;
  const stepTimeout = o.stepTimeoutMs ?? 120_000;
  const violations: Violation[] = [];
  const seen = new Set<app.Activity>();

  const allTabs = () => devices.flatMap((d) => d.tabs);
  // A tab waits on the network when its own request is parked, or when it waits for its device's
  // sync lock while the tab holding that lock waits on the network.
  const onNet = (t: Tab) => {
    if (net.has(t.id)) return true;
    const holder = t.device.lock.holder;
    return t.device.lock.waits(t.id) && holder !== undefined && net.has(holder);
  };
  const running = () => allTabs().filter((t) => t.busy && !onNet(t));
  const quiet = async () => {
    const deadline = Date.now() + stepTimeout;
    while (running().length) {
      if (Date.now() > deadline) throw new Hang(`no progress in ${stepTimeout} ms: ${running().map((t) => `${t.id} ${t.activity!.what}`).join(', ')}`);
      await new Promise((r) => setImmediate(r));
    }
    for (const t of allTabs()) {
      const a = t.activity;
      if (!a?.settled || seen.has(a)) continue;
      seen.add(a);
      if (a.error?.code === 'unauthorized') t.device.sessionEnded = true;
      else if (!a.error && /sign in/.test(a.what)) t.device.sessionEnded = false;
      const r = a.report;
      trace.push(`  ${t.id} ${a.what}: ${a.error ? `${a.error.code}: ${a.error.message}` : r ? `ok (pushed ${r.pushed}, pulled ${r.pulled}, kept ${r.keptLocal}${r.skipped.length ? `, skipped ${r.skipped.join('; ')}` : ''})` : 'ok'}`);
    }
  };
  /** Delivers everything in order, without faults, until nothing runs. */
  const drain = async () => {
    for (let delivered = 0; ; delivered++) {
      await quiet();
      if (delivered > 20_000) throw new Hang(`still sending requests after ${delivered}: ${net.parked.map((p) => `${p.tab} ${p.method} ${p.path}`).join(', ')}`);
      if (net.parked.length) await net.deliver(net.parked[0], 'ok', random());
      else if (!allTabs().some((t) => t.busy)) return;
    }
  };
  // "Sign in again" in the Sync dialog: only the token changes (client id, cursor, outbox kept).
  const signInAgain = (tab: Tab) =>
    tab.start('sign in again', async () => {
      for (const [i, password] of passwords.entries()) {
        try {
          return await account.reauthenticate(tab.deps, password);
        } catch (e) {
          if ((e as { code?: string }).code !== 'bad-credentials' || i === passwords.length - 1) throw e;
        }
      }
    });
  const signInWithPasswords = async (tab: Tab) => {
    for (const [i, password] of passwords.entries()) {
      try {
        return await account.signIn(tab.deps, { serverUrl: SERVER_URL, email, password });
      } catch (e) {
        if ((e as { code?: string }).code !== 'bad-credentials' || i === passwords.length - 1) throw e;
      }
    }
  };
  const local = async (op: Op & { d: number; tab: number }, i: number, s: Storage, work: () => Promise<unknown>) => {
    const before = await app.snapshot(s);
    try {
      const did = await work();
      if (did === false || did === null) return;
    } catch (e) {
      // The app's own clear errors (a conversation gone meanwhile, an import refused) are shown to the user.
      if (!['StorageError', 'ImportProblem'].includes((e as { name?: string }).name ?? '')) throw e;
      trace.push(`  ${(e as Error).message}`);
    }
    oracle.record(before, await app.snapshot(s), `d${op.d}@${i}:${op.t}`);
  };

  async function exec(op: Op, i: number): Promise<void> {
    await quiet();
    trace.push(`#${i} ${JSON.stringify(op)}`);
    if (op.t === 'net') {
      if (!net.parked.length) return;
      const p = net.parked[Math.floor(op.p * net.parked.length)];
      const how = op.how === 'kill' && !p.path.startsWith('/api/sync/push') ? 'ok' : op.how;
      return net.deliver(p, how, op.r);
    }
    if (op.t === 'backup') {
      backups.push(await cluster.backup());
      return;
    }
    if (op.t === 'restore') {
      if (!backups.length) return;
      oracle.restored(await Promise.all(devices.map((d) => app.snapshot(d.tabs[0].storage))), `#${i}`);
      await cluster.restore(backups[Math.floor(op.p * backups.length)]);
      return;
    }
    const dev = devices[op.d];
    if (op.t === 'expire') {
      const acc = await dev.tabs[0].storage.sync.account();
      if (acc) await cluster.query('UPDATE sessions SET expires_at = 1 WHERE token_hash = $1', [createHash('sha256').update(acc.token).digest()]);
      return;
    }
    const tab = dev.tabs[op.tab];
    const s = tab.storage;
    switch (op.t) {
      case 'create':
        return local(op, i, s, () => app.createConversation(s, text));
      case 'send':
        return local(op, i, s, () => app.send(s, op.p, text, op.file));
      case 'rename':
        return local(op, i, s, () => app.rename(s, op.p, text('title')));
      case 'pin':
        return local(op, i, s, () => app.togglePin(s, op.p));
      case 'prompt':
        return local(op, i, s, () => app.setSystemPrompt(s, op.p, text('system prompt')));
      case 'delete':
        return local(op, i, s, async () => (dev.lastDeleted = await app.remove(s, op.p)));
      case 'undo': {
        const id = dev.lastDeleted;
        dev.lastDeleted = null;
        return id ? local(op, i, s, () => app.undo(s, id)) : undefined;
      }
      case 'regenerate':
        return local(op, i, s, () => app.regenerate(s, op.p, op.q, text));
      case 'edit':
        return local(op, i, s, () => app.edit(s, op.p, op.q, text));
      case 'import':
        return local(op, i, s, () => app.exportImport(devices[op.from].tabs[0].storage, s, op.p, op.fresh, op.upper, () => uuidFrom(random)));
      case 'purge':
        dev.lastDeleted = null;
        return local(op, i, s, () => app.purge(s));
      case 'close':
        dev.reopen(op.tab);
        return;
    }
    if (tab.busy) return;
    const signedIn = await dev.signedIn();
    if (op.t === 'sync' && signedIn && !dev.sessionEnded) tab.start('sync', () => tab.client.syncOnce());
    else if (op.t === 'signout' && signedIn) {
      dev.lastDeleted = null;
      // Removing pushes first; when it cannot, the dialog asks and this user keeps the device signed in.
      tab.start(op.keep ? 'sign out (keep)' : 'sign out (remove from this device)', () => account.signOut(tab.deps, op.keep, { client: tab.client }));
    } else if (op.t === 'signin' && !signedIn) tab.start('sign in', () => signInWithPasswords(tab));
    else if (op.t === 'reauth' && signedIn && dev.sessionEnded) signInAgain(tab);
    else if (op.t === 'password' && signedIn && !dev.sessionEnded) {
      const next = `password ${tag} ${passwords.length}`;
      const current = passwords[0];
      passwords.unshift(next);
      tab.start('change password', () => account.changePassword(tab.deps, current, next));
    }
  }

  /** Every device signs in if it must and syncs, round after round, until a round moves nothing. */
  async function settle(): Promise<void> {
    await cluster.up();
    const syncing = o.faults.has('tabs') ? o.tabs : 1;
    for (let round = 0; round < 8; round++) {
      let moved = false;
      const errors: string[] = [];
      for (const dev of devices) {
        await drain();
        const t0 = dev.tabs[0];
        if (!(await dev.signedIn())) t0.start('sign in', () => signInWithPasswords(t0));
        else if (dev.sessionEnded) signInAgain(t0);
        await drain();
        for (const tab of dev.tabs.slice(0, syncing)) {
          if (!(await dev.signedIn())) continue;
          const a = tab.start('sync', () => tab.client.syncOnce());
          await drain();
          if (a?.error) errors.push(`d${dev.index}: ${a.error.code}: ${a.error.message}`);
          if (a?.error || a?.report?.pushed || a?.report?.pulled) moved = true;
        }
        if (!(await dev.signedIn())) errors.push(`d${dev.index}: cannot sign in`);
        const waiting = await dev.tabs[0].storage.outbox.count();
        if (waiting) errors.push(`d${dev.index}: ${waiting} change(s) still wait in the outbox`);
      }
      trace.push(`settle round ${round}: ${moved ? 'moved' : 'quiet'}${errors.length ? `; ${errors.join('; ')}` : ''}`);
      if (!moved && !errors.length) return;
      if (round >= 3 && errors.length) {
        for (const e of [...new Set(errors)]) violations.push({ invariant: 'stuck', detail: e });
        return;
      }
    }
    violations.push({ invariant: 'stuck', detail: 'devices still exchange changes after 8 rounds' });
  }

  try {
    // Setup: the account is created on device 0; every device signs in (no faults).
    const first = devices[0].tabs[0];
    first.start('create account', () => account.createAccount(first.deps, { serverUrl: SERVER_URL, email, password: passwords[0] }));
    await drain();
    if (first.activity?.error) throw new Error(`setup: ${first.activity.error.message}`);
    for (const dev of devices.slice(1)) dev.tabs[0].start('sign in', () => signInWithPasswords(dev.tabs[0]));
    await drain();

    for (const [i, op] of ops.entries()) await exec(op, i);
    trace.push('-- quiescence');
    await settle();

    // A new device signing in gets the same state too.
    const newcomer = new Device(devices.length, net, `10.${(trial >> 8) & 255}.${trial & 255}.99`, 1);
    const nt = newcomer.tabs[0];
    devices.push(newcomer);
    nt.start('sign in', () => signInWithPasswords(nt));
    await drain();
    if (await newcomer.signedIn()) {
      nt.start('sync', () => nt.client.syncOnce());
      await drain();
    }
    const states: [string, app.Snapshot][] = [];
    for (const dev of devices) states.push([dev === newcomer ? 'a new device' : `d${dev.index}`, await app.snapshot(dev.tabs[0].storage)]);
    for (const [name, s] of states.slice(0, -1)) violations.push(...oracle.check(name, s));
    violations.push(...compare(states.slice(0, -1)));
    violations.push(...compare([states[0], states[states.length - 1]], 'newcomer-diverged'));
  } catch (e) {
    const crash = e instanceof Hang ? null : `${(e as Error)?.stack?.split('\n').slice(0, 4).join(' | ') ?? String(e)}`;
    violations.push(crash ? { invariant: 'crash', detail: `an operation threw: ${crash}` } : { invariant: 'hang', detail: (e as Error).message });
  } finally {
    for (const dev of devices) for (const t of dev.tabs) t.storage.close();
  }
  await cluster.up();
  const logs = cluster.instances.map((inst, i) => inst.log.slice(logStart[i])).join('\n');
  violations.push(...plaintextIn(await cluster.dump(), logs).filter((v) => v.detail.includes(marker)));
  for (const e of net.serverErrors) violations.push({ invariant: 'server-error', detail: e });
  await cluster.dropBackups();
  return { violations, trace, ms: Date.now() - started };
}

/** The invariants a result breaks, in a stable order. */
export const broken = (r: RunResult): string[] => [...new Set(r.violations.map((v) => v.invariant))].sort();

/**
 * Greedy delta debugging: drops chunks of the schedule (halves, then quarters, ... then single
 * operations) while the run still breaks `invariant`; stops at `deadline` (ms since the epoch).
 */
export async function shrink(cluster: Cluster, seed: number, ops: Op[], o: RunOptions, invariant: string, deadline: number): Promise<Op[]> {
  let cur = ops;
  let parts = 2;
  while (cur.length > 1 && Date.now() < deadline) {
    const size = Math.ceil(cur.length / parts);
    let cut = false;
    for (let start = 0; start < cur.length && Date.now() < deadline; start += size) {
      const candidate = [...cur.slice(0, start), ...cur.slice(start + size)];
      if (broken(await runSchedule(cluster, seed, candidate, o)).includes(invariant)) {
        cur = candidate;
        parts = Math.max(parts - 1, 2);
        cut = true;
        break;
      }
    }
    if (!cut) {
      if (size === 1) break;
      parts = Math.min(parts * 2, cur.length);
    }
  }
  return cur;
}
