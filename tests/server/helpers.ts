// Shared by the server tests: the databases the suite runs on, an in-process app, and a small
// HTTP client speaking the sync protocol.
import { randomBytes, randomUUID } from 'node:crypto';
import type { Hono } from 'hono';
import pg from 'pg';
import { DEFAULT_KDF_PARAMS, type KdfParams, type WrappedKey } from '../../src/shared/sync/protocol';
import { createApp, type Services } from '../../server/app';
import { defaultConfig, type ServerConfig } from '../../server/config';
import { openDb, type Db } from '../../server/db';
import { createServices } from '../../server/server';

export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL || undefined;

export interface TestDatabase {
  name: 'pglite' | 'postgres';
  /** A fresh, empty database (PGlite in memory; a new schema on PostgreSQL), and how to drop it. */
  open(): Promise<{ db: Db; drop(): Promise<void>; env: Record<string, string> }>;
}

const pglite: TestDatabase = {
  name: 'pglite',
  async open() {
    const db = await openDb({});
    return { db, drop: () => db.close(), env: {} };
  },
};

/** Each open() gets its own schema (search_path), so runs never see each other's rows. */
const postgres: TestDatabase = {
  name: 'postgres',
  async open() {
    const schema = `t_${randomBytes(6).toString('hex')}`;
    const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
    await admin.connect();
    await admin.query(`CREATE SCHEMA ${schema}`);
    await admin.end();
    const options = `-c search_path=${schema}`;
    const db = await openDb({ databaseUrl: TEST_DATABASE_URL, pgConfig: { options } });
    return {
      db,
      env: { DATABASE_URL: TEST_DATABASE_URL!, PGOPTIONS: options },
      async drop() {
        await db.close();
        const c = new pg.Client({ connectionString: TEST_DATABASE_URL });
        await c.connect();
        await c.query(`DROP SCHEMA ${schema} CASCADE`);
        await c.end();
      },
    };
  },
};

export const DATABASES: TestDatabase[] = [pglite, postgres];

/** Whether a database is available; says so visibly when PostgreSQL is skipped. */
export function available(d: TestDatabase): boolean {
  if (d.name === 'postgres' && !TEST_DATABASE_URL) {
    console.warn('[server tests] PostgreSQL runs SKIPPED: TEST_DATABASE_URL is not set (npm test sets it: scripts/test.mjs starts a throwaway PostgreSQL)');
    return false;
  }
  return true;
}

/** Cheap server-side hashing for tests (the auth key is random anyway). */
export function testConfig(over: Partial<ServerConfig> = {}): ServerConfig {
  return { ...defaultConfig(), authHash: { memoryCost: 1024, timeCost: 1, parallelism: 1 }, trustProxy: 1, ...over };
}

export async function testApp(db: Db, over: Partial<ServerConfig> = {}): Promise<{ app: Hono<any>; services: Services }> {
  const config = testConfig(over);
  const services = await createServices(db, config);
  return { app: createApp(config, services), services };
}

export const b64 = (bytes: number) => randomBytes(bytes).toString('base64url');

export function kdf(): KdfParams {
  return { algorithm: 'argon2id', salt: b64(16), ...DEFAULT_KDF_PARAMS, version: 1 };
}

export function wrappedKey(): WrappedKey {
  return { keyId: 'k1', iv: b64(12), ciphertext: b64(48) };
}

export interface Reply {
  status: number;
  body: any;
  headers: Headers;
  bytes?: Uint8Array;
}

/** Requests either an in-process Hono app or a server URL. */
export class Api {
  constructor(
    private readonly target: Hono<any> | string,
    /** Sent as X-Forwarded-For (the tests' client address, for rate limits). */
    public address = `10.${(Math.random() * 255) | 0}.${(Math.random() * 255) | 0}.${(Math.random() * 255) | 0}`,
  ) {}

  async call(
    method: string,
    path: string,
    opts: { json?: unknown; raw?: BodyInit; token?: string; headers?: Record<string, string>; signal?: AbortSignal } = {},
  ): Promise<Reply> {
    const headers: Record<string, string> = { 'X-Forwarded-For': this.address, ...opts.headers };
    if (opts.token) headers.Authorization = `Bearer ${opts.token}`;
    let body: BodyInit | undefined = opts.raw;
    if (opts.json !== undefined) {
      headers['Content-Type'] = 'application/json';
      body = typeof opts.json === 'string' ? opts.json : JSON.stringify(opts.json);
    }
    if (opts.raw !== undefined) headers['Content-Type'] ??= 'application/octet-stream';
    const init: RequestInit = { method, headers, body, signal: opts.signal };
    const res = typeof this.target === 'string' ? await fetch(this.target + path, init) : await this.target.request(path, init);
    const type = res.headers.get('content-type') ?? '';
    if (type.includes('application/json')) return { status: res.status, body: await res.json(), headers: res.headers };
    const bytes = new Uint8Array(await res.arrayBuffer());
    return { status: res.status, body: undefined, headers: res.headers, bytes };
  }

  async register(email = `${randomUUID()}@example.com`) {
    const authKey = b64(32);
    const r = await this.call('POST', '/api/auth/register', { json: { email, authKey, kdf: kdf(), wrappedAccountKey: wrappedKey() } });
    if (r.status !== 201) throw new Error(`register failed: ${r.status} ${JSON.stringify(r.body)}`);
    return { email, authKey, token: r.body.token as string, userId: r.body.userId as string };
  }
}
