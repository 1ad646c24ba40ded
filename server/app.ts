// The HTTP API (Hono). Routes are thin: validate with the shared zod schemas, call a service,
// answer. Every error is `{error: {code, message}}`.
import { Hono, type Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { cors } from 'hono/cors';
import { getConnInfo } from '@hono/node-server/conninfo';
import type { z } from 'zod';
import {
  API_PATHS,
  AuthParamsRequest,
  ChangePasswordRequest,
  ChunkParams,
  DeleteAccountRequest,
  LoginRequest,
  MAX_AUTH_BODY_BYTES,
  MAX_CHUNK_BYTES,
  MAX_JSON_BODY_BYTES,
  PROTOCOL_VERSION,
  PullQuery,
  PushRequest,
  RegisterRequest,
  type HealthResponse,
} from '../src/shared/sync/protocol';
import type { ServerConfig } from './config';
import type { Db } from './db';
import { ApiError, busyDatabase, errorBody } from './errors';
import type { AccountService } from './services/accounts';
import type { ChunkService } from './services/chunks';
import type { MaintenanceService } from './services/maintenance';
import type { SyncService } from './services/sync';

export interface Services {
  db: Db;
  accounts: AccountService;
  sync: SyncService;
  chunks: ChunkService;
  maintenance: MaintenanceService;
  version: string;
}

type Env = { Variables: { userId: string; token: string } };

async function parseJson<S extends z.ZodType>(c: Context, schema: S): Promise<z.output<S>> {
  let body: unknown;
  try {
    body = await c.req.json();
  } catch {
    throw new ApiError('invalid-body', 'The body is not valid JSON.');
  }
  return parseWith(schema, body, 'invalid-body');
}

function parseWith<S extends z.ZodType>(schema: S, value: unknown, code: 'invalid-body' | 'not-found'): z.output<S> {
  const result = schema.safeParse(value);
  if (!result.success) {
    const detail = result.error.issues
      .slice(0, 3)
      .map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`)
      .join('; ');
    throw new ApiError(code, `Invalid request: ${detail}`);
  }
  return result.data;
}

function bearer(c: Context): string | undefined {
  const m = /^Bearer (\S+)$/.exec(c.req.header('authorization') ?? '');
  return m?.[1];
}

const tooLarge = (limit: number) =>
  bodyLimit({
    maxSize: limit,
    onError: (c) => c.json(errorBody('payload-too-large', `The body is larger than ${limit} bytes.`), 413),
  });

export function createApp(config: ServerConfig, services: Services): Hono<Env> {
  const { accounts, sync, chunks } = services;
  const app = new Hono<Env>();
  const allowed = new Set(config.allowedOrigins);

  // Behind N trusted proxies, each appends the address it received from to X-Forwarded-For: the
  // client's true address is N entries from the right. Entries further left are whatever the
  // client wrote, so they are never used.
  const clientAddress = (c: Context): string => {
    if (config.trustProxy > 0) {
      const hops = (c.req.header('x-forwarded-for') ?? '').split(',').map((s) => s.trim()).filter(Boolean);
      const forwarded = hops[Math.max(0, hops.length - config.trustProxy)];
      if (forwarded) return forwarded;
    }
    try {
      return getConnInfo(c).remote.address ?? 'unknown';
    } catch {
      return 'unknown'; // not served by @hono/node-server (in-process requests in tests)
    }
  };

  app.onError((err, c) => {
    err = busyDatabase(err) ?? err;
    if (err instanceof ApiError) {
      if (err.retryAfter !== undefined) c.header('Retry-After', String(err.retryAfter));
      return c.json(errorBody(err.code, err.message), err.status as 400);
    }
    console.error('[server] internal error:', err);
    return c.json(errorBody('internal', 'Internal server error.'), 500);
  });
  app.notFound((c) => c.json(errorBody('not-found', 'No such route.'), 404));

  // Browsers: only the app's own origins (no CORS headers for others, and their requests are refused).
  app.use('/api/*', async (c, next) => {
    const origin = c.req.header('origin');
    if (origin && !allowed.has(origin)) throw new ApiError('forbidden', `Origin ${origin} is not allowed.`);
    await next();
  });
  app.use(
    '/api/*',
    cors({
      origin: (origin) => (allowed.has(origin) ? origin : null),
      allowMethods: ['GET', 'POST', 'PUT', 'DELETE'],
      allowHeaders: ['Authorization', 'Content-Type'],
      exposeHeaders: ['Retry-After'],
      maxAge: 600,
    }),
  );

  const authed = async (c: Context<Env>, next: () => Promise<void>) => {
    const token = bearer(c);
    c.set('userId', await accounts.authenticate(token));
    c.set('token', token!);
    await next();
  };
  const json = tooLarge(MAX_JSON_BODY_BYTES);
  /** The auth routes carry a few hundred bytes: nobody gets to make them buffer megabytes. */
  const authJson = tooLarge(MAX_AUTH_BODY_BYTES);

  app.get(API_PATHS.health, async (c) => {
    try {
      await services.db.query('SELECT 1');
    } catch {
      return c.json(errorBody('unavailable', 'The database is not reachable.'), 503);
    }
    const body: HealthResponse = { ok: true, version: services.version, protocol: PROTOCOL_VERSION, database: services.db.kind };
    return c.json(body);
  });

  app.post(API_PATHS.authParams, authJson, async (c) => c.json(await accounts.authParams((await parseJson(c, AuthParamsRequest)).email)));
  app.post(API_PATHS.register, authJson, async (c) => c.json(await accounts.register(await parseJson(c, RegisterRequest), clientAddress(c)), 201));
  app.post(API_PATHS.login, authJson, async (c) => c.json(await accounts.login(await parseJson(c, LoginRequest), clientAddress(c))));
  app.post(API_PATHS.logout, authed, async (c) => {
    await accounts.logout(c.get('token'));
    return c.body(null, 204);
  });
  app.post(API_PATHS.password, authJson, authed, async (c) =>
    c.json(await accounts.changePassword(c.get('userId'), await parseJson(c, ChangePasswordRequest))),
  );
  app.post(API_PATHS.deleteAccount, authJson, authed, async (c) => {
    await accounts.deleteAccount(c.get('userId'), await parseJson(c, DeleteAccountRequest));
    return c.body(null, 204);
  });

  app.post(API_PATHS.push, json, authed, async (c) => c.json(await sync.push(c.get('userId'), await parseJson(c, PushRequest))));
  app.get(API_PATHS.pull, authed, async (c) => c.json(await sync.pull(c.get('userId'), parseWith(PullQuery, c.req.query(), 'invalid-body'))));

  const chunkRoute = `${API_PATHS.chunks}/:attachmentId/:index`;
  app.put(chunkRoute, tooLarge(MAX_CHUNK_BYTES), authed, async (c) => {
    const p = parseWith(ChunkParams, c.req.param(), 'not-found');
    const data = new Uint8Array(await c.req.arrayBuffer());
    if (data.byteLength > MAX_CHUNK_BYTES) throw new ApiError('payload-too-large', `A chunk is at most ${MAX_CHUNK_BYTES} bytes.`);
    await chunks.put(c.get('userId'), p.attachmentId, p.index!, data);
    return c.body(null, 204);
  });
  app.get(chunkRoute, authed, async (c) => {
    const p = parseWith(ChunkParams, c.req.param(), 'not-found');
    const data = await chunks.get(c.get('userId'), p.attachmentId, p.index!);
    return c.body(data as Uint8Array<ArrayBuffer>, 200, { 'Content-Type': 'application/octet-stream', 'Cache-Control': 'no-store' });
  });
  app.delete(`${API_PATHS.chunks}/:attachmentId`, authed, async (c) => {
    const p = parseWith(ChunkParams, c.req.param(), 'not-found');
    await chunks.deleteAttachment(c.get('userId'), p.attachmentId);
    return c.body(null, 204);
  });

  return app;
}
