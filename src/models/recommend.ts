// Which model to recommend on this device: a pure rule over what the browser tells (the WebGPU
// adapter, shader-f16, its buffer limits, navigator.deviceMemory, free storage, being online,
// Chrome's built-in model) and the catalog's own figures (size per dtype, parameters, embedding
// size, tier), so a new catalog entry slots in without code. The rule and its sources are in
// docs/recommendation.md; src/models/deviceProfile.ts reads the profile in the browser.
import { dtypeFor, type CatalogBackend, type CatalogEntry } from './catalog';
import { BUILTIN_AI_MODEL_ID, BUILTIN_AI_NAME, type BuiltInAiStatus } from '../shared/builtinAi';

export type { BuiltInAiStatus };
/** The model id of Chrome's built-in model (needs no Hub download; src/engine/builtinAiEngine.ts). */
export const BUILT_IN_AI_ID = BUILTIN_AI_MODEL_ID;

export interface GpuProfile {
  /** A fallback (software) adapter such as SwiftShader: WebGPU emulated on the processor. */
  fallback: boolean;
  shaderF16: boolean;
  /** adapter.limits (bytes); absent: the WebGPU defaults (256 MiB / 128 MiB). */
  maxBufferSize?: number;
  maxStorageBufferBindingSize?: number;
}

export interface DeviceProfile {
  /** The WebGPU adapter, or null (none, or the user chose WASM). */
  gpu: GpuProfile | null;
  /** navigator.deviceMemory in GiB (a power of two, clamped); absent where the browser hides it. */
  deviceMemoryGiB?: number;
  /** navigator.storage.estimate(): quota - usage, bytes; absent when not known. */
  freeStorageBytes?: number;
  online: boolean;
  builtInAi?: BuiltInAiStatus;
}

export interface Recommendation {
  entry: CatalogEntry;
  backend: CatalogBackend;
  /** The dtype a download fetches (absent for the browser's built-in model). */
  dtype?: string;
  /** Download size in bytes (0 for the browser's built-in model). */
  bytes: number;
  /** False for the browser's built-in model: nothing comes from the Hub. */
  download: boolean;
  /** Why this model suits this device, one sentence. */
  reason: string;
}

/** WebGPU's default limits, what an adapter that reports none guarantees (WebGPU spec, "Limits"). */
export const WEBGPU_DEFAULT_MAX_BUFFER = 268_435_456;
export const WEBGPU_DEFAULT_MAX_BINDING = 134_217_728;
/** deviceMemory's middle bucket, assumed where the browser does not say (Firefox, Safari). */
export const UNKNOWN_MEMORY_GIB = 4;
/** A model's weights may take at most this share of the device's memory. */
export const MEMORY_SHARE = 0.25;
/** Free storage needed per byte of download (the estimate is approximate; chats need room too). */
export const STORAGE_HEADROOM = 1.5;
/** On the processor (WASM) larger models decode too slowly to read comfortably. */
export const WASM_MAX_PARAMS = 400e6;

/** "135M" / "1.2B" -> a number; undefined when absent or unreadable. */
export function parseParams(p: unknown): number | undefined {
  const m = typeof p === 'string' ? /^\s*([\d.]+)\s*([MBK])\s*$/i.exec(p) : null;
  if (!m) return undefined;
  const n = Number(m[1]) * { K: 1e3, M: 1e6, B: 1e9 }[m[2].toUpperCase() as 'K' | 'M' | 'B'];
  return Number.isFinite(n) && n > 0 ? n : undefined;
}

const HALF = new Set(['fp16', 'q4f16']);
const positive = (n: unknown): n is number => typeof n === 'number' && Number.isFinite(n) && n > 0;

/** The browser's built-in model as a catalog-like choice (the catalog's own entry when it has one). */
function builtInEntry(catalog: CatalogEntry[]): CatalogEntry {
  return (
    catalog.find((e) => e.id === BUILT_IN_AI_ID) ?? {
      id: BUILT_IN_AI_ID,
      name: BUILTIN_AI_NAME,
      goodAt: 'Everyday questions, writing and summaries; the browser keeps it, nothing to download from the Hub.',
      licence: "Google's Generative AI terms",
      source: 'bundled',
      dtypes: { wasm: 'browser', webgpu: 'browser' },
    }
  );
}

/** Why an entry does not fit, or null when it does. */
function misfit(entry: CatalogEntry, bytes: number, dtype: string, backend: CatalogBackend, p: DeviceProfile): string | null {
  const memory = (positive(p.deviceMemoryGiB) ? p.deviceMemoryGiB : UNKNOWN_MEMORY_GIB) * 2 ** 30;
  if (bytes > memory * MEMORY_SHARE) return 'memory';
  if (typeof p.freeStorageBytes === 'number' && bytes * STORAGE_HEADROOM > p.freeStorageBytes) return 'storage';
  const params = parseParams(entry.params);
  if (backend === 'wasm' && (params === undefined || params > WASM_MAX_PARAMS)) return 'speed';
  if (backend === 'webgpu' && positive(entry.embeddingParams)) {
    const gpu = p.gpu!;
    const limit = Math.min(gpu.maxBufferSize ?? WEBGPU_DEFAULT_MAX_BUFFER, gpu.maxStorageBufferBindingSize ?? WEBGPU_DEFAULT_MAX_BINDING);
    // The embedding stays in 16-bit floats in f16 files; assume 32-bit in the others (the worst case).
    if (entry.embeddingParams * (HALF.has(dtype) ? 2 : 4) > limit) return 'gpu-buffer';
  }
  return null;
}

function reasonFor(backend: CatalogBackend, f16: boolean, smaller: boolean): string {
  const where =
    backend === 'webgpu'
      ? `It runs on this device's graphics processor (WebGPU${f16 ? ', 16-bit' : ''}).`
      : 'It runs on the processor (no usable WebGPU here), where larger models would be slow.';
  return smaller ? `${where} Larger models do not fit this device's memory or free storage.` : where;
}

/**
 * The model to recommend, or null (offline with nothing to download, or nothing fits). Chrome's
 * built-in model comes first when the browser has or can get it; otherwise the best Hub model
 * (highest tier, then most parameters) whose download fits the memory, the free storage, the
 * GPU's buffer limits, and on the processor a size that still decodes at reading speed.
 */
export function recommendModel(profile: DeviceProfile, catalog: CatalogEntry[]): Recommendation | null {
  const ai = profile.builtInAi ?? 'unavailable';
  if (ai === 'available' || (profile.online && (ai === 'downloadable' || ai === 'downloading'))) {
    return {
      entry: builtInEntry(catalog),
      backend: 'webgpu',
      bytes: 0,
      download: false,
      reason: 'Your browser has its own model, stronger than the ones on the Hub that fit here, and nothing to download from the Hub.',
    };
  }
  if (!profile.online) return null;
  const gpu = profile.gpu && !profile.gpu.fallback ? profile.gpu : null;
  const backend: CatalogBackend = gpu ? 'webgpu' : 'wasm';
  const candidates = catalog
    .filter((e) => e.source === 'hub' && e.id !== BUILT_IN_AI_ID)
    .map((entry) => {
      const dtype = dtypeFor(entry, backend, { shaderF16: gpu?.shaderF16 ?? false });
      return { entry, dtype, bytes: entry.sizes?.[dtype], params: parseParams(entry.params) ?? 0 };
    })
    .filter((c): c is typeof c & { bytes: number } => positive(c.bytes))
    .sort((a, b) => (b.entry.tier ?? 0) - (a.entry.tier ?? 0) || b.params - a.params || a.bytes - b.bytes);
  let skippedForRoom = false;
  for (const c of candidates) {
    const why = misfit(c.entry, c.bytes, c.dtype, backend, { ...profile, gpu });
    if (!why) return { entry: c.entry, backend, dtype: c.dtype, bytes: c.bytes, download: true, reason: reasonFor(backend, !!gpu?.shaderF16, skippedForRoom) };
    if (why === 'memory' || why === 'storage') skippedForRoom = true;
  }
  return null;
}
