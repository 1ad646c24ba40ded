// After a restore from a backup (server/services/sync.ts): the server gives seqs again that
// devices have already seen. Each push gets a random mark, which the device sends back with what
// it last pulled or was given, so a seq given again (to another push, even for the same record) is
// told apart. Devices then reconcile, pushing "if absent" what the server lacked at their pull.
// On PGlite and (when TEST_DATABASE_URL is set) PostgreSQL.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Hono } from 'hono';
import { PullResponse, PushResponse } from '../../src/shared/sync/protocol';
import type { Db } from '../../server/db';
import { PUSH_MARKS_KEPT } from '../../server/services/sync';
import { Api, DATABASES, available, b64, testApp } from './helpers';

for (const database of DATABASES) {
  describe.skipIf(!available(database))(`push marks on ${database.name}`, () => {
    let db: Db;
    let drop: () => Promise<void>;
    let app: Hono<any>;

    beforeAll(async () => {
      ({ db, drop } = await database.open());
      ({ app } = await testApp(db));
    }, 600_000);
    afterAll(async () => drop?.());

    async function user() {
      const a = new Api(app);
      const { token, userId } = await a.register();
      const clientId = randomUUID();
      let next = 1;
      const push = async (recordIds: string[], seen?: object, extra: object = {}) => {
        const mutations = recordIds.map((recordId) => ({ mutationId: next++, recordId, ciphertext: b64(40), ...extra }));
        return a.call('POST', '/api/sync/push', { token, json: { clientId, mutations, ...(seen ? { seen } : {}) } });
      };
      const resend = (body: object) => a.call('POST', '/api/sync/push', { token, json: { clientId, ...body } });
      const pull = (query: string) => a.call('GET', `/api/sync/pull?${query}`, { token });
      return { userId, push, pull, resend };
    }

    it('a pull names the mark of the push that wrote its cursor; a device with that mark passes', async () => {
      const { push, pull } = await user();
      const [x, y] = [randomUUID(), randomUUID()];
      const first = PushResponse.parse((await push([x, y])).body);
      const second = PushResponse.parse((await push([x])).body);
      expect(first.mark).toMatch(/^[0-9a-f-]{36}$/);
      expect(second.mark).not.toBe(first.mark);
      const page = PullResponse.parse((await pull('since=0&limit=1')).body);
      expect(page).toMatchObject({ cursor: 2, mark: first.mark }); // y at seq 2 (x moved on to seq 3)
      expect(PullResponse.parse((await pull('since=2')).body)).toMatchObject({ cursor: 3, mark: second.mark });
      expect((await pull(`since=2&at=${y}&mark=${first.mark}&pushed=3&pushedAt=${x}&pushedMark=${second.mark}`)).status).toBe(200);
      expect((await push([y], { seq: 3, at: x, mark: second.mark })).status).toBe(200);
      expect(PullResponse.parse((await pull('since=4')).body).mark).toBeUndefined(); // no change: no mark
    });

    it('a seq given again after a restore, to the same record, is noticed by its mark: 409 history-changed', async () => {
      const { userId, push, pull } = await user();
      const conv = randomUUID();
      await push([conv]); // seq 1
      const [{ last_seq }] = await db.query<{ last_seq: string }>('SELECT last_seq FROM users WHERE id = $1', [userId]);
      const seen = PushResponse.parse((await push([conv])).body); // seq 2: a device pulls it, with its mark
      // The restore: the log goes back to seq 1; another device's push gets seq 2 for the same record.
      await db.query('DELETE FROM pushes WHERE user_id = $1 AND last_seq > $2', [userId, last_seq]);
      await db.query('UPDATE records SET seq = 1 WHERE user_id = $1', [userId]);
      await db.query('UPDATE users SET last_seq = $2 WHERE id = $1', [userId, last_seq]);
      const again = PushResponse.parse((await push([conv])).body);
      expect(again.results[0].seq).toBe(2);
      // The record id alone cannot tell (it is there, at seq 2); the mark can.
      expect((await pull(`since=2&at=${conv}`)).status).toBe(200);
      const r = await pull(`since=2&at=${conv}&mark=${seen.mark}`);
      expect(r.status).toBe(409);
      expect(r.body.error.code).toBe('history-changed');
      expect((await pull(`since=0&pushed=2&pushedAt=${conv}&pushedMark=${seen.mark}`)).status).toBe(409);
      expect((await push([conv], { seq: 2, at: conv, mark: seen.mark })).status).toBe(409);
      expect((await pull(`since=2&at=${conv}&mark=${again.mark}`)).status).toBe(200);
    });

    it(`keeps the newest ${PUSH_MARKS_KEPT} marks per user; an older cursor is checked by its record id`, async () => {
      const { userId, push, pull } = await user();
      const old = randomUUID();
      const first = PushResponse.parse((await push([old])).body); // seq 1
      // As if PUSH_MARKS_KEPT pushes had followed (seqs 2..): written directly, then one real push.
      await db.query(
        `INSERT INTO pushes (user_id, first_seq, last_seq, mark)
         SELECT $1, s, s, gen_random_uuid() FROM generate_series(2, $2::int) AS s`,
        [userId, PUSH_MARKS_KEPT + 1],
      );
      await db.query('UPDATE users SET last_seq = $2 WHERE id = $1', [userId, PUSH_MARKS_KEPT + 1]);
      await push([randomUUID()]);
      const [{ n, oldest }] = await db.query<{ n: number; oldest: string }>('SELECT count(*)::int AS n, min(last_seq) AS oldest FROM pushes WHERE user_id = $1', [userId]);
      expect(n).toBe(PUSH_MARKS_KEPT + 1); // the one just added, and the kept ones before it
      expect(Number(oldest)).toBe(2);
      await push([randomUUID()]);
      expect((await db.query<{ n: number }>('SELECT count(*)::int AS n FROM pushes WHERE user_id = $1', [userId]))[0].n).toBe(PUSH_MARKS_KEPT + 1);
      // Seq 1's mark is gone: a wrong mark passes on the record id, a record no longer there does not.
      expect((await pull(`since=1&at=${old}&mark=${randomUUID()}`)).status).toBe(200);
      expect((await pull(`since=1&at=${randomUUID()}&mark=${first.mark}`)).status).toBe(409);
    });

    it('a record pushed "if absent" that the server holds already refuses the whole push (409 conflict); a resend of an applied one passes', async () => {
      const { userId, push, pull, resend } = await user();
      const [held, fresh] = [randomUUID(), randomUUID()];
      await push([held]);
      const refused = await push([fresh, held], undefined, { ifAbsent: true });
      expect(refused.status).toBe(409);
      expect(refused.body.error.code).toBe('conflict');
      const stored = await db.query<{ record_id: string }>('SELECT record_id FROM records WHERE user_id = $1', [userId]);
      expect(stored.map((r) => r.record_id)).toEqual([held]); // nothing of it applied
      const body = { mutations: [{ mutationId: 10, recordId: fresh, ciphertext: b64(40), ifAbsent: true }] };
      expect(PushResponse.parse((await resend(body)).body).results).toEqual([{ mutationId: 10, seq: 2 }]);
      expect(PushResponse.parse((await resend(body)).body).results).toEqual([{ mutationId: 10, seq: null }]); // already applied
      expect(PullResponse.parse((await pull('since=0')).body).changes.map((c) => c.recordId)).toEqual([held, fresh]);
    });
  });
}
