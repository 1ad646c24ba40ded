// Reads the device profile the recommendation rule (src/models/recommend.ts) works on, from what
// the browser tells: the WebGPU adapter (fallback or not, shader-f16, adapter.limits),
// navigator.deviceMemory, navigator.storage.estimate() and navigator.onLine. Every probe is
// optional: a browser that hides something gives an absent field, never an error.
import type { BuiltInAiStatus, DeviceProfile, GpuProfile } from './recommend';

interface AdapterLike {
  features?: { has(name: string): boolean };
  limits?: { maxBufferSize?: number; maxStorageBufferBindingSize?: number };
  info?: { isFallbackAdapter?: boolean };
  isFallbackAdapter?: boolean;
}

/** The WebGPU adapter's profile, or null when there is none. */
export async function readGpuProfile(nav: Navigator = navigator): Promise<GpuProfile | null> {
  const gpu = (nav as unknown as { gpu?: { requestAdapter(): Promise<AdapterLike | null> } }).gpu;
  if (!gpu) return null;
  try {
    const adapter = await gpu.requestAdapter();
    if (!adapter) return null;
    const num = (v: unknown) => (typeof v === 'number' && v > 0 ? v : undefined);
    return {
      fallback: Boolean(adapter.info?.isFallbackAdapter ?? adapter.isFallbackAdapter),
      shaderF16: Boolean(adapter.features?.has('shader-f16')),
      maxBufferSize: num(adapter.limits?.maxBufferSize),
      maxStorageBufferBindingSize: num(adapter.limits?.maxStorageBufferBindingSize),
    };
  } catch {
    return null;
  }
}

/** The device profile; `useGpu` false when the user chose WASM, `builtInAi` from the Prompt API probe. */
export async function readDeviceProfile(opts: { useGpu: boolean; builtInAi?: BuiltInAiStatus; nav?: Navigator }): Promise<DeviceProfile> {
  const nav = opts.nav ?? navigator;
  const memory = (nav as unknown as { deviceMemory?: unknown }).deviceMemory;
  let freeStorageBytes: number | undefined;
  try {
    const e = await nav.storage?.estimate?.();
    if (e && typeof e.quota === 'number' && typeof e.usage === 'number') freeStorageBytes = Math.max(0, e.quota - e.usage);
  } catch {
    freeStorageBytes = undefined;
  }
  return {
    gpu: opts.useGpu ? await readGpuProfile(nav) : null,
    deviceMemoryGiB: typeof memory === 'number' && memory > 0 ? memory : undefined,
    freeStorageBytes,
    online: nav.onLine !== false,
    builtInAi: opts.builtInAi ?? 'unavailable',
  };
}
