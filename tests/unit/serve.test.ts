// scripts/serve.mjs: the static server behind `npm start` and the end-to-end tests.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import http from 'node:http';
// @ts-expect-error -- plain ESM script without type declarations
import { parseRange, startServer } from '../../scripts/serve.mjs';

interface Running {
  url: string;
  port: number;
  close(): Promise<void>;
}

let root: string;
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
  writeFileSync(join(base, 'outside.txt'), 'outside');
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
