#!/usr/bin/env node
// Static server for the built app (`dist/`), used by `npm start` and the end-to-end tests.
// Dependency-free (node:http). Every response is cross-origin isolated (COOP/COEP/CORP) so
// multithreaded WebAssembly works and carries a strict Content-Security-Policy, X-Frame-Options
// and Referrer-Policy; precompressed .br/.gz variants are sent per Accept-Encoding (Vary);
// supports HEAD, Range (206, identity bytes), ETag/304 and an SPA fallback.
//
//   node scripts/serve.mjs                 serves ./dist on http://127.0.0.1:4173/
//   PORT=4321 HOST=127.0.0.1 node scripts/serve.mjs
//   import { startServer } from './scripts/serve.mjs'; const s = await startServer({ root, port: 0 });
import http from 'node:http';
import { createReadStream, promises as fsp } from 'node:fs';
import { extname, join, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));
export const DEFAULT_ROOT = resolve(here, '..', 'dist');
export const DEFAULT_PORT = 4173;
export const DEFAULT_HOST = '127.0.0.1';

export const MIME_TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.webmanifest': 'application/manifest+json; charset=utf-8',
  '.wasm': 'application/wasm',
  '.onnx': 'application/octet-stream',
  '.bin': 'application/octet-stream',
  '.data': 'application/octet-stream',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
  '.md': 'text/markdown; charset=utf-8',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
};

const ISOLATION_HEADERS = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'X-Content-Type-Options': 'nosniff',
};

/**
 * Where the app may connect besides itself: the Hub URL and sync servers are set by the user in
 * the app, after this header was sent, so by default any HTTPS origin plus loopback HTTP (a local
 * Hub mirror or sync server). A deployment that knows its hosts lists them instead in
 * HEARTH_CONNECT_SRC (space-separated origins), e.g.
 * "https://huggingface.co https://*.hf.co https://sync.example.com".
 */
export const DEFAULT_CONNECT_SRC = 'https: http://localhost:* http://127.0.0.1:*';

/** The Content-Security-Policy: scripts only from the app (plus compiling WebAssembly), nothing inline. */
export function contentSecurityPolicy(connectSrc = process.env.HEARTH_CONNECT_SRC?.trim() || DEFAULT_CONNECT_SRC) {
  return [
    "default-src 'self'",
    "script-src 'self' 'wasm-unsafe-eval'",
    "style-src 'self'",
    "img-src 'self' data: blob:",
    "font-src 'self'",
    `connect-src 'self' ${connectSrc}`,
    "worker-src 'self'",
    "manifest-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/** Security headers on every response (README, "Deployment"). */
export function securityHeaders(connectSrc) {
  return {
    'Content-Security-Policy': contentSecurityPolicy(connectSrc),
    'X-Frame-Options': 'DENY',
    'Referrer-Policy': 'no-referrer',
  };
}

/** Precompressed variants written by the build (scripts/vite/compress.ts), best first. */
const ENCODINGS = [
  ['br', '.br'],
  ['gzip', '.gz'],
];
const COMPRESSIBLE_TYPES = /^(text\/|application\/(json|javascript|manifest\+json|wasm|octet-stream)|image\/svg)/;

/** The encodings a request's Accept-Encoding allows (q > 0), e.g. "gzip, br;q=0.5" -> {gzip, br}. */
export function acceptedEncodings(header) {
  const out = new Set();
  for (const part of String(header ?? '').split(',')) {
    const [name, ...params] = part.trim().toLowerCase().split(';');
    const q = params.map((p) => /^\s*q=([\d.]+)\s*$/.exec(p)?.[1]).find((v) => v !== undefined);
    if (name && (q === undefined || Number(q) > 0)) out.add(name);
  }
  if (out.has('*')) for (const [name] of ENCODINGS) out.add(name);
  return out;
}

const SERVICE_WORKER_NAMES = new Set(['/sw.js', '/service-worker.js', '/registerSW.js']);

/** Cache-Control for a URL path (already normalised, starts with '/'). */
export function cacheControlFor(urlPath) {
  if (urlPath.startsWith('/assets/')) return 'public, max-age=31536000, immutable';
  if (urlPath === '/' || urlPath.endsWith('.html') || SERVICE_WORKER_NAMES.has(urlPath) || urlPath.endsWith('.webmanifest')) {
    return 'no-cache';
  }
  if (urlPath.startsWith('/models/') || urlPath.startsWith('/ort/')) return 'public, max-age=3600';
  return 'public, max-age=300';
}

function etagFor(stat) {
  return `W/"${stat.size.toString(16)}-${Math.floor(stat.mtimeMs).toString(16)}"`;
}

/**
 * Parses a single-range `Range` header against a file of `size` bytes.
 * Returns null (ignore: serve the whole file), 'unsatisfiable', or { start, end } (inclusive).
 */
export function parseRange(header, size) {
  if (!header) return null;
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m) return null; // malformed or multi-range: ignore, send 200 with the whole body
  const [, a, b] = m;
  if (a === '' && b === '') return null;
  let start;
  let end;
  if (a === '') {
    const suffix = Number(b);
    if (suffix === 0) return 'unsatisfiable';
    start = Math.max(0, size - suffix);
    end = size - 1;
  } else {
    start = Number(a);
    end = b === '' ? size - 1 : Math.min(Number(b), size - 1);
    if (b !== '' && Number(b) < start) return null;
  }
  if (start >= size || size === 0) return 'unsatisfiable';
  return { start, end };
}

async function statFile(path) {
  try {
    const st = await fsp.stat(path);
    return st.isFile() ? st : null;
  } catch {
    return null;
  }
}

/** Creates the request handler serving `root`. */
export function createHandler(root, { connectSrc } = {}) {
  const absRoot = resolve(root);
  const security = securityHeaders(connectSrc);
  const rootPrefix = absRoot.endsWith(sep) ? absRoot : absRoot + sep;
  const indexFile = join(absRoot, 'index.html');

  return async function handle(req, res) {
    for (const [k, v] of Object.entries(ISOLATION_HEADERS)) res.setHeader(k, v);
    for (const [k, v] of Object.entries(security)) res.setHeader(k, v);

    const send = (status, body, type = 'text/plain; charset=utf-8') => {
      res.statusCode = status;
      res.setHeader('Content-Type', type);
      res.setHeader('Content-Length', Buffer.byteLength(body));
      res.setHeader('Cache-Control', 'no-store');
      res.end(req.method === 'HEAD' ? undefined : body);
    };

    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD');
      return send(405, 'Method Not Allowed\n');
    }

    let urlPath;
    try {
      const raw = (req.url ?? '/').split('?')[0].split('#')[0];
      urlPath = decodeURIComponent(raw);
    } catch {
      return send(400, 'Bad Request\n');
    }
    if (!urlPath.startsWith('/') || urlPath.includes('\0')) return send(400, 'Bad Request\n');
    // Resolve against the root and refuse anything that escapes it (../, encoded %2e%2e, backslashes).
    const normalised = urlPath.replace(/\\/g, '/');
    let filePath = resolve(absRoot, '.' + normalised);
    if (filePath !== absRoot && !filePath.startsWith(rootPrefix)) return send(403, 'Forbidden\n');
    // Hidden files and folders (.git, .env, ...) are never served.
    if (normalised.split('/').some((seg) => seg.startsWith('.') && seg.length > 0)) return send(404, 'Not Found\n');

    let cachePath = normalised;
    let stat = await statFile(filePath);
    if (!stat && (filePath === absRoot || normalised.endsWith('/'))) {
      filePath = join(filePath, 'index.html');
      stat = await statFile(filePath);
      cachePath = '/index.html';
    }
    if (!stat) {
      const last = normalised.split('/').pop() ?? '';
      if (extname(last) === '') {
        // SPA fallback: client-side routes get the app shell.
        filePath = indexFile;
        stat = await statFile(filePath);
        cachePath = '/index.html';
      }
      if (!stat) return send(404, 'Not Found\n');
    }

    const type = MIME_TYPES[extname(filePath).toLowerCase()] ?? 'application/octet-stream';
    // A precompressed variant when the browser accepts it. Range requests (model downloads
    // resuming) always get the identity bytes, so offsets and Content-Length mean the file itself.
    let encoding = null;
    if (COMPRESSIBLE_TYPES.test(type)) {
      res.setHeader('Vary', 'Accept-Encoding');
      const accepted = req.headers.range ? new Set() : acceptedEncodings(req.headers['accept-encoding']);
      for (const [name, ext] of ENCODINGS) {
        if (!accepted.has(name)) continue;
        const variant = await statFile(filePath + ext);
        if (variant) {
          encoding = name;
          filePath += ext;
          stat = variant;
          break;
        }
      }
    }
    const etag = encoding ? etagFor(stat).replace(/"$/, `-${encoding}"`) : etagFor(stat);
    if (encoding) res.setHeader('Content-Encoding', encoding);
    res.setHeader('Content-Type', type);
    res.setHeader('Cache-Control', cacheControlFor(cachePath));
    res.setHeader('ETag', etag);
    res.setHeader('Last-Modified', stat.mtime.toUTCString());
    res.setHeader('Accept-Ranges', encoding ? 'none' : 'bytes');

    const inm = req.headers['if-none-match'];
    if (inm && inm.split(',').some((t) => t.trim() === etag || t.trim() === '*')) {
      res.statusCode = 304;
      return res.end();
    }

    let start = 0;
    let end = stat.size - 1;
    res.statusCode = 200;
    const ifRange = req.headers['if-range'];
    const rangeApplies = !ifRange || ifRange === etag;
    const range = rangeApplies && !encoding ? parseRange(req.headers.range, stat.size) : null;
    if (range === 'unsatisfiable') {
      res.statusCode = 416;
      res.setHeader('Content-Range', `bytes */${stat.size}`);
      res.setHeader('Content-Length', 0);
      return res.end();
    }
    if (range) {
      ({ start, end } = range);
      res.statusCode = 206;
      res.setHeader('Content-Range', `bytes ${start}-${end}/${stat.size}`);
    }
    const length = stat.size === 0 ? 0 : end - start + 1;
    res.setHeader('Content-Length', length);
    if (req.method === 'HEAD' || length === 0) return res.end();

    const stream = createReadStream(filePath, { start, end });
    stream.on('error', () => res.destroy());
    res.on('close', () => stream.destroy());
    stream.pipe(res);
  };
}

/**
 * Starts the server. Resolves with { server, url, port, close() } once listening; rejects with
 * a clear Error (code EADDRINUSE) when the port is taken. `port: 0` picks a free port.
 */
export function startServer({ root = DEFAULT_ROOT, port = DEFAULT_PORT, host = DEFAULT_HOST, connectSrc } = {}) {
  const handler = createHandler(root, { connectSrc });
  const server = http.createServer((req, res) => {
    handler(req, res).catch((err) => {
      if (!res.headersSent) {
        res.statusCode = 500;
        res.end('Internal Server Error\n');
      } else res.destroy(err);
    });
  });
  server.keepAliveTimeout = 5_000;
  const sockets = new Set();
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  return new Promise((resolvePromise, reject) => {
    const onError = (err) => {
      if (err.code === 'EADDRINUSE') {
        const e = new Error(`Port ${port} on ${host} is already in use. Stop the other process or choose another port, e.g. PORT=${Number(port) + 1} npm start`);
        e.code = 'EADDRINUSE';
        reject(e);
      } else reject(err);
    };
    server.once('error', onError);
    server.listen(Number(port), host, () => {
      server.off('error', onError);
      const actual = server.address().port;
      const urlHost = host.includes(':') ? `[${host}]` : host;
      resolvePromise({
        server,
        port: actual,
        url: `http://${urlHost}:${actual}/`,
        close: () =>
          new Promise((done) => {
            server.close(() => done());
            for (const s of sockets) s.destroy();
          }),
      });
    });
  });
}

async function main() {
  const root = resolve(process.env.HEARTH_DIST ?? DEFAULT_ROOT);
  const port = process.env.PORT ? Number(process.env.PORT) : DEFAULT_PORT;
  const host = process.env.HOST ?? DEFAULT_HOST;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`Invalid PORT "${process.env.PORT}": expected a number between 0 and 65535.`);
    process.exit(1);
  }
  try {
    await fsp.access(join(root, 'index.html'));
  } catch {
    console.error(`No build found: ${join(root, 'index.html')} is missing. Run "npm run build" first (npm start does this for you).`);
    process.exit(1);
  }
  let running;
  try {
    running = await startServer({ root, port, host });
  } catch (err) {
    console.error(`Could not start Hearth: ${err.message}`);
    process.exit(1);
  }
  console.log(`Hearth is running at ${running.url}`);
  let stopping = false;
  const stop = (signal) => {
    if (stopping) return;
    stopping = true;
    console.log(`\nReceived ${signal}, shutting down.`);
    const force = setTimeout(() => process.exit(0), 3_000);
    force.unref();
    running.close().then(() => process.exit(0));
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  await main();
}
