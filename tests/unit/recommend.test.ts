// The recommendation rule (src/models/recommend.ts) over device profiles, on the app's real
// catalog (models/catalog.json): GPU with and without shader-f16, a fallback adapter, little
// memory, little storage, small GPU buffers, offline, Chrome's built-in model, and a new catalog
// entry slotting in by its figures alone.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseCatalog, type CatalogEntry } from '../../src/models/catalog';
import { readDeviceProfile } from '../../src/models/deviceProfile';
import { parseParams, recommendModel, type DeviceProfile } from '../../src/models/recommend';

const catalog = parseCatalog(JSON.parse(readFileSync(new URL('../../models/catalog.json', import.meta.url), 'utf8'))).models;
const GiB = 2 ** 30;
const bigGpu = { fallback: false, shaderF16: true, maxBufferSize: 4 * GiB, maxStorageBufferBindingSize: 2 * GiB - 4 };
const base: DeviceProfile = { gpu: bigGpu, deviceMemoryGiB: 8, freeStorageBytes: 100 * GiB, online: true, builtInAi: 'unavailable' };
const pick = (p: Partial<DeviceProfile>, list: CatalogEntry[] = catalog) => {
  const r = recommendModel({ ...base, ...p }, list);
  return r && `${r.entry.id} ${r.backend} ${r.dtype ?? '-'}`;
};

describe('recommendModel', () => {
  it('a real GPU with shader-f16 and room gets the strongest model at q4f16', () => {
    expect(pick({})).toBe('llama-3.2-1b-instruct webgpu q4f16');
    const r = recommendModel(base, catalog)!;
    expect(r.bytes).toBe(1_080_000_000);
    expect(r.download).toBe(true);
    expect(r.reason).toMatch(/graphics processor \(WebGPU, 16-bit\)/);
  });

  it('4 GiB of memory: Llama 3.2 1B (1.08 GB) is more than a quarter of it, Qwen3 0.6B fits', () => {
    expect(pick({ deviceMemoryGiB: 4 })).toBe('qwen3-0.6b webgpu q4f16');
    expect(recommendModel({ ...base, deviceMemoryGiB: 4 }, catalog)!.reason).toMatch(/do not fit/);
    // A browser that hides deviceMemory is taken as the middle bucket (4 GiB).
    expect(pick({ deviceMemoryGiB: undefined })).toBe('qwen3-0.6b webgpu q4f16');
    // Gemma 3 1B (tier -1: its WebGPU half-precision files are unverified) fits too, and is passed over.
    expect(catalog.find((e) => e.id === 'gemma-3-1b-it')?.tier).toBe(-1);
  });

  it('a GPU without shader-f16 gets the WASM dtype file, whose 32-bit embedding must fit a GPU buffer', () => {
    expect(pick({ gpu: { ...bigGpu, shaderF16: false } })).toBe('llama-3.2-1b-instruct webgpu q8');
    // Llama's embedding in 32 bits (1.05 GB) is over a 1 GB binding limit; Qwen3's (622 MB) is not.
    expect(pick({ gpu: { ...bigGpu, shaderF16: false, maxStorageBufferBindingSize: 1e9 } })).toBe('qwen3-0.6b webgpu q8');
  });

  it("a GPU with only WebGPU's default limits gets a model whose embedding fits 128 MiB", () => {
    const small = { fallback: false, shaderF16: true };
    expect(pick({ gpu: small })).toBe('smollm2-360m-instruct webgpu q4f16');
    expect(pick({ gpu: { ...small, shaderF16: false } })).toBe('smollm2-135m-instruct webgpu q4');
  });

  it('a fallback (software) adapter or none: the processor, SmolLM2 360M', () => {
    expect(pick({ gpu: { ...bigGpu, fallback: true } })).toBe('smollm2-360m-instruct wasm q4');
    expect(pick({ gpu: null })).toBe('smollm2-360m-instruct wasm q4');
    expect(recommendModel({ ...base, gpu: null }, catalog)!.reason).toMatch(/processor/);
  });

  it('little memory or storage: SmolLM2 135M, or nothing when even that does not fit', () => {
    expect(pick({ gpu: null, deviceMemoryGiB: 1 })).toBe('smollm2-135m-instruct wasm q4');
    expect(pick({ gpu: null, freeStorageBytes: 500e6 })).toBe('smollm2-135m-instruct wasm q4');
    expect(pick({ freeStorageBytes: 500e6 })).toBe('smollm2-360m-instruct webgpu q4f16');
    expect(pick({ gpu: null, freeStorageBytes: 250e6 })).toBeNull();
    expect(pick({ gpu: null, deviceMemoryGiB: 0.5 })).toBeNull();
  });

  it('offline: no download to offer', () => {
    expect(pick({ online: false })).toBeNull();
    expect(pick({ online: false, builtInAi: 'downloadable' })).toBeNull();
  });

  it("Chrome's built-in model comes first when the browser has it or can get it", () => {
    expect(pick({ builtInAi: 'available' })).toBe('chrome-built-in webgpu -');
    expect(pick({ builtInAi: 'available', online: false, gpu: null })).toBe('chrome-built-in webgpu -');
    expect(pick({ builtInAi: 'downloadable' })).toBe('chrome-built-in webgpu -');
    expect(pick({ builtInAi: 'downloading', gpu: null, deviceMemoryGiB: 1 })).toBe('chrome-built-in webgpu -');
    const r = recommendModel({ ...base, builtInAi: 'available' }, catalog)!;
    expect(r).toMatchObject({ download: false, bytes: 0 });
    expect(r.entry.name).toMatch(/built-in/);
    // The catalog's own entry for it, when it has one, is the one offered.
    const own: CatalogEntry = { id: 'chrome-built-in', name: 'Gemini Nano (in Chrome)', source: 'bundled', dtypes: { wasm: 'x', webgpu: 'x' } };
    expect(recommendModel({ ...base, builtInAi: 'available' }, [...catalog, own])!.entry.name).toBe('Gemini Nano (in Chrome)');
  });

  it('a new catalog entry slots in by its figures (size per dtype, parameters, embedding, tier)', () => {
    // The catalog as it was before Qwen3 and Gemma 3 came in, so the new entries below are the news.
    const older = catalog.filter((e) => !/^(qwen3|gemma-3)/.test(e.id));
    const qwen3: CatalogEntry = {
      id: 'qwen3-0.6b', name: 'Qwen3 0.6B', source: 'hub', repo: 'onnx-community/Qwen3-0.6B-ONNX', params: '0.6B',
      dtypes: { wasm: 'q8', webgpu: 'q4f16' }, sizes: { q8: 600e6, q4f16: 570e6 }, embeddingParams: 155_582_464,
    };
    expect(pick({ deviceMemoryGiB: 4 }, [...older, qwen3])).toBe('qwen3-0.6b webgpu q4f16');
    const gemma: CatalogEntry = {
      id: 'gemma-3-270m', name: 'Gemma 3 270M', source: 'hub', repo: 'onnx-community/gemma-3-270m-it-ONNX', params: '270M', tier: 1,
      dtypes: { wasm: 'q4', webgpu: 'q4f16' }, sizes: { q4: 300e6, q4f16: 250e6 },
    };
    expect(pick({ gpu: null }, [...older, gemma])).toBe('gemma-3-270m wasm q4');
    // An entry without a size for the dtype is not judged (nor recommended).
    const { sizes: _none, ...unsized } = qwen3;
    expect(pick({ deviceMemoryGiB: 4 }, [...older, { ...unsized, id: 'unsized' }])).toBe('qwen2.5-0.5b-instruct webgpu q4f16');
  });

  it('reads parameter counts', () => {
    expect(parseParams('135M')).toBe(135e6);
    expect(parseParams('1.2B')).toBe(1.2e9);
    expect(parseParams('big')).toBeUndefined();
    expect(parseParams(undefined)).toBeUndefined();
  });
});

describe('readDeviceProfile', () => {
  const nav = (over: Record<string, unknown>) => ({ onLine: true, storage: { estimate: async () => ({ quota: 10e9, usage: 1e9 }) }, ...over }) as unknown as Navigator;
  const adapter = (fallback: boolean, f16: boolean) => ({
    features: new Set(f16 ? ['shader-f16'] : []),
    limits: { maxBufferSize: 2e9, maxStorageBufferBindingSize: 1e9 },
    info: { isFallbackAdapter: fallback },
  });

  it('reads the adapter, its limits, memory, free storage and the connection', async () => {
    const p = await readDeviceProfile({ useGpu: true, nav: nav({ gpu: { requestAdapter: async () => adapter(false, true) }, deviceMemory: 4 }) });
    expect(p).toEqual({
      gpu: { fallback: false, shaderF16: true, maxBufferSize: 2e9, maxStorageBufferBindingSize: 1e9 },
      deviceMemoryGiB: 4,
      freeStorageBytes: 9e9,
      online: true,
      builtInAi: 'unavailable',
    });
  });

  it('a fallback adapter is flagged; no adapter, a failing probe, WASM chosen or no estimate give absent fields', async () => {
    expect((await readDeviceProfile({ useGpu: true, nav: nav({ gpu: { requestAdapter: async () => ({ ...adapter(false, false), info: {}, isFallbackAdapter: true }) } }) })).gpu?.fallback).toBe(true);
    expect((await readDeviceProfile({ useGpu: true, nav: nav({ gpu: { requestAdapter: async () => null } }) })).gpu).toBeNull();
    expect((await readDeviceProfile({ useGpu: true, nav: nav({ gpu: { requestAdapter: async () => Promise.reject(new Error('no')) } }) })).gpu).toBeNull();
    expect((await readDeviceProfile({ useGpu: false, nav: nav({ gpu: { requestAdapter: async () => adapter(false, true) } }) })).gpu).toBeNull();
    const bare = await readDeviceProfile({ useGpu: true, builtInAi: 'available', nav: { onLine: false } as Navigator });
    expect(bare).toEqual({ gpu: null, deviceMemoryGiB: undefined, freeStorageBytes: undefined, online: false, builtInAi: 'available' });
  });
});
