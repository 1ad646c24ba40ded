// Wires configuration, database, migrations, services and the HTTP listener together.
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import { createApp, type Services } from './app';
import type { ServerConfig } from './config';
import { openDb, type Db, type DbOptions } from './db';
import { migrate } from './migrations';
import { AccountService } from './services/accounts';
import { ChunkService } from './services/chunks';
import { MaintenanceService, scheduleCleanup } from './services/maintenance';
import { MemoryRateLimiter } from './services/rateLimit';
import { SyncService } from './services/sync';

const VERSION: string = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).version;

/** Migrates `db` and builds the services on it. */
export async function createServices(db: Db, config: ServerConfig): Promise<Services> {
  await migrate(db);
  const limiter = new MemoryRateLimiter();
  return {
    db,
    accounts: await AccountService.create(db, config),
    sync: new SyncService(db, config, limiter),
    chunks: new ChunkService(db, config, limiter),
    maintenance: new MaintenanceService(db, config),
    version: VERSION,
  };
}

export interface RunningServer {
  url: string;
  db: Db;
  close(): Promise<void>;
}

export async function startServer(config: ServerConfig, dbOptions?: Partial<DbOptions>): Promise<RunningServer> {
  const db = await openDb({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, limits: config.postgres, ...dbOptions });
  const services = await createServices(db, config);
  const stopCleanup = scheduleCleanup(services.maintenance, config.cleanup.intervalMs);
  const app = createApp(config, services);
  const server: ServerType = await new Promise((ready) => {
    const s = serve({ fetch: app.fetch, port: config.port, hostname: config.host }, () => ready(s));
  });
  const { port } = server.address() as AddressInfo;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  return {
    url: `http://${host}:${port}`,
    db,
    async close() {
      stopCleanup();
      await new Promise<void>((done) => server.close(() => done()));
      await db.close();
    },
  };
}
