// verifiedCopy (src/pwa/caches.ts): a bundled model file is cached only when it is the size this
// build shipped, whether the server sent it as is or compressed (Content-Length then counts the
// encoded bytes, so the decoded body is what counts).
import { describe, expect, it } from 'vitest';
import { verifiedCopy, wholeResponse } from '../../src/pwa/caches';

const bytes = new Uint8Array(1000).fill(7);

describe('verifiedCopy', () => {
  it('keeps an uncompressed response of the expected Content-Length as it is', async () => {
    const res = new Response(bytes, { headers: { 'Content-Length': '1000' } });
    expect(await verifiedCopy(res, 1000)).toBe(res);
    expect(await verifiedCopy(new Response(bytes, { headers: { 'Content-Length': '999' } }), 1000)).toBeNull();
    expect(await verifiedCopy(new Response(bytes, { status: 206, headers: { 'Content-Length': '1000' } }), 1000)).toBeNull();
  });

  it('judges a compressed response by its decoded body and stores it without the encoding', async () => {
    // What fetch gives for "Content-Encoding: br": the decoded body, the encoded length.
    const res = new Response(bytes, { headers: { 'Content-Encoding': 'br', 'Content-Length': '120', 'Content-Type': 'application/octet-stream' } });
    const copy = await verifiedCopy(res, 1000);
    expect(copy).not.toBeNull();
    expect(copy!.headers.get('Content-Encoding')).toBeNull();
    expect(copy!.headers.get('Content-Length')).toBe('1000');
    expect(copy!.headers.get('Content-Type')).toBe('application/octet-stream');
    expect(new Uint8Array(await copy!.arrayBuffer())).toEqual(bytes);
    const other = new Response(bytes.subarray(0, 900), { headers: { 'Content-Encoding': 'gzip', 'Content-Length': '1000' } });
    expect(await verifiedCopy(other, 1000)).toBeNull();
  });

  it('reads a whole response into a decoded, Blob-backed copy with its size (what the service worker answers)', async () => {
    const res = new Response(bytes, { status: 200, statusText: 'OK', headers: { 'Content-Encoding': 'gzip', 'Content-Length': '120', ETag: '"x"' } });
    const { response, size } = await wholeResponse(res);
    expect(size).toBe(1000);
    expect(res.bodyUsed).toBe(true);
    expect(response.status).toBe(200);
    expect(response.headers.get('Content-Encoding')).toBeNull();
    expect(response.headers.get('Content-Length')).toBe('1000');
    expect(response.headers.get('ETag')).toBe('"x"');
    // A copy for the cache and the answer to the page read the same bytes.
    const copy = response.clone();
    expect(new Uint8Array(await copy.arrayBuffer())).toEqual(bytes);
    expect(new Uint8Array(await response.arrayBuffer())).toEqual(bytes);
    const short = await wholeResponse(new Response(bytes.subarray(0, 10), { headers: { 'Content-Length': '1000' } }));
    expect(short.size).toBe(10);
    expect(short.response.headers.get('Content-Length')).toBe('10');
  });
});
