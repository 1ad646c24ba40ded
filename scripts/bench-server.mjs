#!/usr/bin/env node
// `npm run bench:server`: throughput and latency of the sync server on PGlite and on PostgreSQL.
// Starts a server process per database on 127.0.0.1, registers a few accounts, then autocannon
// runs N connections for BENCH_SECONDS (default 20) per database, each request cycle a push of
// BENCH_BATCH new records (1 KiB ciphertexts) and a pull after its client's cursor. Writes
// requests/s and p50/p99 latency to bench/server.json, then checks that every acknowledged
// change is stored exactly once (seqs gapless and unique, each acknowledged record at its seq).
//
// The per-account rate limits are counted as in production, but set high (BENCH_RATE_LIMIT a
// minute, default 10^6) so that the bench measures what the limits cost, not refusals: 16
// connections on 4 accounts make thousands of requests a minute per account on a fast machine.
//
// PostgreSQL: DATABASE_URL (a throwaway schema is created and dropped in it), or else a temporary
// cluster (scripts/temp-postgres.mjs) when the binaries exist; skipped otherwise.
// Run with tsx (it imports the server's TypeScript): the npm script does.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes, randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import pg from 'pg';
import { ServerProcess, freePort } from '../server/childProcess.ts';
import { postgresBin, startTempPostgres } from './temp-postgres.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SECONDS = Number(process.env.BENCH_SECONDS ?? 20);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 16);
const BATCH = Number(process.env.BENCH_BATCH ?? 10);
const USERS = 4;
const CIPHERTEXT = randomBytes(1024).toString('base64url');
const RATE_LIMIT = String(process.env.BENCH_RATE_LIMIT ?? 1_000_000);
const LIMITS_ENV = { PUSH_PER_MINUTE: RATE_LIMIT, PULL_PER_MINUTE: RATE_LIMIT, CHUNKS_PER_MINUTE: RATE_LIMIT };

async function api(url, method, path, { json, token } = {}) {
  const res = await fetch(url + path, {
    method,
    headers: { ...(json ? { 'Content-Type': 'application/json' } : {}), ...(token ? { Authorization: `Bearer ${token}` } : {}) },
    body: json ? JSON.stringify(json) : undefined,
  });
  const body = await res.json();
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(body)}`);
  return body;
}

const b64 = (n) => randomBytes(n).toString('base64url');

async function register(url) {
  return api(url, 'POST', '/api/auth/register', {
    json: {
      email: `bench-${randomUUID()}@example.com`,
      authKey: b64(32),
      kdf: { algorithm: 'argon2id', salt: b64(16), memoryKiB: 65536, iterations: 3, parallelism: 1, version: 1 },
      wrappedAccountKey: { keyId: 'k1', iv: b64(12), ciphertext: b64(48) },
    },
  });
}

/** One database: start the server, load it, verify. */
async function benchOne(name, env) {
  const server = new ServerProcess(await freePort(), { ...LIMITS_ENV, ...env });
  console.log(`[bench:server] ${name}: starting the server`);
  await server.start();
  try {
    const users = [];
    for (let i = 0; i < USERS; i++) users.push(await register(server.url));
    // Sync clients: a request cycle takes a free one (push, then pull), so no two requests
    // of one client are in flight at once; a client whose request was lost is replaced.
    const free = [];
    let made = 0;
    const takeClient = () => free.pop() ?? { clientId: randomUUID(), user: users[made++ % USERS], next: 1, cursor: 0, at: null, mark: null };
    const acked = users.map(() => new Map()); // per user: recordId -> seq
    let pushes = 0;
    let pulls = 0;
    const result = await autocannon({
      url: server.url,
      connections: CONNECTIONS,
      duration: SECONDS,
      timeout: 30,
      requests: [
        {
          method: 'POST',
          path: '/api/sync/push',
          setupRequest(req, ctx) {
            const c = (ctx.client = takeClient());
            const mutations = Array.from({ length: BATCH }, () => ({ mutationId: c.next++, recordId: randomUUID(), ciphertext: CIPHERTEXT }));
            ctx.sent = mutations;
            return {
              ...req,
              headers: { 'content-type': 'application/json', authorization: `Bearer ${c.user.token}` },
              // What the app sends: what it last pulled (seq, record, push mark), checked by the server.
              body: JSON.stringify({ clientId: c.clientId, mutations, seen: { seq: c.cursor, at: c.at, mark: c.mark } }),
            };
          },
          onResponse(status, body, ctx) {
            if (status !== 200) return;
            pushes++;
            const u = users.indexOf(ctx.client.user);
            const res = JSON.parse(body);
            res.results.forEach((r, i) => r.seq !== null && acked[u].set(ctx.sent[i].recordId, r.seq));
          },
        },
        {
          method: 'GET',
          setupRequest(req, ctx) {
            const c = ctx.client;
            const seen = `${c.at ? `&at=${c.at}` : ''}${c.mark ? `&mark=${c.mark}` : ''}`;
            return { ...req, path: `/api/sync/pull?since=${c.cursor}&limit=100${seen}`, headers: { authorization: `Bearer ${c.user.token}` } };
          },
          onResponse(status, body, ctx) {
            if (status !== 200) return;
            pulls++;
            const page = JSON.parse(body);
            if (page.changes.length) Object.assign(ctx.client, { cursor: page.cursor, at: page.changes.at(-1).recordId, mark: page.mark ?? null });
            free.push(ctx.client);
          },
        },
      ],
    });

    // Exactly once: pull everything back.
    let stored = 0;
    let ackedCount = 0;
    const problems = [];
    for (let u = 0; u < USERS; u++) {
      const seqs = new Map();
      for (let since = 0; ; ) {
        const page = await api(server.url, 'GET', `/api/sync/pull?since=${since}&limit=1000`, { token: users[u].token });
        for (const ch of page.changes) {
          if (seqs.has(ch.recordId)) problems.push(`record ${ch.recordId} twice`);
          seqs.set(ch.recordId, ch.seq);
        }
        since = page.cursor;
        if (!page.hasMore) break;
      }
      const all = [...seqs.values()];
      if (new Set(all).size !== all.length) problems.push(`user ${u}: duplicate seqs`);
      if (all.length && Math.max(...all) !== all.length) problems.push(`user ${u}: seqs not gapless (max ${Math.max(...all)}, ${all.length} records)`);
      for (const [recordId, seq] of acked[u]) if (seqs.get(recordId) !== seq) problems.push(`user ${u}: acknowledged ${recordId}@${seq} stored as ${seqs.get(recordId)}`);
      stored += all.length;
      ackedCount += acked[u].size;
    }
    const out = {
      requestsPerSecond: Math.round(result.requests.average),
      latencyMs: { p50: result.latency.p50, p90: result.latency.p90, p99: result.latency.p99, mean: Math.round(result.latency.mean * 10) / 10, max: result.latency.max },
      requests: result.requests.total,
      pushes,
      pulls,
      errors: result.errors,
      timeouts: result.timeouts,
      non2xx: result.non2xx,
      mutationsAcknowledged: ackedCount,
      recordsStored: stored,
      exactlyOnce: problems.length === 0 ? 'ok' : problems.slice(0, 10),
    };
    console.log(`[bench:server] ${name}: ${JSON.stringify(out)}`);
    return out;
  } finally {
    await server.stop();
  }
}

const results = {};
const tmp = mkdtempSync(join(tmpdir(), 'hearth-bench-'));
try {
  // DATABASE_URL (for the PostgreSQL run) must not reach the PGlite server.
  results.pglite = await benchOne('pglite', { DATA_DIR: join(tmp, 'pglite'), DATABASE_URL: '' });

  let pgEnv;
  let cleanup = async () => {};
  if (process.env.DATABASE_URL) {
    const schema = `bench_${randomBytes(4).toString('hex')}`;
    const admin = new pg.Client({ connectionString: process.env.DATABASE_URL });
    await admin.connect();
    await admin.query(`CREATE SCHEMA ${schema}`);
    pgEnv = { DATABASE_URL: process.env.DATABASE_URL, PGOPTIONS: `-c search_path=${schema}` };
    cleanup = async () => {
      await admin.query(`DROP SCHEMA ${schema} CASCADE`);
      await admin.end();
    };
  } else if (postgresBin()) {
    // Its own temp dir: as root the cluster runs as `postgres`, which must reach it.
    const pgDir = mkdtempSync(join(tmpdir(), 'hearth-bench-pg-'));
    const cluster = startTempPostgres(pgDir, await freePort());
    pgEnv = { DATABASE_URL: cluster.url };
    cleanup = async () => {
      cluster.stop();
      rmSync(pgDir, { recursive: true, force: true });
    };
  }
  if (pgEnv) {
    try {
      results.postgres = await benchOne('postgres', pgEnv);
    } finally {
      await cleanup();
    }
  } else {
    console.log('[bench:server] postgres: skipped (no DATABASE_URL and no PostgreSQL binaries)');
    results.postgres = 'skipped: no DATABASE_URL and no PostgreSQL binaries';
  }
} finally {
  rmSync(tmp, { recursive: true, force: true, maxRetries: 5 });
}

const report = {
  date: new Date().toISOString(),
  machine: { cpus: cpus().length, model: cpus()[0]?.model, loadAverage1m: Math.round(loadavg()[0] * 10) / 10, node: process.version },
  setup: { seconds: SECONDS, connections: CONNECTIONS, mutationsPerPush: BATCH, ciphertextBytes: 1024, accounts: USERS, cycle: 'push then pull', host: '127.0.0.1', rateLimitPerMinute: Number(RATE_LIMIT) },
  results,
};
mkdirSync(join(ROOT, 'bench'), { recursive: true });
writeFileSync(join(ROOT, 'bench', 'server.json'), JSON.stringify(report, null, 2) + '\n');
console.log(`[bench:server] wrote bench/server.json`);
const failed = Object.values(results).some((r) => typeof r === 'object' && r.exactlyOnce !== 'ok');
process.exit(failed ? 1 : 0);
