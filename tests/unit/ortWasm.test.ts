// workers/ortWasm.ts: ONNX Runtime's wasm is downloaded once, checked against Content-Length only
// when the response is not compressed (a compressed one's length counts encoded bytes), and kept.
import { describe, expect, it } from 'vitest';
import { loadOrtWasm } from '../../workers/ortWasm';

function memoryCaches(): CacheStorage {
  const stores = new Map<string, Map<string, Response>>();
  const open = async (name: string) => {
    const m = stores.get(name) ?? new Map<string, Response>();
    stores.set(name, m);
    return {
      match: async (url: string) => m.get(url)?.clone(),
      put: async (url: string, res: Response) => void m.set(url, res),
    } as unknown as Cache;
  };
  return {
    open,
    keys: async () => [...stores.keys()],
    delete: async (name: string) => stores.delete(name),
    has: async (name: string) => stores.has(name),
    match: async () => undefined,
  } as unknown as CacheStorage;
}

const wasm = new Uint8Array(1000).map((_, i) => i % 251);

describe('loadOrtWasm', () => {
  it('accepts a compressed response whose Content-Length is the encoded size, and keeps it', async () => {
    let fetches = 0;
    const fetchFn = async () => {
      fetches++;
      // As a browser hands it over: decoded bytes, headers of the encoded response.
      return new Response(wasm, { headers: { 'Content-Encoding': 'br', 'Content-Length': '120' } });
    };
    const storage = memoryCaches();
    const first = new Uint8Array(await loadOrtWasm('/ort/x.wasm', '1.0', undefined, storage, fetchFn));
    expect(first).toEqual(wasm);
    const again = new Uint8Array(await loadOrtWasm('/ort/x.wasm', '1.0', undefined, storage, fetchFn));
    expect(again).toEqual(wasm);
    expect(fetches).toBe(1);
  });

  it('refuses an uncompressed download shorter than its Content-Length', async () => {
    const fetchFn = async () => new Response(wasm, { headers: { 'Content-Length': '2000' } });
    await expect(loadOrtWasm('/ort/x.wasm', '1.0', undefined, memoryCaches(), fetchFn)).rejects.toThrow(/cut short/);
  });
});
