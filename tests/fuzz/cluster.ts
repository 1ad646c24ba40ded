// The sync servers of a fuzz run: real server processes (tests/fuzz/serverMain.ts) that can be
// SIGKILLed, restarted, backed up and restored. PGlite: one instance on a data directory (a backup
// is a copy of the directory taken with the server stopped). PostgreSQL: two instances on one
// schema of TEST_DATABASE_URL (a backup is a copy of every table into a backup schema; a restore
// stops both instances and puts those rows back, as `pg_dump --data-only` and psql would).
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export type DbKind = 'pglite' | 'postgres';

export class Instance {
  private child?: ChildProcess;
  /** Everything every run of this instance printed. */
  log = '';
  private asks = new Map<number, { done: (rows: any[]) => void; fail: (e: Error) => void }>();
  private nextAsk = 1;

  constructor(
    readonly name: string,
    readonly port: number,
    private readonly env: Record<string, string>,
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get alive(): boolean {
    return !!this.child && this.child.exitCode === null && this.child.signalCode === null;
  }

  async start(): Promise<void> {
    if (this.alive) return;
    const child = spawn(process.execPath, ['--import', 'tsx', 'tests/fuzz/serverMain.ts'], {
      cwd: ROOT,
      env: { ...process.env, ...this.env, PORT: String(this.port), HOST: '127.0.0.1' },
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      serialization: 'advanced',
    });
    this.child = child;
    const startAt = this.log.length;
    child.on('message', (m: { id: number; rows?: any[]; error?: string }) => {
      const ask = this.asks.get(m.id);
      this.asks.delete(m.id);
      if (m.error !== undefined) ask?.fail(new Error(m.error));
      else ask?.done(m.rows!);
    });
    child.once('exit', () => {
      for (const a of this.asks.values()) a.fail(new Error(`${this.name} exited`));
      this.asks.clear();
    });
    await new Promise<void>((ready, fail) => {
      const onData = (d: Buffer) => {
        this.log += d.toString();
        if (this.log.indexOf('listening on', startAt) >= 0) ready();
      };
      child.stdout!.on('data', onData);
      child.stderr!.on('data', onData);
      child.once('exit', (code, signal) => fail(new Error(`${this.name} exited (${code ?? signal}) before listening:\n${this.log.slice(startAt)}`)));
    });
  }

  /** SIGKILL: in-flight requests and transactions are cut. */
  kill(): Promise<void> {
    return this.signal('SIGKILL');
  }

  /** SIGTERM: a clean shutdown. */
  stop(): Promise<void> {
    return this.signal('SIGTERM');
  }

  private async signal(sig: NodeJS.Signals): Promise<void> {
    const child = this.child;
    if (!child || !this.alive) return;
    await new Promise<void>((done) => {
      child.once('exit', () => done());
      child.kill(sig);
    });
  }

  /** Runs SQL on the server's own database connection. */
  query<T = any>(sql: string, params: unknown[] = []): Promise<T[]> {
    if (!this.alive) return Promise.reject(new Error(`${this.name} is not running`));
    const id = this.nextAsk++;
    return new Promise((done, fail) => {
      this.asks.set(id, { done, fail });
      this.child!.send({ id, sql, params });
    });
  }
}

export interface Cluster {
  kind: DbKind;
  instances: Instance[];
  /** Starts every instance that is down. */
  up(): Promise<void>;
  /** SQL on a running instance's database (starting one if none runs). */
  query<T = any>(sql: string, params?: unknown[]): Promise<T[]>;
  /** Takes a backup; returns its number. */
  backup(): Promise<number>;
  /** Puts backup `n` back (the servers are stopped meanwhile and started again). */
  restore(n: number): Promise<void>;
  /** Deletes every backup taken so far (after each schedule: a long run would fill the disk). */
  dropBackups(): Promise<void>;
  /** Every table, every row (for the plaintext check). */
  dump(): Promise<{ table: string; rows: Record<string, unknown>[] }[]>;
  logs(): string;
  close(): Promise<void>;
}

const TABLES_SQL = `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name`;

export async function startCluster(kind: DbKind, basePort: number, databaseUrl?: string): Promise<Cluster> {
  const common = { TRUST_PROXY: '1' };
  const tables = async (q: (sql: string) => Promise<{ table_name: string }[]>) => (await q(TABLES_SQL)).map((r) => r.table_name);
  let cluster: Omit<Cluster, 'query' | 'dump' | 'logs' | 'up'>;
  if (kind === 'pglite') {
    const dir = mkdtempSync(join(tmpdir(), 'hearth-fuzz-'));
    const data = join(dir, 'data');
    const inst = new Instance('pglite-0', basePort, { ...common, DATA_DIR: data });
    let backups = 0;
    let dropped = 0;
    cluster = {
      kind,
      instances: [inst],
      async backup() {
        await inst.stop();
        const n = ++backups;
        cpSync(data, join(dir, `backup-${n}`), { recursive: true });
        await inst.start();
        return n;
      },
      async dropBackups() {
        for (; dropped < backups; dropped++) rmSync(join(dir, `backup-${dropped + 1}`), { recursive: true, force: true });
      },
      async restore(n) {
        await inst.kill();
        rmSync(data, { recursive: true, force: true });
        cpSync(join(dir, `backup-${n}`), data, { recursive: true });
        await inst.start();
      },
      async close() {
        await inst.kill();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } else {
    if (!databaseUrl) throw new Error('PostgreSQL runs need TEST_DATABASE_URL (or --database-url)');
    const schema = `fuzz_${randomBytes(5).toString('hex')}`;
    const admin = new pg.Client({ connectionString: databaseUrl });
    await admin.connect();
    await admin.query(`CREATE SCHEMA ${schema}`);
    await admin.query(`SET search_path = ${schema}`);
    const env = { ...common, DATABASE_URL: databaseUrl, PGOPTIONS: `-c search_path=${schema}` };
    const instances = [0, 1].map((i) => new Instance(`postgres-${i}`, basePort + 1 + i, env));
    let backups = 0;
    let dropped = 0;
    const dropBackups = async () => {
      for (; dropped < backups; dropped++) await admin.query(`DROP SCHEMA IF EXISTS ${schema}_b${dropped + 1} CASCADE`);
    };
    cluster = {
      kind,
      instances,
      async backup() {
        const n = ++backups;
        // One snapshot of every table, as pg_dump takes it.
        await admin.query('BEGIN ISOLATION LEVEL REPEATABLE READ');
        await admin.query(`CREATE SCHEMA ${schema}_b${n}`);
        for (const t of await tables(async (sql) => (await admin.query(sql)).rows)) await admin.query(`CREATE TABLE ${schema}_b${n}.${t} AS TABLE ${t}`);
        await admin.query('COMMIT');
        return n;
      },
      async restore(n) {
        await Promise.all(instances.map((i) => i.kill()));
        await admin.query('BEGIN');
        await admin.query('SET LOCAL session_replication_role = replica');
        for (const t of await tables(async (sql) => (await admin.query(sql)).rows)) {
          await admin.query(`DELETE FROM ${t}`);
          await admin.query(`INSERT INTO ${t} SELECT * FROM ${schema}_b${n}.${t}`);
        }
        await admin.query('COMMIT');
        await Promise.all(instances.map((i) => i.start()));
      },
      dropBackups,
      async close() {
        await Promise.all(instances.map((i) => i.kill()));
        await dropBackups();
        await admin.query(`DROP SCHEMA ${schema} CASCADE`);
        await admin.end();
      },
    };
  }
  const full: Cluster = {
    ...cluster,
    async up() {
      await Promise.all(full.instances.map((i) => i.start()));
    },
    async query(sql, params) {
      const inst = full.instances.find((i) => i.alive) ?? full.instances[0];
      await inst.start();
      return inst.query(sql, params);
    },
    async dump() {
      const out = [];
      for (const table of await tables((sql) => full.query(sql))) out.push({ table, rows: await full.query(`SELECT * FROM ${table}`) });
      return out;
    },
    logs: () => full.instances.map((i) => i.log).join('\n'),
  };
  try {
    await full.up();
  } catch (e) {
    await full.close();
    throw e;
  }
  return full;
}
