// An in-memory sync server for the client's unit tests, speaking the protocol of
// src/shared/sync/protocol.ts (requests and answers checked with its zod schemas) as a `fetch`
// function, so the real HTTP transport is exercised. Tests reach into its state to tamper with
// what it stores and can make it fail: `down` (the network is gone), `loseAnswers` (the server
// applies a push but the answer never arrives).
import {
  API_PATHS,
  AuthParamsRequest,
  ChangePasswordRequest,
  DEFAULT_KDF_PARAMS,
  DeleteAccountRequest,
  LoginRequest,
  PullQuery,
  PullResponse,
  PushRequest,
  PushResponse,
  RegisterRequest,
  type KdfParams,
  type WrappedKey,
} from '../../src/shared/sync/protocol';

interface Account {
  userId: string;
  email: string;
  authKey: string;
  kdf: KdfParams;
  wrappedAccountKey: WrappedKey;
}

export interface StoredRecord {
  seq: number;
  recordId: string;
  ciphertext: string;
  receivedAt: number;
}

export class FakeSyncServer {
  accounts = new Map<string, Account>();
  sessions = new Map<string, string>();
  /** Per user: record id -> newest version. */
  records = new Map<string, Map<string, StoredRecord>>();
  /** Per user: `${attachmentId}/${index}` -> bytes. */
  chunks = new Map<string, Map<string, Uint8Array>>();
  lastMutation = new Map<string, number>();
  seq = 0;
  down = false;
  /** Answer pushes with 503 (the server is up but cannot take changes). */
  rejectPushes = false;
  loseAnswers = 0;
  /** Every push body received, in order. */
  pushes: Array<{ clientId: string; mutations: Array<{ mutationId: number; recordId: string; ciphertext: string }> }> = [];

  readonly fetch = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    if (this.down) throw new TypeError('Failed to fetch');
    const req = new Request(input, init);
    const url = new URL(req.url);
    try {
      const res = await this.route(req, url);
      if (this.loseAnswers > 0 && url.pathname === API_PATHS.push) {
        this.loseAnswers--;
        throw new TypeError('Failed to fetch (answer lost)');
      }
      return res;
    } catch (e) {
      if (e instanceof Response) return e;
      throw e;
    }
  };

  userRecords(userId: string): Map<string, StoredRecord> {
    let m = this.records.get(userId);
    if (!m) this.records.set(userId, (m = new Map()));
    return m;
  }

  userChunks(userId: string): Map<string, Uint8Array> {
    let m = this.chunks.get(userId);
    if (!m) this.chunks.set(userId, (m = new Map()));
    return m;
  }

  /** The only user's id (most tests have one account). */
  get onlyUser(): string {
    return [...this.accounts.values()][0].userId;
  }

  private async route(req: Request, url: URL): Promise<Response> {
    const p = url.pathname;
    const body = async <T>(schema: { safeParse(v: unknown): { success: boolean; data?: T } }): Promise<T> => {
      const r = schema.safeParse(await req.json());
      if (!r.success) throw error(400, 'invalid-body', 'Invalid request');
      return r.data as T;
    };
    if (p === API_PATHS.authParams) {
      const { email } = await body(AuthParamsRequest);
      const kdf = this.accounts.get(email)?.kdf ?? { algorithm: 'argon2id', salt: 'AAAAAAAAAAAAAAAAAAAAAA', ...DEFAULT_KDF_PARAMS, version: 1 };
      return json({ kdf });
    }
    if (p === API_PATHS.register) {
      const b = await body(RegisterRequest);
      if (this.accounts.has(b.email)) throw error(409, 'email-taken', 'taken');
      const userId = crypto.randomUUID();
      this.accounts.set(b.email, { userId, email: b.email, authKey: b.authKey, kdf: b.kdf, wrappedAccountKey: b.wrappedAccountKey });
      return json(this.session(userId), 201);
    }
    if (p === API_PATHS.login) {
      const b = await body(LoginRequest);
      const a = this.accounts.get(b.email);
      if (!a || a.authKey !== b.authKey) throw error(401, 'bad-credentials', 'no');
      return json({ ...this.session(a.userId), kdf: a.kdf, wrappedAccountKey: a.wrappedAccountKey });
    }
    const token = /^Bearer (\S+)$/.exec(req.headers.get('authorization') ?? '')?.[1];
    const userId = token ? this.sessions.get(token) : undefined;
    if (!userId || !token) throw error(401, 'unauthorized', 'no session');
    const account = [...this.accounts.values()].find((a) => a.userId === userId)!;
    if (p === API_PATHS.logout) {
      this.sessions.delete(token);
      return new Response(null, { status: 204 });
    }
    if (p === API_PATHS.password) {
      const b = await body(ChangePasswordRequest);
      if (b.authKey !== account.authKey) throw error(401, 'bad-credentials', 'no');
      Object.assign(account, { authKey: b.newAuthKey, kdf: b.newKdf, wrappedAccountKey: b.newWrappedAccountKey });
      for (const [t, u] of this.sessions) if (u === userId) this.sessions.delete(t);
      return json(this.session(userId));
    }
    if (p === API_PATHS.deleteAccount) {
      const b = await body(DeleteAccountRequest);
      if (b.authKey !== account.authKey) throw error(401, 'bad-credentials', 'no');
      this.accounts.delete(account.email);
      this.records.delete(userId);
      this.chunks.delete(userId);
      for (const [t, u] of this.sessions) if (u === userId) this.sessions.delete(t);
      return new Response(null, { status: 204 });
    }
    if (p === API_PATHS.push) {
      if (this.rejectPushes) throw error(503, 'unavailable', 'read-only for a moment');
      const b = await body(PushRequest);
      this.pushes.push(structuredClone(b));
      const key = `${userId}:${b.clientId}`;
      let last = this.lastMutation.get(key) ?? 0;
      const recs = this.userRecords(userId);
      const results = b.mutations.map((m) => {
        if (m.mutationId <= last) return { mutationId: m.mutationId, seq: null };
        last = m.mutationId;
        const seq = ++this.seq;
        recs.set(m.recordId, { seq, recordId: m.recordId, ciphertext: m.ciphertext, receivedAt: Date.now() });
        return { mutationId: m.mutationId, seq };
      });
      this.lastMutation.set(key, last);
      return json(PushResponse.parse({ lastMutationId: last, results }));
    }
    if (p === API_PATHS.pull) {
      const q = PullQuery.parse(Object.fromEntries(url.searchParams));
      const all = [...this.userRecords(userId).values()].filter((r) => r.seq > q.since).sort((a, b) => a.seq - b.seq);
      const changes = all.slice(0, q.limit);
      const cursor = changes.length ? changes[changes.length - 1].seq : q.since;
      return json(PullResponse.parse({ changes, cursor, hasMore: all.length > changes.length }));
    }
    const chunk = /^\/api\/sync\/chunks\/([0-9a-f-]{36})(?:\/(\d+))?$/.exec(p);
    if (chunk) {
      const store = this.userChunks(userId);
      const [, id, index] = chunk;
      if (req.method === 'PUT') {
        store.set(`${id}/${index}`, new Uint8Array(await req.arrayBuffer()));
        return new Response(null, { status: 204 });
      }
      if (req.method === 'GET') {
        const bytes = store.get(`${id}/${index}`);
        if (!bytes) throw error(404, 'not-found', 'no such chunk');
        return new Response(bytes as BodyInit, { headers: { 'content-type': 'application/octet-stream' } });
      }
      if (req.method === 'DELETE') {
        for (const k of [...store.keys()]) if (k.startsWith(`${id}/`)) store.delete(k);
        return new Response(null, { status: 204 });
      }
    }
    throw error(404, 'not-found', 'no route');
  }

  private session(userId: string) {
    const token = crypto.randomUUID();
    this.sessions.set(token, userId);
    return { token, userId, expiresAt: Date.now() + 86_400_000 };
  }
}

function json(value: unknown, status = 200): Response {
  return new Response(JSON.stringify(value), { status, headers: { 'content-type': 'application/json' } });
}

function error(status: number, code: string, message: string): Response {
  return json({ error: { code, message } }, status);
}
