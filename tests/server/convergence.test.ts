// Convergence: seeded simulations of several clients making random creates, edits and deletes,
// pushing and pulling over real HTTP to server processes, with dropped requests and responses and
// a server killed with SIGKILL mid-run and restarted. At the end every client holds the same data
// as the server, and every mutation was applied exactly once (the user's seq counter equals the
// number of mutations made: a retried push never allocates a seq). Any answer other than 200 and any
// body the protocol does not allow fails the run (simClient.ts); each phase has its own time limit
// that names it.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { until } from '../unit/until';
import { ServerProcess, freePort } from '../../server/childProcess';
import { openDb, type Db } from '../../server/db';
import { Api, DATABASES, available } from './helpers';
import { SimClient, rng } from './simClient';

const STEPS = 40;
const DROP_RATE = 0.15;
/** Each phase's limit: a phase that exceeds it is a hang, named in the failure. */
const PHASE_MS = 90_000;
/** The whole test: every phase within its limit, plus setup and the checks. */
const TEST_MS = 8 * PHASE_MS;

function phase<T>(name: string, work: Promise<T>, ms = PHASE_MS): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`convergence: "${name}" did not finish in ${ms / 1000} s`)), ms);
  });
  return Promise.race([work, limit]).finally(() => clearTimeout(timer));
}

interface Setup {
  servers: ServerProcess[];
  /** Opens the database the servers use (after they stopped, for PGlite). */
  inspect(): Promise<Db>;
  cleanup(): Promise<void>;
}

async function setupServers(database: (typeof DATABASES)[number], count: number): Promise<Setup> {
  if (database.name === 'pglite') {
    const dir = mkdtempSync(join(tmpdir(), 'hearth-sync-'));
    const servers = [new ServerProcess(await freePort(), { DATA_DIR: join(dir, 'data') })];
    return {
      servers,
      inspect: () => openDb({ dataDir: join(dir, 'data') }),
      async cleanup() {
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  const { db, env, drop } = await database.open();
  const servers: ServerProcess[] = [];
  for (let i = 0; i < count; i++) servers.push(new ServerProcess(await freePort(), env));
  return { servers, inspect: async () => db, cleanup: drop };
}

async function simulate(database: (typeof DATABASES)[number], opts: { seed: number; instances: number; clients: number; kill: boolean }) {
  const setup = await setupServers(database, opts.instances);
  const { servers } = setup;
  const victim = servers[0];
  let victimDown = false;
  try {
    // Instances start together: the migrations must tolerate it.
    await phase('servers start', Promise.all(servers.map((s) => s.start())));
    const random = rng(opts.seed);
    const account = await new Api(servers[0].url, '127.0.0.1').register();
    const clients: SimClient[] = [];
    for (let i = 0; i < opts.clients; i++) {
      const server = servers[i % servers.length];
      const login = await new Api(server.url).call('POST', '/api/auth/login', { json: { email: account.email, authKey: account.authKey } });
      expect(login.status).toBe(200);
      const down = () => victimDown && server === victim;
      clients.push(new SimClient(`c${i}`, server.url, login.body.token, rng(Math.floor(random() * 2 ** 32)), DROP_RATE, down));
    }

    // Round 1, with a SIGKILL of a server in the middle (clients keep working offline meanwhile).
    const round1 = Promise.all(clients.map((c) => c.run(STEPS)));
    if (opts.kill) {
      await phase('half of round 1', until(() => clients.reduce((n, c) => n + c.steps, 0) >= (STEPS * clients.length) / 2, PHASE_MS + 1000));
      victimDown = true;
      await phase('SIGKILL', victim.kill());
    }
    await phase('round 1', round1);
    if (opts.kill) {
      await phase('restart', victim.start());
      victimDown = false;
    }
    // Round 2, everything up, still dropping requests.
    await phase('round 2', Promise.all(clients.map((c) => c.run(STEPS))));

    // Settle: no drops; three syncs each, every one succeeding.
    for (const c of clients) c.dropRate = 0;
    for (let round = 0; round < 3; round++) {
      for (const c of clients) expect(await phase(`${c.name} final sync`, c.sync()), `${c.name} final sync`).toBe(true);
    }

    const made = clients.reduce((n, c) => n + c.made.length, 0);
    const expected = Object.fromEntries([...clients[0].records].sort());
    for (const c of clients) {
      expect(c.outbox).toEqual([]);
      expect(Object.fromEntries([...c.records].sort()), `${c.name} converged`).toEqual(expected);
    }
    // Every acknowledged seq is unique.
    const seqs = clients.flatMap((c) => [...c.acked.values()].filter((s): s is number => s !== null));
    expect(new Set(seqs).size).toBe(seqs.length);

    await Promise.all(servers.map((s) => s.stop()));
    const db = await setup.inspect();
    try {
      const [user] = await db.query<{ id: string; last_seq: string | number }>('SELECT id, last_seq FROM users WHERE email = $1', [account.email]);
      // Exactly once: one seq per mutation made, none lost and none applied twice.
      expect(Number(user.last_seq)).toBe(made);
      const rows = await db.query<{ record_id: string; ciphertext: string }>('SELECT record_id, ciphertext FROM records WHERE user_id = $1', [user.id]);
      const stored = Object.fromEntries(rows.map((r) => [r.record_id, r.ciphertext]).sort());
      expect(stored).toEqual(expected);
      const states = await db.query<{ client_id: string; last_mutation_id: string | number }>(
        'SELECT client_id, last_mutation_id FROM client_states WHERE user_id = $1',
        [user.id],
      );
      const lastIds = Object.fromEntries(states.map((s) => [s.client_id, Number(s.last_mutation_id)]));
      for (const c of clients) expect(lastIds[c.clientId] ?? 0).toBe(c.made.length);
    } finally {
      if (database.name === 'pglite') await db.close();
    }
    const sum = (k: 'dropped' | 'unreachable') => clients.reduce((n, c) => n + c[k], 0);
    return { made, records: Object.keys(expected).length, dropped: sum('dropped'), unreachable: sum('unreachable') };
  } finally {
    await Promise.all(servers.map((s) => s.kill()));
    await setup.cleanup();
  }
}

for (const database of DATABASES) {
  describe.skipIf(!available(database))(`convergence on ${database.name}`, () => {
    it('3 clients, dropped requests, server SIGKILLed and restarted: all converge, each mutation applied once', async () => {
      const r = await simulate(database, { seed: 42, instances: 1, clients: 3, kill: true });
      console.log(`[convergence ${database.name}] ${r.made} mutations, ${r.records} records, ${r.dropped} dropped, ${r.unreachable} while down`);
    }, TEST_MS);

    it.skipIf(database.name === 'pglite')('two server instances on one database, clients on either, converge', async () => {
      const r = await simulate(database, { seed: 7, instances: 2, clients: 4, kill: true });
      console.log(`[convergence ${database.name} x2] ${r.made} mutations, ${r.records} records, ${r.dropped} dropped, ${r.unreachable} while down`);
    }, TEST_MS);
  });
}
