// The database behind the sync server: PGlite (embedded, under DATA_DIR) or a real PostgreSQL
// (DATABASE_URL, through `pg`). Both speak the same SQL; services see only `Db` / `Queryable`.
// Column conventions: bigint columns may come back as number, bigint or string (use Number()),
// bytea as Uint8Array/Buffer, times are bigint milliseconds since the epoch.
import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';

export interface Queryable {
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
}

export type DbKind = 'pglite' | 'postgres';

export interface Db extends Queryable {
  readonly kind: DbKind;
  /** Runs `fn` in one transaction (READ COMMITTED); rolls back when it throws. */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export interface DbOptions {
  /** PostgreSQL connection string; PGlite when absent. */
  databaseUrl?: string;
  /** PGlite data directory; in memory when absent. */
  dataDir?: string;
  /** Extra `pg` pool settings (tests pass `options: '-c search_path=...'`). */
  pgConfig?: pg.PoolConfig;
  /**
   * PostgreSQL pool size and time bounds (ServerConfig.postgres). PGlite has one in-process
   * connection and no statement timer (it ignores statement_timeout): there, `statementTimeoutMs`
   * bounds how long an operation waits for its turn on the connection.
   */
  limits?: PgLimits;
}

export interface PgLimits {
  poolMax: number;
  connectionTimeoutMs: number;
  statementTimeoutMs: number;
  lockTimeoutMs: number;
  idleInTransactionTimeoutMs: number;
}

export async function openDb(opts: DbOptions): Promise<Db> {
  return opts.databaseUrl ? openPostgres(opts.databaseUrl, opts.limits, opts.pgConfig) : openPglite(opts.dataDir, opts.limits?.statementTimeoutMs);
}

/** An operation waited longer than the bound for the database (the API answers 503). */
export class DatabaseBusyError extends Error {
  constructor(waitedMs: number) {
    super(`The database was busy for ${waitedMs} ms.`);
    this.name = 'DatabaseBusyError';
  }
}

/**
 * Runs operations one at a time in arrival order (PGlite runs them one at a time anyway); one
 * that waits longer than `timeoutMs` for its turn fails with DatabaseBusyError instead of queueing
 * on, so a slow operation cannot pile up every request behind it without bound.
 */
function turns(timeoutMs?: number) {
  let tail: Promise<void> = Promise.resolve();
  return async <T>(op: () => Promise<T>): Promise<T> => {
    const before = tail;
    let release!: () => void;
    tail = new Promise<void>((done) => (release = done));
    if (timeoutMs) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const late = await Promise.race([before.then(() => false), new Promise<boolean>((r) => (timer = setTimeout(() => r(true), timeoutMs)))]);
      clearTimeout(timer);
      if (late) {
        void before.then(release); // the ones after this still wait for the one before
        throw new DatabaseBusyError(timeoutMs);
      }
    } else await before;
    try {
      return await op();
    } finally {
      release();
    }
  };
}

async function openPglite(dataDir?: string, waitTimeoutMs?: number): Promise<Db> {
  if (dataDir) mkdirSync(dataDir, { recursive: true });
  const lite = new PGlite(dataDir ? { dataDir } : {});
  try {
    await lite.waitReady;
  } catch (e) {
    if (!dataDir) throw e;
    // PGlite is not crash-safe like PostgreSQL: a SIGKILL or a copy taken while it ran can leave a
    // directory it cannot open. Say which one and what to do, not just PGlite's own message.
    throw new Error(
      `The PGlite data directory ${dataDir} could not be opened (${(e as Error)?.message ?? e}). It may have been damaged by a crash or an incomplete copy: restore it from a backup (docs/sync-server.md, "Backing up and restoring"), or run with PostgreSQL (DATABASE_URL).`,
      { cause: e },
    );
  }
  const turn = turns(waitTimeoutMs);
  const wrap = (q: Pick<PGlite, 'query'>): Queryable => ({
    async query<T>(sql: string, params: unknown[] = []) {
      return (await q.query<T>(sql, params)).rows;
    },
  });
  return {
    kind: 'pglite',
    query: (sql, params) => turn(() => wrap(lite).query(sql, params)),
    transaction: (fn) => turn(() => lite.transaction((tx) => fn(wrap(tx)))),
    close: () => lite.close(),
  };
}

async function openPostgres(connectionString: string, limits?: PgLimits, extra?: pg.PoolConfig): Promise<Db> {
  const bounds: pg.PoolConfig = limits
    ? {
        max: limits.poolMax,
        connectionTimeoutMillis: limits.connectionTimeoutMs,
        statement_timeout: limits.statementTimeoutMs,
        lock_timeout: limits.lockTimeoutMs,
        idle_in_transaction_session_timeout: limits.idleInTransactionTimeoutMs,
      }
    : { max: 10 };
  const pool = new pg.Pool({ connectionString, ...bounds, ...extra });
  // An idle client that loses its connection must not crash the process.
  pool.on('error', (err) => console.error('[db] idle client error:', err.message));
  return {
    kind: 'postgres',
    async query<T>(sql: string, params: unknown[] = []) {
      return (await pool.query(sql, params)).rows as T[];
    },
    async transaction<T>(fn: (tx: Queryable) => Promise<T>) {
      const client = await pool.connect();
      let broken = false;
      try {
        await client.query('BEGIN');
        const result = await fn({
          async query<R>(sql: string, params: unknown[] = []) {
            return (await client.query(sql, params)).rows as R[];
          },
        });
        await client.query('COMMIT');
        return result;
      } catch (err) {
        await client.query('ROLLBACK').catch(() => {
          broken = true; // the connection is gone: drop it from the pool
        });
        throw err;
      } finally {
        client.release(broken);
      }
    },
    close: () => pool.end(),
  };
}
