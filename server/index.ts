// `npm run server`: the sync server. Configuration from the environment (docs/sync-server.md):
// PORT (8787), HOST (127.0.0.1), DATA_DIR (./data, PGlite), DATABASE_URL (PostgreSQL instead),
// ALLOWED_ORIGINS, TRUST_PROXY (number of proxies), SESSION_TTL_DAYS, and the limits, quota,
// clean-up and PostgreSQL time bounds of server/config.ts ("Limits and quotas" in the docs).
import { configFromEnv } from './config';
import { startServer } from './server';

const config = configFromEnv();
const running = await startServer(config);
const where = config.databaseUrl ? 'PostgreSQL (DATABASE_URL)' : `PGlite in ${config.dataDir}`;
console.log(`[server] Hearth sync server listening on ${running.url} (${where})`);

let stopping = false;
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.on(sig, () => {
    if (stopping) return;
    stopping = true;
    console.log(`[server] ${sig}: closing`);
    running.close().then(
      () => process.exit(0),
      (err) => {
        console.error('[server] close failed:', err);
        process.exit(1);
      },
    );
  });
}
