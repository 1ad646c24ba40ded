// Test harness: the real sync server (server/, in-process on PGlite in memory) for the sync
// client's scenario tests, with fetch functions that can fail or hold answers, and small helpers
// (devices, accounts, conversation titles).
import { afterAll, beforeAll } from 'vitest';
import { defaultConfig } from '../../server/config';
import { openDb, type Db } from '../../server/db';
import { createAccount, signIn } from '../../src/sync/account';
import { testApp } from '../server/helpers';
import { device, type Device, type DeviceOptions } from './syncHelpers';

export type ServerFetch = typeof fetch & { down: boolean; log: string[] };

export interface RealServer {
  /** The server's database (tests read it, and play backups and restores on it). */
  db(): Db;
  /** A fetch into the in-process server; `hook` may hold or change an answer. */
  serverFetch(hook?: (path: string, res: Response) => Promise<Response>): ServerFetch;
  /** A fetch that always reaches the server. */
  plain: ServerFetch;
  dev(opts?: DeviceOptions): Device;
  /** A new account: created on the first device, signed in on the others. Returns its email. */
  account(...devices: Device[]): Promise<string>;
  /** Two devices signed in to a new account. */
  pair(): Promise<{ a: Device; b: Device; email: string }>;
}

let emails = 0;

/** Starts the server before the file's tests and stops it after. */
export function realServer(): RealServer {
  let db: Db | undefined;
  let app: Awaited<ReturnType<typeof testApp>>['app'] | undefined;
  beforeAll(async () => {
    db = await openDb({});
    // Many accounts from one address: no registration or login limits here.
    const rateLimits = Object.fromEntries(Object.entries(defaultConfig().rateLimits).map(([k, v]) => [k, { ...v, max: 1_000_000 }]));
    ({ app } = await testApp(db, { rateLimits: rateLimits as ReturnType<typeof defaultConfig>['rateLimits'] }));
  }, 600_000); // PGlite starts in seconds on an idle machine, minutes on a loaded one
  afterAll(async () => {
    await db?.close();
  });

  function serverFetch(hook?: (path: string, res: Response) => Promise<Response>): ServerFetch {
    const f = Object.assign(
      async (input: RequestInfo | URL, init?: RequestInit) => {
        if (f.down) throw new TypeError('Failed to fetch');
        const req = new Request(input, init);
        const path = new URL(req.url).pathname;
        f.log.push(path);
        const res = await app!.fetch(req);
        return hook ? hook(path, res) : res;
      },
      { down: false, log: [] as string[] },
    );
    return f;
  }
  const plain = serverFetch();
  async function account(...devices: Device[]) {
    const email = `loss${++emails}@example.org`;
    await createAccount(devices[0].deps, devices[0].creds(email));
    for (const d of devices.slice(1)) await signIn(d.deps, d.creds(email));
    return email;
  }
  return {
    db: () => db!,
    serverFetch,
    plain,
    dev: (opts = {}) => device(plain, opts),
    account,
    async pair() {
      const a = device(plain);
      const b = device(plain);
      return { a, b, email: await account(a, b) };
    },
  };
}

/** The titles of a device's conversations (not deleted), sorted. */
export const titles = async (d: Device) => (await d.storage.conversations.list()).map((c) => c.title).sort();
