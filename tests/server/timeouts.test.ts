// The database time bounds, on PGlite and (with TEST_DATABASE_URL) PostgreSQL: a request that
// cannot get the database in time answers 503 `unavailable` with a Retry-After instead of hanging
// (PostgreSQL: lock/statement timeouts on every pooled connection; PGlite: a bounded wait for its
// one connection), and the next request works.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { defaultConfig } from '../../server/config';
import { openDb } from '../../server/db';
import { Api, DATABASES, TEST_DATABASE_URL, available, testApp } from './helpers';

for (const database of DATABASES) {
  describe.skipIf(!available(database))(`database time bounds on ${database.name}`, () => {
    let drop: () => Promise<void>;
    let env: Record<string, string>;

    beforeAll(async () => {
      ({ drop, env } = await database.open());
    }, 600_000);
    afterAll(async () => drop?.());

    const push = (a: Api, token: string) =>
      a.call('POST', '/api/sync/push', { token, json: { clientId: randomUUID(), mutations: [{ mutationId: 1, recordId: randomUUID(), ciphertext: 'AAAA' }] } });

    it.skipIf(database.name !== 'pglite')('PGlite: a request that cannot get the connection in time answers 503, and the next one works', async () => {
      const bounded = await openDb({ limits: { ...defaultConfig().postgres, statementTimeoutMs: 300 } });
      try {
        const { app } = await testApp(bounded);
        const a = new Api(app);
        const user = await a.register();
        let finish!: () => void;
        const held = new Promise<void>((done) => (finish = done));
        let started!: () => void;
        const holding = new Promise<void>((done) => (started = done));
        // A slow operation holds the one connection.
        const slow = bounded.transaction(async (tx) => {
          await tx.query('SELECT 1');
          started();
          await held;
        });
        await holding;
        const r = await push(a, user.token);
        expect(r.status).toBe(503);
        expect(r.body.error.code).toBe('unavailable');
        expect(Number(r.headers.get('retry-after'))).toBeGreaterThan(0);
        finish();
        await slow;
        expect((await push(a, user.token)).status).toBe(200);
      } finally {
        await bounded.close();
      }
    });

    it.skipIf(database.name !== 'postgres')('PostgreSQL: a push stuck behind a lock answers 503 after the lock timeout, not never', async () => {
      const bounded = await openDb({
        databaseUrl: TEST_DATABASE_URL,
        pgConfig: { options: env.PGOPTIONS },
        limits: { ...defaultConfig().postgres, lockTimeoutMs: 300, statementTimeoutMs: 5_000 },
      });
      const holder = new pg.Client({ connectionString: TEST_DATABASE_URL, options: env.PGOPTIONS });
      await holder.connect();
      try {
        const { app } = await testApp(bounded);
        const a = new Api(app);
        const user = await a.register();
        const [setting] = await bounded.query<{ statement_timeout: string }>('SHOW statement_timeout');
        expect(setting.statement_timeout).toBe('5s');
        await holder.query('BEGIN');
        await holder.query('SELECT id FROM users WHERE id = $1 FOR UPDATE', [user.userId]);
        const r = await push(a, user.token);
        expect(r.status).toBe(503);
        expect(r.body.error.code).toBe('unavailable');
        expect(Number(r.headers.get('retry-after'))).toBeGreaterThan(0);
        await holder.query('ROLLBACK');
        expect((await push(a, user.token)).status).toBe(200);
      } finally {
        await holder.end();
        await bounded.close();
      }
    });
  });
}
