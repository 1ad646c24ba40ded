// Test helper: the real sync server (server/) in process on an in-memory PGlite, reached through
// a fetch function the sync client's transport can use.
import type { ServerConfig } from '../../server/config';
import { openDb, type Db } from '../../server/db';
import { testApp } from '../server/helpers';

export interface InProcessServer {
  db: Db;
  fetch: typeof fetch;
  /** Another app (other configuration) on the same database. */
  withConfig(over: Partial<ServerConfig>): Promise<typeof fetch>;
  close(): Promise<void>;
}

export async function inProcessServer(over: Partial<ServerConfig> = {}): Promise<InProcessServer> {
  const db = await openDb({});
  const withConfig = async (o: Partial<ServerConfig>): Promise<typeof fetch> => {
    const { app } = await testApp(db, o);
    return async (input, init) => app.fetch(new Request(input, init));
  };
  return { db, fetch: await withConfig(over), withConfig, close: () => db.close() };
}
