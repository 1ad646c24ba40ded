// What this browser offers the engine (WebGPU adapter, threads), probed the same way on the page
// and in a worker: the worker proxy reads it on the page to pick its worker bundle before any
// worker starts (src/engine/workerEngine.ts), the engine reads it in the worker to pick a backend.
import type { Capabilities } from './engine';

export interface GpuProbe {
  ok: boolean;
  adapter?: string;
  shaderF16?: boolean;
  /** A fallback adapter: WebGPU implemented on the CPU (SwiftShader). */
  software?: boolean;
}

/** Asks for a WebGPU adapter; any failure means "no WebGPU". */
export async function probeWebGpu(): Promise<GpuProbe> {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const gpu = (globalThis.navigator as any)?.gpu;
  if (!gpu) return { ok: false };
  try {
    const adapter = await gpu.requestAdapter();
    if (!adapter) return { ok: false };
    const info = adapter.info ?? {};
    return {
      ok: true,
      adapter: [info.vendor, info.architecture, info.description].filter(Boolean).join(' ') || 'WebGPU',
      shaderF16: Boolean(adapter.features?.has?.('shader-f16')),
      software: Boolean(info.isFallbackAdapter ?? adapter.isFallbackAdapter),
    };
  } catch {
    return { ok: false };
  }
}

/** The capabilities a browser context reports, given its WebGPU probe (`node`: onnxruntime-node). */
export function capabilitiesOf(gpu: GpuProbe, node = false): Capabilities {
  const isolated = typeof crossOriginIsolated !== 'undefined' && crossOriginIsolated;
  const cores = typeof navigator !== 'undefined' ? navigator.hardwareConcurrency || 1 : 1;
  return {
    webgpu: gpu.ok,
    webgpuAdapter: gpu.adapter,
    ...(gpu.ok ? { shaderF16: gpu.shaderF16, webgpuSoftware: gpu.software } : {}),
    crossOriginIsolated: node || isolated,
    hardwareConcurrency: cores,
    singleThreadReason:
      node || isolated
        ? undefined
        : 'The page is not cross-origin isolated (COOP/COEP headers are missing), so WebAssembly runs on one thread.',
  };
}
