// scripts/serve.mjs: the static server behind `npm start` and the end-to-end tests.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import http from 'node:http';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { acceptedEncodings, parseRange, startServer } from '../../scripts/serve.mjs';
import { precompressDir } from '../../scripts/vite/compress';

interface Running {
  url: string;
  port: number;
  close(): Promise<void>;
}

let root: string;
const BIG_JS = 'export const words = ' + JSON.stringify(Array.from({ length: 400 }, (_, i) => `word-${i % 20}`)) + ';\n';
const BIG_ONNX = Buffer.from(Array.from({ length: 4096 }, (_, i) => (i % 64 < 32 ? 0 : i % 7)));
let server: Running;

/** Raw GET/HEAD (fetch would normalise `..` out of the path). */
function request(path: string, { method = 'GET', headers = {} as Record<string, string> } = {}) {
  return new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }>((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: server.port, path, method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}

beforeAll(async () => {
  const base = mkdtempSync(join(tmpdir(), 'hearth-serve-'));
  root = join(base, 'dist');
  for (const d of ['assets', 'models/tiny/onnx', 'ort']) mkdirSync(join(root, d), { recursive: true });
  writeFileSync(join(root, 'index.html'), '<!doctype html><title>Hearth</title>');
  writeFileSync(join(root, 'assets/index-abc123.js'), 'console.log(1)');
  writeFileSync(join(root, 'models/tiny/config.json'), '{"a":1}');
  writeFileSync(join(root, 'models/tiny/onnx/model.onnx'), Buffer.from(Array.from({ length: 100 }, (_, i) => i)));
  writeFileSync(join(root, 'ort/x.wasm'), Buffer.from([0, 97, 115, 109]));
  writeFileSync(join(root, 'ort/x.mjs'), 'export {}');
  writeFileSync(join(root, 'manifest.webmanifest'), '{}');
  writeFileSync(join(root, 'icon.svg'), '<svg/>');
  writeFileSync(join(root, '.secret'), 'no');
  // Compressible files big enough to compress (the build precompresses them).
  writeFileSync(join(root, 'assets/app-1.js'), BIG_JS);
  writeFileSync(join(root, 'models/tiny/onnx/big.onnx'), BIG_ONNX);
  writeFileSync(join(base, 'outside.txt'), 'outside');
  const { files } = await precompressDir(root);
  expect(files).toBeGreaterThanOrEqual(4); // .br and .gz of both (too-small files are skipped)
  server = await startServer({ root, port: 0, host: '127.0.0.1' });
});

afterAll(async () => {
  await server?.close();
  rmSync(join(root, '..'), { recursive: true, force: true });
});

describe('serve.mjs', () => {
  it('serves files with their MIME type and cross-origin isolation headers', async () => {
    const cases: Array<[string, RegExp]> = [
      ['/', /^text\/html/],
      ['/assets/index-abc123.js', /^text\/javascript/],
      ['/ort/x.mjs', /^text\/javascript/],
      ['/ort/x.wasm', /^application\/wasm$/],
      ['/models/tiny/onnx/model.onnx', /^application\/octet-stream$/],
      ['/models/tiny/config.json', /^application\/json/],
      ['/manifest.webmanifest', /^application\/manifest\+json/],
      ['/icon.svg', /^image\/svg\+xml$/],
    ];
    for (const [path, type] of cases) {
      const res = await request(path);
      expect(res.status, path).toBe(200);
      expect(res.headers['content-type'], path).toMatch(type);
      expect(res.headers['cross-origin-opener-policy']).toBe('same-origin');
      expect(res.headers['cross-origin-embedder-policy']).toBe('require-corp');
      expect(res.headers['cross-origin-resource-policy']).toBe('same-origin');
    }
  });

  it('caches hashed assets forever, the app shell never, models with an ETag', async () => {
    expect((await request('/assets/index-abc123.js')).headers['cache-control']).toMatch(/immutable/);
    expect((await request('/')).headers['cache-control']).toBe('no-cache');
    expect((await request('/index.html')).headers['cache-control']).toBe('no-cache');
    const model = await request('/models/tiny/onnx/model.onnx');
    expect(model.headers['cache-control']).toMatch(/max-age=\d+/);
    const etag = model.headers.etag as string;
    expect(etag).toBeTruthy();
    const again = await request('/models/tiny/onnx/model.onnx', { headers: { 'If-None-Match': etag } });
    expect(again.status).toBe(304);
    expect(again.body.length).toBe(0);
  });

  it('answers Range requests with 206 and HEAD without a body', async () => {
    const part = await request('/models/tiny/onnx/model.onnx', { headers: { Range: 'bytes=10-19' } });
    expect(part.status).toBe(206);
    expect(part.headers['content-range']).toBe('bytes 10-19/100');
    expect([...part.body]).toEqual([10, 11, 12, 13, 14, 15, 16, 17, 18, 19]);
    const tail = await request('/models/tiny/onnx/model.onnx', { headers: { Range: 'bytes=-5' } });
    expect([...tail.body]).toEqual([95, 96, 97, 98, 99]);
    const bad = await request('/models/tiny/onnx/model.onnx', { headers: { Range: 'bytes=500-' } });
    expect(bad.status).toBe(416);
    const head = await request('/models/tiny/onnx/model.onnx', { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers['content-length']).toBe('100');
    expect(head.body.length).toBe(0);
    expect((await request('/', { method: 'POST' })).status).toBe(405);
  });

  it('falls back to index.html for app routes, 404 for missing files', async () => {
    const route = await request('/c/1234');
    expect(route.status).toBe(200);
    expect(route.body.toString()).toContain('<title>Hearth</title>');
    expect(route.headers['cache-control']).toBe('no-cache');
    expect((await request('/missing.js')).status).toBe(404);
    expect((await request('/models/nope/config.json')).status).toBe(404);
  });

  it('never serves files outside the root or hidden files', async () => {
    for (const path of ['/../outside.txt', '/%2e%2e/outside.txt', '/assets/..%2f..%2foutside.txt', '/..%5coutside.txt', '/.secret']) {
      const res = await request(path);
      expect([400, 403, 404], path).toContain(res.status);
      expect(res.body.toString(), path).not.toContain('outside');
      expect(res.body.toString(), path).not.toBe('no');
    }
  });

  it('fails clearly when the port is taken', async () => {
    await expect(startServer({ root, port: server.port, host: '127.0.0.1' })).rejects.toThrow(/already in use/);
  });

  it('sends a strict Content-Security-Policy, no frames, no referrer on every response', async () => {
    for (const path of ['/', '/assets/app-1.js', '/missing.js', '/c/1']) {
      const { headers } = await request(path);
      const csp = String(headers['content-security-policy']);
      expect(csp, path).toContain("script-src 'self' 'wasm-unsafe-eval'");
      for (const d of ["object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'", "default-src 'self'"]) expect(csp).toContain(d);
      expect(csp).not.toMatch(/'unsafe-inline'|'unsafe-eval'|\s\*(;|\s|$)/);
      expect(csp).toMatch(/connect-src 'self' https: http:\/\/localhost:\* http:\/\/127\.0\.0\.1:\*/);
      expect(headers['x-frame-options']).toBe('DENY');
      expect(headers['referrer-policy']).toBe('no-referrer');
    }
    // A deployment that knows its Hub and sync hosts lists them instead of any HTTPS origin.
    const strict = await startServer({ root, port: 0, host: '127.0.0.1', connectSrc: 'https://huggingface.co https://sync.example.com' });
    try {
      const res = await fetch(strict.url);
      expect(res.headers.get('content-security-policy')).toContain("connect-src 'self' https://huggingface.co https://sync.example.com;");
      await res.arrayBuffer();
    } finally {
      await strict.close();
    }
  });

  it('sends precompressed variants per Accept-Encoding, with Vary; ranges get the identity bytes', async () => {
    const br = await request('/assets/app-1.js', { headers: { 'Accept-Encoding': 'gzip, deflate, br' } });
    expect(br.headers['content-encoding']).toBe('br');
    expect(br.headers.vary).toBe('Accept-Encoding');
    expect(Number(br.headers['content-length'])).toBe(br.body.length);
    expect(br.body.length).toBeLessThan(BIG_JS.length / 2);
    expect(brotliDecompressSync(br.body).toString()).toBe(BIG_JS);
    const gz = await request('/assets/app-1.js', { headers: { 'Accept-Encoding': 'gzip, br;q=0' } });
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(gz.body).toString()).toBe(BIG_JS);
    expect(gz.headers.etag).not.toBe(br.headers.etag);
    const plain = await request('/assets/app-1.js');
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.headers.vary).toBe('Accept-Encoding');
    expect(plain.body.toString()).toBe(BIG_JS);
    // Model files: whole file compressed, a Range (a resumed download) gets the file's own bytes.
    const model = await request('/models/tiny/onnx/big.onnx', { headers: { 'Accept-Encoding': 'br' } });
    expect(model.headers['content-encoding']).toBe('br');
    expect(brotliDecompressSync(model.body).equals(BIG_ONNX)).toBe(true);
    const part = await request('/models/tiny/onnx/big.onnx', { headers: { 'Accept-Encoding': 'br', Range: 'bytes=100-199' } });
    expect(part.status).toBe(206);
    expect(part.headers['content-encoding']).toBeUndefined();
    expect(part.headers['content-range']).toBe(`bytes 100-199/${BIG_ONNX.length}`);
    expect(part.body.equals(BIG_ONNX.subarray(100, 200))).toBe(true);
    const head = await request('/models/tiny/onnx/big.onnx', { method: 'HEAD', headers: { 'Accept-Encoding': 'gzip' } });
    expect(head.headers['content-encoding']).toBe('gzip');
    expect(head.body.length).toBe(0);
    const modelGz = await request('/models/tiny/onnx/big.onnx', { headers: { 'Accept-Encoding': 'gzip' } });
    expect(Number(head.headers['content-length'])).toBe(modelGz.body.length);
    expect(gunzipSync(modelGz.body).equals(BIG_ONNX)).toBe(true);
    // Images and files without a variant are sent as they are.
    expect((await request('/icon.svg', { headers: { 'Accept-Encoding': 'br' } })).headers['content-encoding']).toBeUndefined();
  });

  it('reads Accept-Encoding with q-values', () => {
    expect([...acceptedEncodings('gzip, deflate, br, zstd')]).toEqual(['gzip', 'deflate', 'br', 'zstd']);
    expect([...acceptedEncodings('br;q=0, gzip;q=0.8')]).toEqual(['gzip']);
    expect(acceptedEncodings('identity').has('br')).toBe(false);
    expect(acceptedEncodings('*').has('br')).toBe(true);
    expect(acceptedEncodings(undefined).size).toBe(0);
  });

  it('parses ranges', () => {
    expect(parseRange(undefined, 10)).toBeNull();
    expect(parseRange('bytes=0-', 10)).toEqual({ start: 0, end: 9 });
    expect(parseRange('bytes=2-100', 10)).toEqual({ start: 2, end: 9 });
    expect(parseRange('bytes=-3', 10)).toEqual({ start: 7, end: 9 });
    expect(parseRange('bytes=10-', 10)).toBe('unsatisfiable');
    expect(parseRange('bytes=0-1,4-5', 10)).toBeNull();
    expect(parseRange('items=0-1', 10)).toBeNull();
  });
});
