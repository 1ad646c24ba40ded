// The sync protocol over fetch (src/shared/sync/protocol.ts). Every answer is checked with the
// protocol's zod schemas; every failure comes back as data `{code, message, retryable}`, never as
// a thrown exception: offline, unreachable, timeouts, server errors, and answers that do not
// follow the protocol.
import '../shared/zodConfig';
import type { z } from 'zod';
import {
  API_PATHS,
  AuthParamsResponse,
  chunkPath,
  ErrorResponse,
  LoginResponse,
  MAX_CHUNK_BYTES,
  PullResponse,
  PushResponse,
  SessionResponse,
  type ChangePasswordRequest,
  type DeleteAccountRequest,
  type LoginRequest,
  type PushRequest,
  type RegisterRequest,
} from '../shared/sync/protocol';
import type { SyncErrorCode, SyncErrorData } from './errors';

export type Result<T> = { ok: true; value: T } | { ok: false; error: SyncErrorData };

/** A record id the device saw at a seq and the mark of the push that wrote it (null when unknown). */
export type Seen = { at: string | null; mark?: string | null };

export interface SyncTransport {
  authParams(email: string): Promise<Result<AuthParamsResponse>>;
  register(body: RegisterRequest): Promise<Result<SessionResponse>>;
  login(body: LoginRequest): Promise<Result<LoginResponse>>;
  logout(): Promise<Result<void>>;
  changePassword(body: ChangePasswordRequest): Promise<Result<SessionResponse>>;
  deleteAccount(body: DeleteAccountRequest): Promise<Result<void>>;
  push(body: PushRequest): Promise<Result<PushResponse>>;
  /** `seen`: the record pulled at `since` and its push's mark (the server checks it still holds them; see PullQuery). */
  pull(since: number, limit: number, seen?: Seen, pushed?: Seen & { seq: number }): Promise<Result<PullResponse>>;
  putChunk(attachmentId: string, index: number, bytes: Uint8Array): Promise<Result<void>>;
  getChunk(attachmentId: string, index: number): Promise<Result<Uint8Array>>;
  deleteChunks(attachmentId: string): Promise<Result<void>>;
}

export interface HttpTransportOptions {
  serverUrl: string;
  /** The session token, read at each call. */
  token?: () => string | null | undefined;
  fetch?: typeof fetch;
  timeoutMs?: number;
}

const fail = (code: SyncErrorCode, message: string, retryable: boolean): Result<never> => ({ ok: false, error: { code, message, retryable } });

/** A server URL the app accepts: http(s), no credentials, no query; returned without a trailing slash. */
export function normalizeServerUrl(input: string): string | null {
  let url: URL;
  try {
    url = new URL(input.trim());
  } catch {
    return null;
  }
  if ((url.protocol !== 'https:' && url.protocol !== 'http:') || url.username || url.password || url.search || url.hash) return null;
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}

const SERVER_CODES: Record<string, { code: SyncErrorCode; message?: string; retryable: boolean }> = {
  unauthorized: { code: 'unauthorized', message: 'Your sync session has ended. Sign in again.', retryable: false },
  'bad-credentials': { code: 'bad-credentials', message: 'Wrong email or password.', retryable: false },
  'email-taken': { code: 'email-taken', message: 'An account with this email already exists. Sign in instead.', retryable: false },
  'rate-limited': { code: 'rate-limited', message: 'The sync server asks to slow down; will retry.', retryable: true },
  'history-changed': { code: 'history-changed', message: 'The sync server was restored from a backup; this device reconciles with it.', retryable: true },
  'missing-chunks': { code: 'missing-chunks', message: 'The sync server lost some attachment data; this device uploads it again.', retryable: true },
  conflict: { code: 'conflict', message: 'Another device changed these conversations meanwhile; this device compares them again.', retryable: true },
  'quota-exceeded': {
    code: 'quota-exceeded',
    message:
      'Your sync account is full: the server refused new changes. They stay on this device. Delete conversations or attachments you no longer need, or ask the server’s operator for more room.',
    retryable: false,
  },
};

export function httpTransport(opts: HttpTransportOptions): SyncTransport {
  const base = normalizeServerUrl(opts.serverUrl);
  const doFetch = opts.fetch ?? ((input: RequestInfo | URL, init?: RequestInit) => fetch(input, init));
  const timeoutMs = opts.timeoutMs ?? 30_000;

  async function call(method: string, path: string, body?: unknown, raw?: Uint8Array): Promise<Result<Response>> {
    if (!base) return fail('invalid', 'The sync server URL is not a valid http(s) address.', false);
    const headers: Record<string, string> = {};
    const token = opts.token?.();
    if (token) headers.authorization = `Bearer ${token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (raw) headers['content-type'] = 'application/octet-stream';
    let res: Response;
    try {
      res = await doFetch(base + path, {
        method,
        headers,
        body: raw ? (raw as BodyInit) : body !== undefined ? JSON.stringify(body) : undefined,
        signal: AbortSignal.timeout(timeoutMs),
        credentials: 'omit',
        cache: 'no-store',
      });
    } catch (e) {
      if (typeof navigator !== 'undefined' && navigator.onLine === false) return fail('offline', 'Offline, will retry.', true);
      const timedOut = (e as { name?: string })?.name === 'TimeoutError';
      return fail('network', timedOut ? 'The sync server did not answer in time; will retry.' : `Cannot reach the sync server at ${base}; will retry.`, true);
    }
    if (res.ok) return { ok: true, value: res };
    let server: { code: string; message: string } | undefined;
    try {
      const parsed = ErrorResponse.safeParse(await res.json());
      if (parsed.success) server = parsed.data.error;
    } catch {
      /* not JSON: a proxy's page */
    }
    const known = server && SERVER_CODES[server.code];
    if (known) return fail(known.code, known.message ?? server!.message, known.retryable);
    if (res.status === 401) return fail('unauthorized', SERVER_CODES.unauthorized.message!, false);
    if (res.status >= 500 || res.status === 429 || res.status === 408) {
      return fail('server', `The sync server had a problem (${res.status}${server ? `: ${server.message}` : ''}); will retry.`, true);
    }
    return fail('invalid', `The sync server refused the request (${res.status}${server ? `: ${server.message}` : ''}).`, false);
  }

  async function json<S extends z.ZodType>(schema: S, method: string, path: string, body?: unknown): Promise<Result<z.output<S>>> {
    const r = await call(method, path, body);
    if (!r.ok) return r;
    let data: unknown;
    try {
      data = await r.value.json();
    } catch {
      data = undefined;
    }
    const parsed = schema.safeParse(data);
    if (!parsed.success) return fail('server', 'The sync server sent an answer this app does not understand.', false);
    return { ok: true, value: parsed.data };
  }

  async function empty(method: string, path: string, body?: unknown, raw?: Uint8Array): Promise<Result<void>> {
    const r = await call(method, path, body, raw);
    if (!r.ok) return r;
    await r.value.body?.cancel().catch(() => undefined);
    return { ok: true, value: undefined };
  }

  return {
    authParams: (email) => json(AuthParamsResponse, 'POST', API_PATHS.authParams, { email }),
    register: (body) => json(SessionResponse, 'POST', API_PATHS.register, body),
    login: (body) => json(LoginResponse, 'POST', API_PATHS.login, body),
    logout: () => empty('POST', API_PATHS.logout),
    changePassword: (body) => json(SessionResponse, 'POST', API_PATHS.password, body),
    deleteAccount: (body) => empty('POST', API_PATHS.deleteAccount, body),
    push: (body) => json(PushResponse, 'POST', API_PATHS.push, body),
    pull(since, limit, seen, pushed) {
      const q = new URLSearchParams({ since: String(since), limit: String(limit) });
      if (seen?.at) q.set('at', seen.at);
      if (seen?.mark) q.set('mark', seen.mark);
      if (pushed?.seq) {
        q.set('pushed', String(pushed.seq));
        if (pushed.at) q.set('pushedAt', pushed.at);
        if (pushed.mark) q.set('pushedMark', pushed.mark);
      }
      return json(PullResponse, 'GET', `${API_PATHS.pull}?${q}`);
    },
    putChunk: (attachmentId, index, bytes) => empty('PUT', chunkPath(attachmentId, index), undefined, bytes),
    deleteChunks: (attachmentId) => empty('DELETE', chunkPath(attachmentId)),
    async getChunk(attachmentId, index) {
      const r = await call('GET', chunkPath(attachmentId, index));
      if (!r.ok) return r;
      const bytes = new Uint8Array(await r.value.arrayBuffer());
      if (bytes.length > MAX_CHUNK_BYTES) return fail('refused', `Refused chunk ${index} of attachment ${attachmentId}: it is too large.`, false);
      return { ok: true, value: bytes };
    },
  };
}
