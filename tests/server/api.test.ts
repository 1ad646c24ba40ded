// The sync server's routes, in process, on PGlite and (when TEST_DATABASE_URL is set) PostgreSQL:
// accounts and sessions, isolation between users, validation and limits, idempotent push,
// pagination, rate limits, CORS, and a fuzzed push route.
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Hono } from 'hono';
import { MAX_CHUNK_BYTES, MAX_MUTATIONS_PER_PUSH, PullResponse, PushResponse } from '../../src/shared/sync/protocol';
import type { Db } from '../../server/db';
import { migrate, MIGRATIONS } from '../../server/migrations';
import { createApp } from '../../server/app';
import { Api, DATABASES, available, b64, kdf, testApp, testConfig, wrappedKey } from './helpers';

const TABLES_WITH_USER = ['sessions', 'records', 'client_states', 'chunks', 'pushes'];

function mutations(from: number, count: number, recordIds?: string[]) {
  return Array.from({ length: count }, (_, i) => ({
    mutationId: from + i,
    recordId: recordIds?.[i % recordIds.length] ?? randomUUID(),
    ciphertext: b64(40 + i),
  }));
}

async function pullAll(api: Api, token: string, limit = 500) {
  const changes: PullResponse['changes'] = [];
  let since = 0;
  for (;;) {
    const r = await api.call('GET', `/api/sync/pull?since=${since}&limit=${limit}`, { token });
    expect(r.status).toBe(200);
    const page = PullResponse.parse(r.body);
    changes.push(...page.changes);
    since = page.cursor;
    if (!page.hasMore) return changes;
  }
}

for (const database of DATABASES) {
  describe.skipIf(!available(database))(`sync server on ${database.name}`, () => {
    let db: Db;
    let drop: () => Promise<void>;
    let app: Hono<any>;
    const api = () => new Api(app);

    beforeAll(async () => {
      ({ db, drop } = await database.open());
      ({ app } = await testApp(db, {
        rateLimits: {
          ...testConfig().rateLimits,
          register: { max: 3, windowMs: 60_000 },
          login: { max: 4, windowMs: 60_000 },
          account: { max: 3, windowMs: 60_000 },
        },
      }));
    }, 600_000); // a fresh PGlite runs initdb: seconds, or minutes on a loaded machine
    afterAll(async () => drop?.());

    it('reports health with the database kind', async () => {
      const r = await api().call('GET', '/api/health');
      expect(r.status).toBe(200);
      expect(r.body).toMatchObject({ ok: true, database: database.name, protocol: 1 });
    });

    it('answers 503 on health when the database is unreachable', async () => {
      const { services } = await testApp(db);
      const broken = { ...services, db: { ...services.db, query: () => Promise.reject(new Error('connection refused')) } };
      const r = await new Api(createApp(testConfig(), broken)).call('GET', '/api/health');
      expect(r.status).toBe(503);
      expect(r.body.error.code).toBe('unavailable');
    });

    it('registers, refuses a taken email, logs in; unknown email and wrong key get the same 401', async () => {
      const a = api();
      const email = `Mixed.${randomUUID()}@Example.com`;
      const k = kdf();
      const w = wrappedKey();
      const authKey = b64(32);
      const reg = await a.call('POST', '/api/auth/register', { json: { email, authKey, kdf: k, wrappedAccountKey: w } });
      expect(reg.status).toBe(201);
      expect(reg.body.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
      const again = await a.call('POST', '/api/auth/register', {
        json: { email: email.toLowerCase(), authKey: b64(32), kdf: kdf(), wrappedAccountKey: wrappedKey() },
      });
      expect(again.status).toBe(409);
      expect(again.body.error.code).toBe('email-taken');

      const [row] = await db.query<{ auth_hash: string; email: string }>('SELECT auth_hash, email FROM users WHERE id = $1', [reg.body.userId]);
      expect(row.email).toBe(email.toLowerCase());
      expect(row.auth_hash.startsWith('$argon2id$')).toBe(true);
      expect(row.auth_hash).not.toContain(authKey);

      const login = await a.call('POST', '/api/auth/login', { json: { email: ` ${email.toUpperCase()} `, authKey } });
      expect(login.status).toBe(200);
      expect(login.body).toMatchObject({ userId: reg.body.userId, kdf: k, wrappedAccountKey: w });
      const wrong = await new Api(app).call('POST', '/api/auth/login', { json: { email, authKey: b64(32) } });
      const unknown = await new Api(app).call('POST', '/api/auth/login', { json: { email: `nobody-${randomUUID()}@example.com`, authKey } });
      expect(wrong.status).toBe(401);
      expect(unknown.status).toBe(401);
      expect(unknown.body).toEqual(wrong.body);
      expect(wrong.body.error.code).toBe('bad-credentials');
    });

    it('gives the KDF parameters of an account, and stable fake ones for unknown emails', async () => {
      const a = api();
      const email = `${randomUUID()}@example.com`;
      const k = kdf();
      await a.call('POST', '/api/auth/register', { json: { email, authKey: b64(32), kdf: k, wrappedAccountKey: wrappedKey() } });
      expect((await a.call('POST', '/api/auth/params', { json: { email } })).body).toEqual({ kdf: k });
      const ghost = `ghost-${randomUUID()}@example.com`;
      const f1 = await a.call('POST', '/api/auth/params', { json: { email: ghost } });
      const f2 = await a.call('POST', '/api/auth/params', { json: { email: ghost.toUpperCase() } });
      const other = await a.call('POST', '/api/auth/params', { json: { email: `x${ghost}` } });
      expect(f1.status).toBe(200);
      expect(f2.body).toEqual(f1.body);
      expect(other.body.kdf.salt).not.toBe(f1.body.kdf.salt);
      expect(Object.keys(f1.body.kdf).sort()).toEqual(Object.keys(k).sort());
      expect(Buffer.from(f1.body.kdf.salt, 'base64url').length).toBe(16);
    });

    it('answers 401 to missing, malformed, unknown, expired and revoked tokens on every authenticated route', async () => {
      const a = api();
      const user = await a.register();
      const expired = await a.call('POST', '/api/auth/login', { json: { email: user.email, authKey: user.authKey } });
      await db.query('UPDATE sessions SET expires_at = $1 WHERE user_id = $2 AND expires_at = $3', [Date.now() - 1, user.userId, expired.body.expiresAt]);
      const revoked = (await a.call('POST', '/api/auth/login', { json: { email: user.email, authKey: user.authKey } })).body.token;
      expect((await a.call('POST', '/api/auth/logout', { token: revoked })).status).toBe(204);

      const att = randomUUID();
      const routes: [string, string, object][] = [
        ['POST', '/api/sync/push', { json: { clientId: randomUUID(), mutations: mutations(1, 1) } }],
        ['GET', '/api/sync/pull', {}],
        ['PUT', `/api/sync/chunks/${att}/0`, { raw: new Uint8Array([1, 2, 3]) }],
        ['GET', `/api/sync/chunks/${att}/0`, {}],
        ['DELETE', `/api/sync/chunks/${att}`, {}],
        ['POST', '/api/auth/logout', {}],
        ['POST', '/api/auth/password', { json: { authKey: user.authKey, newAuthKey: b64(32), newKdf: kdf(), newWrappedAccountKey: wrappedKey() } }],
        ['POST', '/api/account/delete', { json: { authKey: user.authKey } }],
      ];
      for (const token of [undefined, 'not a token', b64(32), expired.body.token, revoked]) {
        for (const [method, path, opts] of routes) {
          const r = await a.call(method, path, { ...opts, token });
          expect(r.status, `${method} ${path} with ${token}`).toBe(401);
          expect(r.body.error.code).toBe('unauthorized');
        }
      }
      // The account is untouched and its live session still works.
      expect((await a.call('GET', '/api/sync/pull', { token: user.token })).status).toBe(200);
      const [{ n }] = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM records WHERE user_id = $1', [user.userId]);
      expect(n).toBe(0);
    });

    it("never lets a user read or change another user's records or chunks", async () => {
      const a = api();
      const alice = await a.register();
      const bob = await a.register();
      const shared = randomUUID();
      const push = (token: string, ciphertext: string, mutationId = 1) =>
        a.call('POST', '/api/sync/push', { token, json: { clientId: randomUUID(), mutations: [{ mutationId, recordId: shared, ciphertext }] } });
      expect((await push(alice.token, 'YWxpY2U')).status).toBe(200);
      expect((await push(bob.token, 'Ym9i')).status).toBe(200);
      const aliceSees = await pullAll(a, alice.token);
      const bobSees = await pullAll(a, bob.token);
      expect(aliceSees.map((c) => c.ciphertext)).toEqual(['YWxpY2U']);
      expect(bobSees.map((c) => c.ciphertext)).toEqual(['Ym9i']);

      const att = randomUUID();
      expect((await a.call('PUT', `/api/sync/chunks/${att}/0`, { token: alice.token, raw: new Uint8Array([1, 2, 3]) })).status).toBe(204);
      const bobGet = await a.call('GET', `/api/sync/chunks/${att}/0`, { token: bob.token });
      expect(bobGet.status).toBe(404);
      expect(bobGet.body.error.code).toBe('not-found');
      expect((await a.call('DELETE', `/api/sync/chunks/${att}`, { token: bob.token })).status).toBe(204);
      expect((await a.call('PUT', `/api/sync/chunks/${att}/0`, { token: bob.token, raw: new Uint8Array([9]) })).status).toBe(204);
      const aliceGet = await a.call('GET', `/api/sync/chunks/${att}/0`, { token: alice.token });
      expect(aliceGet.status).toBe(200);
      expect(aliceGet.headers.get('content-type')).toBe('application/octet-stream');
      expect([...aliceGet.bytes!]).toEqual([1, 2, 3]);
      expect([...(await a.call('GET', `/api/sync/chunks/${att}/0`, { token: bob.token })).bytes!]).toEqual([9]);
      expect((await a.call('DELETE', `/api/sync/chunks/${att}`, { token: alice.token })).status).toBe(204);
      expect((await a.call('GET', `/api/sync/chunks/${att}/0`, { token: alice.token })).status).toBe(404);
      expect((await a.call('GET', `/api/sync/chunks/${att}/0`, { token: bob.token })).status).toBe(200);
    });

    it('refuses malformed and oversized bodies with a clear 4xx', async () => {
      const a = api();
      const { token } = await a.register();
      const clientId = randomUUID();
      const push = (json: unknown) => a.call('POST', '/api/sync/push', { token, json });
      const expectError = (r: { status: number; body: any }, status: number, code: string) => {
        expect(r.status).toBe(status);
        expect(r.body.error.code).toBe(code);
        expect(r.body.error.message.length).toBeGreaterThan(5);
      };
      expectError(await push('{"clientId": '), 400, 'invalid-body');
      expectError(await push([]), 400, 'invalid-body');
      expectError(await push({ clientId: 'nope', mutations: [] }), 400, 'invalid-body');
      expectError(await push({ clientId, mutations: [{ mutationId: 1, recordId: randomUUID() }] }), 400, 'invalid-body');
      expectError(await push({ clientId, mutations: [...mutations(1, 1), ...mutations(1, 1)] }), 400, 'invalid-body');
      expectError(await push({ clientId, mutations: mutations(0, 1) }), 400, 'invalid-body');
      expectError(await push({ clientId, mutations: [{ ...mutations(1, 1)[0], ciphertext: 'not base64!' }] }), 400, 'invalid-body');
      expectError(await push({ clientId, mutations: mutations(1, MAX_MUTATIONS_PER_PUSH + 1) }), 400, 'invalid-body');
      expectError(await push({ clientId, mutations: [{ ...mutations(1, 1)[0], ciphertext: b64(2 * 1024 * 1024 + 3) }] }), 400, 'invalid-body');
      const huge = { clientId, mutations: Array.from({ length: 5 }, (_, i) => ({ ...mutations(i + 1, 1)[0], ciphertext: b64(2 * 1024 * 1024 - 10) })) };
      expectError(await push(huge), 413, 'payload-too-large');
      expectError(await a.call('POST', '/api/auth/register', { json: { email: 'not-an-email', authKey: b64(32), kdf: kdf(), wrappedAccountKey: wrappedKey() } }), 400, 'invalid-body');
      expectError(await a.call('POST', '/api/auth/register', { json: { email: 'a@b.co', authKey: b64(16), kdf: kdf(), wrappedAccountKey: wrappedKey() } }), 400, 'invalid-body');
      expectError(await a.call('POST', '/api/auth/register', { json: { email: 'a@b.co', authKey: b64(32), kdf: { ...kdf(), memoryKiB: 1 }, wrappedAccountKey: wrappedKey() } }), 400, 'invalid-body');
      for (const q of ['limit=0', 'limit=1001', 'since=-1', 'since=abc', 'limit=1.5']) {
        expectError(await a.call('GET', `/api/sync/pull?${q}`, { token }), 400, 'invalid-body');
      }
      const att = randomUUID();
      expectError(await a.call('PUT', `/api/sync/chunks/${att}/0`, { token, raw: new Uint8Array(MAX_CHUNK_BYTES + 1) }), 413, 'payload-too-large');
      expect((await a.call('PUT', `/api/sync/chunks/${att}/0`, { token, raw: new Uint8Array(MAX_CHUNK_BYTES) })).status).toBe(204);
      expectError(await a.call('PUT', `/api/sync/chunks/${att}/1`, { token, raw: new Uint8Array(0) }), 400, 'invalid-body');
      expectError(await a.call('PUT', `/api/sync/chunks/not-a-uuid/0`, { token, raw: new Uint8Array(1) }), 404, 'not-found');
      expectError(await a.call('PUT', `/api/sync/chunks/${att}/-1`, { token, raw: new Uint8Array(1) }), 404, 'not-found');
      expectError(await a.call('GET', '/api/nothing-here'), 404, 'not-found');
      // Nothing was stored by the refused pushes.
      expect(await pullAll(a, token)).toEqual([]);
    });

    it('applies a retried push once: repeated mutation ids change nothing', async () => {
      const a = api();
      const { token, userId } = await a.register();
      const clientId = randomUUID();
      const batch = { clientId, mutations: mutations(1, 3) };
      const first = PushResponse.parse((await a.call('POST', '/api/sync/push', { token, json: batch })).body);
      expect(first.lastMutationId).toBe(3);
      expect(first.results.map((r) => r.seq)).toEqual([1, 2, 3]);
      const before = await pullAll(a, token);
      const retry = PushResponse.parse((await a.call('POST', '/api/sync/push', { token, json: batch })).body);
      expect(retry).toEqual({ lastMutationId: 3, results: [1, 2, 3].map((mutationId) => ({ mutationId, seq: null })), epoch: first.epoch });
      expect(await pullAll(a, token)).toEqual(before);
      // Overlapping retry: 2 and 3 again (changed bytes are ignored), 4 and 5 new.
      const overlap = { clientId, mutations: [...mutations(2, 2), ...mutations(4, 2)] };
      const third = PushResponse.parse((await a.call('POST', '/api/sync/push', { token, json: overlap })).body);
      expect(third.results.map((r) => r.seq)).toEqual([null, null, 4, 5]);
      const after = await pullAll(a, token);
      expect(after.slice(0, 3)).toEqual(before);
      expect(after).toHaveLength(5);
      const [{ last_seq, last_mutation_id }] = await db.query<any>(
        'SELECT u.last_seq, c.last_mutation_id FROM users u JOIN client_states c ON c.user_id = u.id WHERE u.id = $1',
        [userId],
      );
      expect([Number(last_seq), Number(last_mutation_id)]).toEqual([5, 5]);
    });

    it('applies a push once when retries arrive while the first is still in flight', async () => {
      const a = api();
      const { token, userId } = await a.register();
      const batch = { clientId: randomUUID(), mutations: mutations(1, 20) };
      const replies = await Promise.all(Array.from({ length: 6 }, () => a.call('POST', '/api/sync/push', { token, json: batch })));
      const results = replies.map((r) => PushResponse.parse(r.body));
      const applied = results.filter((r) => r.results.every((x) => x.seq !== null));
      expect(applied).toHaveLength(1);
      expect(results.filter((r) => r.results.every((x) => x.seq === null))).toHaveLength(5);
      expect(results.every((r) => r.lastMutationId === 20)).toBe(true);
      const [{ last_seq }] = await db.query<any>('SELECT last_seq FROM users WHERE id = $1', [userId]);
      expect(Number(last_seq)).toBe(20);
      expect(await pullAll(a, token)).toHaveLength(20);
    });

    it('pages through the newest version of each record in seq order; last writer wins', async () => {
      const a = api();
      const { token } = await a.register();
      const ids = Array.from({ length: 20 }, () => randomUUID());
      const c1 = randomUUID();
      const c2 = randomUUID();
      await a.call('POST', '/api/sync/push', { token, json: { clientId: c1, mutations: mutations(1, 20, ids) } });
      // Edits of five records by another client, then one of them again by the first client.
      const edits = ids.slice(0, 5).map((recordId, i) => ({ mutationId: 10 + i, recordId, ciphertext: b64(3 + i) }));
      await a.call('POST', '/api/sync/push', { token, json: { clientId: c2, mutations: edits } });
      await a.call('POST', '/api/sync/push', { token, json: { clientId: c1, mutations: [{ mutationId: 21, recordId: ids[0], ciphertext: 'bGFzdA' }] } });
      const pages: number[] = [];
      let since = 0;
      const seen: PullResponse['changes'] = [];
      for (;;) {
        const page = PullResponse.parse((await a.call('GET', `/api/sync/pull?since=${since}&limit=7`, { token })).body);
        pages.push(page.changes.length);
        seen.push(...page.changes);
        since = page.cursor;
        if (!page.hasMore) break;
      }
      expect(pages).toEqual([7, 7, 6]);
      expect(seen.map((c) => c.seq)).toEqual([...seen.map((c) => c.seq)].sort((x, y) => x - y));
      expect(new Set(seen.map((c) => c.recordId)).size).toBe(20);
      const byId = new Map(seen.map((c) => [c.recordId, c.ciphertext]));
      expect(byId.get(ids[0])).toBe('bGFzdA');
      expect(byId.get(ids[1])).toBe(edits[1].ciphertext);
      // Nothing after the last cursor; an empty pull keeps the cursor.
      expect((await a.call('GET', `/api/sync/pull?since=${since}`, { token })).body).toEqual({ changes: [], cursor: since, hasMore: false, epoch: expect.any(String) });
      // Incremental pull sees only what changed after the cursor.
      await a.call('POST', '/api/sync/push', { token, json: { clientId: c2, mutations: [{ mutationId: 15, recordId: ids[7], ciphertext: 'bmV3' }] } });
      const inc = PullResponse.parse((await a.call('GET', `/api/sync/pull?since=${since}`, { token })).body);
      expect(inc.changes.map((c) => [c.recordId, c.ciphertext])).toEqual([[ids[7], 'bmV3']]);
      expect(inc.changes[0].receivedAt).toBeGreaterThan(Date.now() - 60_000);
    });

    it('serializes concurrent pushes of one user: seqs are unique and gapless', async () => {
      const a = api();
      const { token } = await a.register();
      const replies = await Promise.all(
        Array.from({ length: 8 }, () => a.call('POST', '/api/sync/push', { token, json: { clientId: randomUUID(), mutations: mutations(1, 10) } })),
      );
      const seqs = replies.flatMap((r) => PushResponse.parse(r.body).results.map((x) => x.seq!));
      expect([...seqs].sort((x, y) => x - y)).toEqual(Array.from({ length: 80 }, (_, i) => i + 1));
      expect((await pullAll(a, token, 13)).map((c) => c.seq)).toEqual(Array.from({ length: 80 }, (_, i) => i + 1));
    });

    it('refuses record, client and attachment ids that are not lower-case UUIDs', async () => {
      const a = api();
      const { token } = await a.register();
      const upper = randomUUID().toUpperCase();
      const r = await a.call('POST', '/api/sync/push', { token, json: { clientId: randomUUID(), mutations: [{ mutationId: 1, recordId: upper, ciphertext: b64(40) }] } });
      expect(r.status).toBe(400);
      expect(r.body.error.message).toMatch(/recordId: must be a lower-case UUID/);
      const c = await a.call('POST', '/api/sync/push', { token, json: { clientId: upper, mutations: [] } });
      expect(c.status).toBe(400);
      expect((await a.call('PUT', `/api/sync/chunks/${upper}/0`, { token, raw: new Uint8Array(10) })).status).toBe(404);
      expect(await pullAll(a, token)).toEqual([]);
    });

    it('notices a restore from a backup: a device that saw more than the log holds gets 409 history-changed and a new epoch', async () => {
      const a = api();
      const { token } = await a.register();
      const clientId = randomUUID();
      const ids = [randomUUID(), randomUUID()];
      const push = (body: object) => a.call('POST', '/api/sync/push', { token, json: { clientId, ...body } });
      const pull = (query: string) => a.call('GET', `/api/sync/pull?${query}`, { token });
      const { epoch } = PushResponse.parse((await push({ mutations: mutations(1, 2, ids) })).body);
      expect(epoch).toMatch(/\S/);
      // What a device really saw passes and keeps the epoch.
      const ok = await pull(`since=2&at=${ids[1]}`);
      expect(ok.status).toBe(200);
      expect(ok.body.epoch).toBe(epoch);
      expect(PushResponse.parse((await push({ mutations: mutations(3, 1, [ids[0]]), seen: { seq: 2, at: ids[1] } })).body).epoch).toBe(epoch);

      // A cursor past the newest seq: the log went back.
      const past = await pull('since=9');
      expect(past.status).toBe(409);
      expect(past.body.error.code).toBe('history-changed');
      const second = (await pull('since=0')).body.epoch;
      expect(second).not.toBe(epoch);
      // The record the device pulled at its cursor is no longer there (or only older): the same.
      expect((await pull(`since=3&at=${ids[1]}`)).status).toBe(409);
      expect((await pull(`since=1&at=${randomUUID()}`)).status).toBe(409);
      const third = (await pull('since=0')).body.epoch;
      expect(third).not.toBe(second);
      // A pull whose cursor passes but whose device was given a seq the log no longer holds: the same.
      expect((await pull(`since=0&pushed=3&pushedAt=${ids[0]}`)).status).toBe(200);
      expect((await pull(`since=0&pushed=9&pushedAt=${ids[0]}`)).status).toBe(409);
      expect((await pull(`since=0&pushed=3&pushedAt=${randomUUID()}`)).status).toBe(409);
      const fourth = (await pull('since=0')).body.epoch;
      // A push from such a device changes nothing but the epoch.
      const refused = await push({ mutations: mutations(4, 1), seen: { seq: 50, at: null } });
      expect(refused.status).toBe(409);
      expect((await pullAll(a, token)).map((c) => c.seq)).toEqual([2, 3]);
      expect((await pull('since=3')).body.epoch).not.toBe(fourth);
      expect(fourth).not.toBe(third);
    });

    it('a password change re-keys the account and revokes every other session', async () => {
      const a = api();
      const user = await a.register();
      const second = (await a.call('POST', '/api/auth/login', { json: { email: user.email, authKey: user.authKey } })).body.token;
      const change = { authKey: user.authKey, newAuthKey: b64(32), newKdf: kdf(), newWrappedAccountKey: wrappedKey() };
      const wrong = await a.call('POST', '/api/auth/password', { token: user.token, json: { ...change, authKey: b64(32) } });
      expect(wrong.status).toBe(401);
      expect(wrong.body.error.code).toBe('bad-credentials');
      expect((await a.call('GET', '/api/sync/pull', { token: second })).status).toBe(200);

      const r = await a.call('POST', '/api/auth/password', { token: user.token, json: change });
      expect(r.status).toBe(200);
      expect(r.body.token).not.toBe(user.token);
      for (const old of [user.token, second]) expect((await a.call('GET', '/api/sync/pull', { token: old })).status).toBe(401);
      expect((await a.call('GET', '/api/sync/pull', { token: r.body.token })).status).toBe(200);
      expect((await a.call('POST', '/api/auth/login', { json: { email: user.email, authKey: user.authKey } })).status).toBe(401);
      const login = await a.call('POST', '/api/auth/login', { json: { email: user.email, authKey: change.newAuthKey } });
      expect(login.status).toBe(200);
      expect(login.body).toMatchObject({ kdf: change.newKdf, wrappedAccountKey: change.newWrappedAccountKey });
    });

    it('deleting an account removes the user and all its rows, and nothing of others', async () => {
      const a = api();
      const victim = await a.register();
      const other = await a.register();
      for (const u of [victim, other]) {
        await a.call('POST', '/api/sync/push', { token: u.token, json: { clientId: randomUUID(), mutations: mutations(1, 4) } });
        await a.call('PUT', `/api/sync/chunks/${randomUUID()}/0`, { token: u.token, raw: new Uint8Array([1]) });
      }
      const count = async (userId: string) => {
        const out: Record<string, number> = {};
        for (const t of TABLES_WITH_USER) {
          out[t] = (await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${t} WHERE user_id = $1`, [userId]))[0].n;
        }
        out.users = (await db.query<{ n: number }>('SELECT count(*)::int AS n FROM users WHERE id = $1', [userId]))[0].n;
        return out;
      };
      expect(Object.values(await count(victim.userId)).every((n) => n > 0)).toBe(true);
      const otherBefore = await count(other.userId);

      expect((await a.call('POST', '/api/account/delete', { token: victim.token, json: { authKey: b64(32) } })).status).toBe(401);
      expect((await a.call('POST', '/api/account/delete', { token: victim.token, json: { authKey: victim.authKey } })).status).toBe(204);
      expect(await count(victim.userId)).toEqual({ sessions: 0, records: 0, client_states: 0, chunks: 0, pushes: 0, users: 0 });
      expect(await count(other.userId)).toEqual(otherBefore);
      expect((await a.call('GET', '/api/sync/pull', { token: victim.token })).status).toBe(401);
      expect((await a.call('POST', '/api/auth/login', { json: { email: victim.email, authKey: victim.authKey } })).status).toBe(401);
      // The email is free again.
      expect((await new Api(app).call('POST', '/api/auth/register', { json: { email: victim.email, authKey: b64(32), kdf: kdf(), wrappedAccountKey: wrappedKey() } })).status).toBe(201);
    });

    it('rate-limits register and login (per address, and failures per email and address), counted in the database', async () => {
      const a = api();
      for (let i = 0; i < 3; i++) await a.register();
      const blocked = await a.call('POST', '/api/auth/register', { json: { email: `${randomUUID()}@example.com`, authKey: b64(32), kdf: kdf(), wrappedAccountKey: wrappedKey() } });
      expect(blocked.status).toBe(429);
      expect(blocked.body.error.code).toBe('rate-limited');
      expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0);

      const b = api();
      const user = await b.register();
      // Failed logins per email and address (3): that address may not try this email any more,
      // not even with the right key; the owner elsewhere is unaffected (see limits.test.ts).
      const guesser = api();
      for (let i = 0; i < 3; i++) {
        expect((await guesser.call('POST', '/api/auth/login', { json: { email: user.email, authKey: b64(32) } })).status).toBe(401);
      }
      const perEmail = await guesser.call('POST', '/api/auth/login', { json: { email: user.email, authKey: user.authKey } });
      expect(perEmail.status).toBe(429);
      // Per address: 4 logins from one address, whatever the emails.
      const c = api();
      for (let i = 0; i < 4; i++) {
        expect((await c.call('POST', '/api/auth/login', { json: { email: `${randomUUID()}@example.com`, authKey: b64(32) } })).status).toBe(401);
      }
      expect((await c.call('POST', '/api/auth/login', { json: { email: `${randomUUID()}@example.com`, authKey: b64(32) } })).status).toBe(429);
      const [{ n }] = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM rate_limits');
      expect(n).toBeGreaterThan(0);
    });

    it('answers CORS only for the configured app origins', async () => {
      const a = api();
      const pre = await a.call('OPTIONS', '/api/sync/push', {
        headers: { Origin: 'http://127.0.0.1:4173', 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'authorization,content-type' },
      });
      expect(pre.status).toBe(204);
      expect(pre.headers.get('access-control-allow-origin')).toBe('http://127.0.0.1:4173');
      expect(pre.headers.get('access-control-allow-headers')?.toLowerCase()).toContain('authorization');
      const ok = await a.call('GET', '/api/health', { headers: { Origin: 'http://localhost:4173' } });
      expect(ok.headers.get('access-control-allow-origin')).toBe('http://localhost:4173');
      const evil = await a.call('GET', '/api/health', { headers: { Origin: 'https://evil.example' } });
      expect(evil.status).toBe(403);
      expect(evil.headers.get('access-control-allow-origin')).toBeNull();
    });

    it('fuzzed push bodies never cause a 500 and never corrupt state', async () => {
      const a = api();
      const { token, userId } = await a.register();
      const clients = [randomUUID(), randomUUID()];
      const records = [randomUUID(), randomUUID(), randomUUID()];
      const b64s = fc.uint8Array({ minLength: 1, maxLength: 24 }).map((u) => Buffer.from(u).toString('base64url'));
      const mutation = fc.record(
        {
          mutationId: fc.oneof(fc.integer({ min: -2, max: 40 }), fc.double(), fc.string(), fc.constant(Number.MAX_SAFE_INTEGER + 2)),
          recordId: fc.oneof(fc.constantFrom(...records), fc.string(), fc.uuid()),
          ciphertext: fc.oneof(b64s, fc.string(), fc.constant(''), fc.integer()),
        },
        { requiredKeys: [] },
      );
      const body = fc.oneof(
        fc.record({ clientId: fc.oneof(fc.constantFrom(...clients), fc.string()), mutations: fc.array(mutation, { maxLength: 6 }) }),
        fc.record({ clientId: fc.constantFrom(...clients), mutations: fc.uniqueArray(fc.integer({ min: 1, max: 40 }), { maxLength: 6 }).chain((idsArr) => fc.tuple(...idsArr.sort((x, y) => x - y).map((id) => fc.record({ mutationId: fc.constant(id), recordId: fc.constantFrom(...records), ciphertext: b64s })))) }),
        fc.jsonValue(),
        fc.string(),
      );
      let accepted = 0;
      await fc.assert(
        fc.asyncProperty(body, async (b) => {
          const r = await a.call('POST', '/api/sync/push', { token, json: typeof b === 'string' ? b : JSON.stringify(b) ?? 'null' });
          expect(r.status, JSON.stringify(r.body)).toBeLessThan(500);
          expect([200, 400]).toContain(r.status);
          if (r.status === 200) accepted++;
          else expect(typeof r.body.error.code).toBe('string');
        }),
        { numRuns: 150, seed: 1234 },
      );
      expect(accepted).toBeGreaterThan(5);
      // Invariants: seqs unique and at most last_seq; one row per record; states only for real clients.
      const [{ last_seq }] = await db.query<any>('SELECT last_seq FROM users WHERE id = $1', [userId]);
      const rows = await db.query<any>('SELECT record_id, seq FROM records WHERE user_id = $1', [userId]);
      const seqs = rows.map((r) => Number(r.seq));
      expect(new Set(seqs).size).toBe(seqs.length);
      expect(Math.max(0, ...seqs)).toBeLessThanOrEqual(Number(last_seq));
      expect(rows.every((r) => records.includes(r.record_id))).toBe(true);
      const states = await db.query<any>('SELECT client_id FROM client_states WHERE user_id = $1', [userId]);
      expect(states.every((s) => clients.includes(s.client_id))).toBe(true);
      expect((await pullAll(a, token)).length).toBe(rows.length);
    });

    it('migrations are idempotent and safe to run concurrently', async () => {
      const again = await Promise.all([migrate(db), migrate(db)]);
      expect(again).toEqual([[], []]);
      // PGlite has one connection (nothing runs concurrently there); PostgreSQL gets a fresh schema.
      if (database.name === 'pglite') return;
      const fresh = await database.open();
      try {
        const applied = await Promise.all([migrate(fresh.db), migrate(fresh.db), migrate(fresh.db)]);
        expect(applied.flat().sort((x, y) => x - y)).toEqual(MIGRATIONS.map((m) => m.version));
      } finally {
        await fresh.drop();
      }
    });
  });
}
