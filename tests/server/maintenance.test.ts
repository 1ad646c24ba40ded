// The periodic clean-up (server/services/maintenance.ts), called directly on PGlite and
// PostgreSQL: expired sessions go, live ones stay; chunks no record names go once older than the
// grace period (young ones and those of pushed records stay) and leave the account's usage; old
// rate-limit windows go. Also: startServer runs it in the server process, and a push naming an
// attachment's chunks is refused while they are missing (gone after a restore or the clean-up).
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Hono } from 'hono';
import type { Services } from '../../server/app';
import type { Db } from '../../server/db';
import { startServer } from '../../server/server';
import { Api, DATABASES, TEST_DATABASE_URL, available, testApp, testConfig } from './helpers';

const HOUR = 3600_000;

for (const database of DATABASES) {
  describe.skipIf(!available(database))(`server clean-up on ${database.name}`, () => {
    let db: Db;
    let drop: () => Promise<void>;
    let env: Record<string, string>;
    let app: Hono<any>;
    let services: Services;

    beforeAll(async () => {
      ({ db, drop, env } = await database.open());
      ({ app, services } = await testApp(db, { cleanup: { intervalMs: 0, orphanChunkGraceMs: 24 * HOUR } }));
    }, 600_000);
    afterAll(async () => drop?.());

    const usage = async (userId: string) => Number((await db.query<{ u: string }>('SELECT used_bytes AS u FROM users WHERE id = $1', [userId]))[0].u);

    it('deletes expired sessions and keeps live ones', async () => {
      const a = new Api(app);
      const user = await a.register();
      const second = (await a.call('POST', '/api/auth/login', { json: { email: user.email, authKey: user.authKey } })).body;
      await db.query('UPDATE sessions SET expires_at = $1 WHERE user_id = $2 AND expires_at = $3', [Date.now() - 1, user.userId, second.expiresAt]);
      const report = await services.maintenance.cleanup();
      expect(report.sessions).toBeGreaterThanOrEqual(1);
      const [{ n }] = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM sessions WHERE user_id = $1', [user.userId]);
      expect(n).toBe(1);
      expect((await a.call('GET', '/api/sync/pull', { token: user.token })).status).toBe(200);
    });

    it('collects orphan chunks after the grace period, keeps young ones and those of pushed records, and frees their bytes', async () => {
      const a = new Api(app);
      const user = await a.register();
      const [orphan, young, pushed] = [randomUUID(), randomUUID(), randomUUID()];
      for (const att of [orphan, young, pushed]) {
        for (const idx of [0, 1]) {
          expect((await a.call('PUT', `/api/sync/chunks/${att}/${idx}`, { token: user.token, raw: new Uint8Array(100) })).status).toBe(204);
        }
      }
      const push = await a.call('POST', '/api/sync/push', {
        token: user.token,
        json: { clientId: randomUUID(), mutations: [{ mutationId: 1, recordId: pushed, ciphertext: 'AAAA' }] },
      });
      expect(push.status).toBe(200);
      const old = Date.now() - 25 * HOUR;
      await db.query('UPDATE chunks SET created_at = $1 WHERE user_id = $2 AND attachment_id <> $3', [old, user.userId, young]);
      expect(await usage(user.userId)).toBe(600 + 4);

      const report = await services.maintenance.cleanup();
      expect(report.orphanChunks).toBe(2);
      const left = await db.query<{ a: string }>('SELECT DISTINCT attachment_id AS a FROM chunks WHERE user_id = $1 ORDER BY 1', [user.userId]);
      expect(left.map((r) => r.a).sort()).toEqual([young, pushed].sort());
      expect(await usage(user.userId)).toBe(400 + 4);
      expect((await a.call('GET', `/api/sync/chunks/${orphan}/0`, { token: user.token })).status).toBe(404);
      expect((await a.call('GET', `/api/sync/chunks/${pushed}/1`, { token: user.token })).status).toBe(200);
      // Running it again finds nothing more.
      expect((await services.maintenance.cleanup()).orphanChunks).toBe(0);
    });

    it('takes an attachment record only with the chunks it names: a push lacking them is refused whole (409 missing-chunks)', async () => {
      const a = new Api(app);
      const user = await a.register();
      const [att, other] = [randomUUID(), randomUUID()];
      const push = (mutationId: number, chunks: number) =>
        a.call('POST', '/api/sync/push', {
          token: user.token,
          json: { clientId: user.userId, mutations: [{ mutationId, recordId: other, ciphertext: 'AAAA' }, { mutationId: mutationId + 1, recordId: att, ciphertext: 'BBBB', chunks }] },
        });
      expect((await a.call('PUT', `/api/sync/chunks/${att}/0`, { token: user.token, raw: new Uint8Array(10) })).status).toBe(204);
      const refused = await push(1, 2);
      expect(refused.status).toBe(409);
      expect(refused.body.error.code).toBe('missing-chunks');
      expect(await db.query('SELECT 1 FROM records WHERE user_id = $1', [user.userId])).toHaveLength(0); // nothing of it applied
      expect((await a.call('PUT', `/api/sync/chunks/${att}/1`, { token: user.token, raw: new Uint8Array(10) })).status).toBe(204);
      const taken = await push(1, 2);
      expect(taken.status).toBe(200);
      expect(taken.body.results.map((r: { seq: number | null }) => r.seq !== null)).toEqual([true, true]);
    });

    it('forgets rate-limit windows that ended more than a day ago', async () => {
      await db.query('INSERT INTO rate_limits (key, window_start, count) VALUES ($1, $2, 5), ($3, $4, 5)', [
        'old-window',
        Date.now() - 48 * HOUR,
        'current-window',
        Date.now(),
      ]);
      await services.maintenance.cleanup();
      const keys = (await db.query<{ key: string }>("SELECT key FROM rate_limits WHERE key LIKE '%-window'")).map((r) => r.key);
      expect(keys).toEqual(['current-window']);
    });

    it('the server process runs the clean-up itself, periodically', async () => {
      const config = testConfig({
        port: 0,
        databaseUrl: database.name === 'postgres' ? TEST_DATABASE_URL : undefined,
        cleanup: { intervalMs: 100, orphanChunkGraceMs: HOUR },
      });
      // PostgreSQL: the test's schema; PGlite: the server's own in-memory database.
      const running = await startServer(config, database.name === 'postgres' ? { pgConfig: { options: env.PGOPTIONS } } : { dataDir: undefined });
      try {
        const user = await new Api(running.url).register();
        await running.db.query('UPDATE sessions SET expires_at = $1 WHERE user_id = $2', [Date.now() - 1, user.userId]);
        await expect.poll(async () => (await running.db.query('SELECT 1 FROM sessions WHERE user_id = $1', [user.userId])).length, { timeout: 30_000 }).toBe(0);
      } finally {
        await running.close();
      }
    });
  });
}
