// The real sync server (server/server.ts, configured from the environment like server/index.ts)
// in a child process the fuzzer can SIGKILL, with an IPC channel through which the fuzzer reads
// and writes the server's own database connection: the only way into a PGlite data directory
// while its server runs (to expire a session, or to dump every table for the plaintext check).
import { configFromEnv } from '../../server/config';
import { startServer } from '../../server/server';

// The fuzzer checks sync, not the limits or the cost of hashing: limits far out of reach (every
// kind, so limits added later are lifted too) and a cheap hash of the (random) auth key.
const base = configFromEnv();
const lifted = Object.fromEntries(Object.entries(base.rateLimits).map(([k, l]) => [k, { ...l, max: 1_000_000_000 }]));
const config = { ...base, authHash: { memoryCost: 1024, timeCost: 1, parallelism: 1 }, rateLimits: lifted as typeof base.rateLimits };
const running = await startServer(config);
console.log(`[server] fuzz instance listening on ${running.url}`);

interface Ask {
  id: number;
  sql: string;
  params?: unknown[];
}

process.on('message', (m: Ask) => {
  running.db.query(m.sql, m.params ?? []).then(
    (rows) => process.send!({ id: m.id, rows }),
    (e) => process.send!({ id: m.id, error: String((e as Error)?.message ?? e) }),
  );
});

// The fuzzer went away (ended, crashed or killed): so does this instance.
process.on('disconnect', () => process.exit(0));

for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.once(sig, () => {
    running.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  });
}
