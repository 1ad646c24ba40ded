// What keeps one user (or a spoofing client) from taking an instance down or locking others out,
// on PGlite and (with TEST_DATABASE_URL) PostgreSQL: pull pages capped in bytes, the per-account
// quota, per-account rate limits on push/pull/chunks, X-Forwarded-For hops, failed-login counting,
// one shape for every /api/auth/params answer, small auth bodies, and the limits read from the
// environment. The database time bounds are in timeouts.test.ts.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_CIPHERTEXT_BYTES, PullResponse } from '../../src/shared/sync/protocol';
import { configFromEnv, defaultConfig, type ServerConfig } from '../../server/config';
import { MemoryRateLimiter } from '../../server/services/rateLimit';
import type { Db } from '../../server/db';
import { Api, DATABASES, available, b64, kdf, testApp, testConfig, wrappedKey } from './helpers';

const MiB = 1024 * 1024;
const limit = (max: number) => ({ max, windowMs: 60_000 });

describe('in-memory rate limiter', () => {
  it('counts per key and window, refuses past the limit with Retry-After, and stays bounded in keys', () => {
    const limiter = new MemoryRateLimiter(4);
    const per = { max: 2, windowMs: 60_000 };
    const t = 1_000_000 * 60_000 + 1000;
    limiter.hit('a', per, t);
    limiter.hit('a', per, t);
    expect(() => limiter.hit('a', per, t)).toThrow(expect.objectContaining({ code: 'rate-limited', retryAfter: 59 }));
    limiter.hit('a', per, t + 60_000); // a new window
    for (let i = 0; i < 50; i++) limiter.hit(`k${i}`, per, t + 60_000);
    expect(limiter.size).toBeLessThanOrEqual(4);
  });
});

describe('server configuration', () => {
  it('reads every limit from the environment and refuses values that would break a bound', () => {
    const c = configFromEnv({
      QUOTA_MIB: '5',
      PULL_MAX_MIB: '4',
      PUSH_PER_MINUTE: '7',
      PULL_PER_MINUTE: '8',
      CHUNKS_PER_MINUTE: '9',
      ORPHAN_CHUNK_GRACE_HOURS: '2',
      CLEANUP_INTERVAL_MINUTES: '0',
      PG_LOCK_TIMEOUT_MS: '250',
    });
    expect(c.quotaBytes).toBe(5 * MiB);
    expect(c.pullMaxBytes).toBe(4 * MiB);
    expect([c.rateLimits.push.max, c.rateLimits.pull.max, c.rateLimits.chunk.max]).toEqual([7, 8, 9]);
    expect(c.cleanup).toEqual({ intervalMs: 0, orphanChunkGraceMs: 2 * 3600_000 });
    expect(c.postgres.lockTimeoutMs).toBe(250);
    // A pull cap below one max-size record, a zero quota or a zero rate would break the bounds.
    for (const bad of [{ PULL_MAX_MIB: '2' }, { QUOTA_MIB: '0' }, { PUSH_PER_MINUTE: '0' }, { PG_STATEMENT_TIMEOUT_MS: '0' }]) {
      expect(() => configFromEnv(bad), JSON.stringify(bad)).toThrow(/must be an integer of at least/);
    }
  });
});

for (const database of DATABASES) {
  describe.skipIf(!available(database))(`sync server limits on ${database.name}`, () => {
    let db: Db;
    let drop: () => Promise<void>;

    beforeAll(async () => {
      ({ db, drop } = await database.open());
    }, 600_000);
    afterAll(async () => drop?.());

    const appWith = async (over: Partial<ServerConfig> = {}) => (await testApp(db, over)).app;
    const push = (a: Api, token: string, mutations: { mutationId: number; recordId: string; ciphertext: string }[], clientId = randomUUID()) =>
      a.call('POST', '/api/sync/push', { token, json: { clientId, mutations } });

    /** Every page of a pull as raw JSON text (what goes over the wire) and parsed. */
    async function pullPages(app: Awaited<ReturnType<typeof appWith>>, token: string) {
      const pages: { bytes: number; page: PullResponse }[] = [];
      let since = 0;
      for (;;) {
        const res = await app.request(`/api/sync/pull?since=${since}&limit=1000`, { headers: { Authorization: `Bearer ${token}` } });
        expect(res.status).toBe(200);
        const text = await res.text();
        const page = PullResponse.parse(JSON.parse(text));
        pages.push({ bytes: Buffer.byteLength(text), page });
        since = page.cursor;
        if (!page.hasMore) return pages;
      }
    }

    it('caps pull pages in bytes: max-size records come a few per page, never past the cap', async () => {
      const app = await appWith();
      const a = new Api(app);
      const { token } = await a.register();
      const big = () => b64(MAX_CIPHERTEXT_BYTES); // ~2.8 MB of base64url each
      const ids: string[] = [];
      for (let m = 1; m <= 7; m += 2) {
        const muts = [m, m + 1].filter((id) => id <= 7).map((id) => ({ mutationId: id, recordId: randomUUID(), ciphertext: big() }));
        ids.push(...muts.map((x) => x.recordId));
        expect((await push(a, token, muts, '00000000-0000-4000-8000-000000000001')).status).toBe(200);
      }
      const pages = await pullPages(app, token);
      const cap = 8 * MiB; // the default
      for (const p of pages) expect(p.bytes).toBeLessThanOrEqual(cap);
      expect(pages.map((p) => p.page.changes.length)).toEqual([2, 2, 2, 1]);
      expect(pages.map((p) => p.page.hasMore)).toEqual([true, true, true, false]);
      expect(pages.flatMap((p) => p.page.changes.map((c) => c.recordId))).toEqual(ids);
      expect(defaultConfig().pullMaxBytes).toBe(cap);
    }, 120_000);

    it('a page holds at least one record even when that record alone is over the cap; no change is skipped', async () => {
      const cap = 2000;
      const app = await appWith({ pullMaxBytes: cap });
      const a = new Api(app);
      const { token } = await a.register();
      const sizes = [300, 400, 500, 3000, 200, 900, 900, 100];
      const muts = sizes.map((n, i) => ({ mutationId: i + 1, recordId: randomUUID(), ciphertext: b64(n) }));
      expect((await push(a, token, muts)).status).toBe(200);
      const pages = await pullPages(app, token);
      for (const p of pages) {
        expect(p.page.changes.length).toBeGreaterThan(0);
        if (p.page.changes.length > 1) expect(p.bytes).toBeLessThanOrEqual(cap);
      }
      expect(pages.some((p) => p.page.changes.length === 1 && p.bytes > cap)).toBe(true);
      expect(pages.flatMap((p) => p.page.changes.map((c) => c.seq))).toEqual(sizes.map((_, i) => i + 1));
      expect(pages.at(-1)!.page.hasMore).toBe(false);
    });

    it('refuses a push or chunk past the quota with quota-exceeded (413), stores nothing of it, and always accepts shrinking', async () => {
      const app = await appWith({ quotaBytes: 10_000 });
      const a = new Api(app);
      const user = await a.register();
      const other = await a.register();
      const client = randomUUID();
      const [r1, r2] = [randomUUID(), randomUUID()];
      expect((await push(a, user.token, [{ mutationId: 1, recordId: r1, ciphertext: 'A'.repeat(6000) }], client)).status).toBe(200);
      const over = await push(a, user.token, [{ mutationId: 2, recordId: r2, ciphertext: 'B'.repeat(5000) }], client);
      expect(over.status).toBe(413);
      expect(over.body.error.code).toBe('quota-exceeded');
      expect(over.body.error.message).toMatch(/full/);
      expect((await pullPages(app, user.token)).flatMap((p) => p.page.changes.map((c) => c.recordId))).toEqual([r1]);
      // Another account has its own quota.
      expect((await push(a, other.token, [{ mutationId: 1, recordId: r2, ciphertext: 'B'.repeat(5000) }])).status).toBe(200);
      // Replacing the big record by a small one (a tombstone) frees room; the refused mutation id was not applied.
      expect((await push(a, user.token, [{ mutationId: 2, recordId: r1, ciphertext: 'AAAA' }], client)).status).toBe(200);
      expect((await push(a, user.token, [{ mutationId: 3, recordId: r2, ciphertext: 'B'.repeat(5000) }], client)).status).toBe(200);
      // Chunks count too.
      const att = randomUUID();
      expect((await a.call('PUT', `/api/sync/chunks/${att}/0`, { token: user.token, raw: new Uint8Array(4000) })).status).toBe(204);
      const chunkOver = await a.call('PUT', `/api/sync/chunks/${att}/1`, { token: user.token, raw: new Uint8Array(2000) });
      expect(chunkOver.status).toBe(413);
      expect(chunkOver.body.error.code).toBe('quota-exceeded');
      expect((await a.call('GET', `/api/sync/chunks/${att}/1`, { token: user.token })).status).toBe(404);
      expect((await a.call('DELETE', `/api/sync/chunks/${att}`, { token: user.token })).status).toBe(204);
      expect((await a.call('PUT', `/api/sync/chunks/${att}/1`, { token: user.token, raw: new Uint8Array(2000) })).status).toBe(204);
      // The running count equals what is stored.
      const [u] = await db.query<{ used: string; real: string }>(
        `SELECT used_bytes AS used,
           (SELECT coalesce(sum(octet_length(ciphertext)), 0) FROM records WHERE user_id = $1) +
           (SELECT coalesce(sum(octet_length(data)), 0) FROM chunks WHERE user_id = $1) AS real
         FROM users WHERE id = $1`,
        [user.userId],
      );
      expect(Number(u.used)).toBe(Number(u.real));
      expect(Number(u.used)).toBe(4 + 5000 + 2000);
    });

    it('rate-limits push, pull and chunks per account', async () => {
      const app = await appWith({ rateLimits: { ...testConfig().rateLimits, push: limit(2), pull: limit(2), chunk: limit(2) } });
      const a = new Api(app);
      const user = await a.register();
      const other = await a.register();
      const att = randomUUID();
      const calls = {
        push: (token: string) => push(a, token, []),
        pull: (token: string) => a.call('GET', '/api/sync/pull', { token }),
        chunk: (token: string) => a.call('PUT', `/api/sync/chunks/${att}/0`, { token, raw: new Uint8Array([1]) }),
      };
      for (const [name, call] of Object.entries(calls)) {
        for (let i = 0; i < 2; i++) expect((await call(user.token)).status, name).toBeLessThan(300);
        const limited = await call(user.token);
        expect(limited.status, name).toBe(429);
        expect(limited.body.error.code).toBe('rate-limited');
        expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
        expect((await call(other.token)).status, `${name} for another account`).toBeLessThan(300);
      }
    });

    it('TRUST_PROXY counts hops from the right: a client-written X-Forwarded-For entry changes nothing', async () => {
      const app = await appWith({ trustProxy: 1, rateLimits: { ...testConfig().rateLimits, register: limit(3) } });
      const register = (forwarded: string) =>
        new Api(app).call('POST', '/api/auth/register', {
          headers: { 'X-Forwarded-For': forwarded },
          json: { email: `${randomUUID()}@example.com`, authKey: b64(32), kdf: kdf(), wrappedAccountKey: wrappedKey() },
        });
      // The proxy appends the real address (203.0.113.7) after whatever the client sent.
      const statuses = [];
      for (let i = 0; i < 6; i++) statuses.push((await register(`198.51.100.${i}, 203.0.113.7`)).status);
      expect(statuses).toEqual([201, 201, 201, 429, 429, 429]);
      // Two proxies: the second from the right is the client.
      const two = await appWith({ trustProxy: 2, rateLimits: { ...testConfig().rateLimits, register: limit(1) } });
      const viaTwo = (forwarded: string) =>
        new Api(two).call('POST', '/api/auth/register', {
          headers: { 'X-Forwarded-For': forwarded },
          json: { email: `${randomUUID()}@example.com`, authKey: b64(32), kdf: kdf(), wrappedAccountKey: wrappedKey() },
        });
      expect((await viaTwo('1.1.1.1, 203.0.113.8, 10.0.0.2')).status).toBe(201);
      expect((await viaTwo('2.2.2.2, 203.0.113.8, 10.0.0.3')).status).toBe(429);
      expect((await viaTwo('2.2.2.2, 203.0.113.9, 10.0.0.2')).status).toBe(201);
      expect([undefined, '', 'false', 'true', '1', '2'].map((v) => configFromEnv({ TRUST_PROXY: v }).trustProxy)).toEqual([0, 0, 0, 1, 1, 2]);
      expect(() => configFromEnv({ TRUST_PROXY: 'yes' })).toThrow(/TRUST_PROXY/);
    });

    it('failed logins from elsewhere never lock the owner out; the guessers are limited', async () => {
      const app = await appWith({ rateLimits: { ...testConfig().rateLimits, account: limit(3), login: limit(100) } });
      const owner = await new Api(app).register();
      const attackers = Array.from({ length: 4 }, () => new Api(app));
      const seen: number[] = [];
      for (const attacker of attackers) {
        for (let i = 0; i < 5; i++) seen.push((await attacker.call('POST', '/api/auth/login', { json: { email: owner.email, authKey: b64(32) } })).status);
      }
      expect(seen.filter((s) => s === 401)).toHaveLength(12); // 3 tries per address
      expect(seen.filter((s) => s === 429)).toHaveLength(8);
      const login = await new Api(app).call('POST', '/api/auth/login', { json: { email: owner.email, authKey: owner.authKey } });
      expect(login.status).toBe(200);
      // The owner's own successful logins count nothing: many in a row all work.
      const ownerApi = new Api(app);
      for (let i = 0; i < 5; i++) expect((await ownerApi.call('POST', '/api/auth/login', { json: { email: owner.email, authKey: owner.authKey } })).status).toBe(200);
    });

    it('answers /api/auth/params in one shape for known and unknown emails (same keys, same order, same types)', async () => {
      const app = await appWith();
      const a = new Api(app);
      const email = `${randomUUID()}@example.com`;
      const k = kdf();
      // Registered with its keys in another order (and stored as jsonb, which orders keys its own way).
      const reordered = Object.fromEntries(Object.entries(k).reverse());
      expect((await a.call('POST', '/api/auth/register', { json: { email, authKey: b64(32), kdf: reordered, wrappedAccountKey: wrappedKey() } })).status).toBe(201);
      const raw = async (e: string) =>
        (await app.request('/api/auth/params', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ email: e }) })).text();
      const shape = (text: string) => text.replace(/"(?:[^"\\]|\\.)*"(?=[,}\]])/g, '"s"').replace(/-?\d+(\.\d+)?/g, '0');
      const known = await raw(email);
      const unknown = await raw(`ghost-${randomUUID()}@example.com`);
      expect(shape(known)).toBe(shape(unknown));
      expect(known.length).toBe(unknown.length);
      expect(JSON.parse(known)).toEqual({ kdf: k });
    });

    it('auth routes refuse bodies over 16 KiB with 413 before reading them; sync routes still take large ones', async () => {
      const app = await appWith();
      const a = new Api(app);
      const pad = 'x'.repeat(20 * 1024);
      const routes = ['/api/auth/params', '/api/auth/register', '/api/auth/login'];
      for (const path of routes) {
        const r = await a.call('POST', path, { json: { email: `${randomUUID()}@example.com`, authKey: b64(32), pad } });
        expect(r.status, path).toBe(413);
        expect(r.body.error.code).toBe('payload-too-large');
      }
      const user = await a.register();
      for (const path of ['/api/auth/password', '/api/account/delete']) {
        const r = await a.call('POST', path, { token: user.token, json: { authKey: user.authKey, pad } });
        expect(r.status, path).toBe(413);
      }
      expect((await push(a, user.token, [{ mutationId: 1, recordId: randomUUID(), ciphertext: b64(MiB) }])).status).toBe(200);
    });
  });
}
