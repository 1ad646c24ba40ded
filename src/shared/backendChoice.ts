// Which backend a load starts on, and the sentence the UI shows when WebGPU is not used: the
// user's preference (Auto / WebGPU / WASM) against what the browser offers, then, after a failed
// WebGPU load, the WASM fallback. Pure, so it is unit-tested without a GPU.
import type { OrtBackend, BackendPreference } from './engine';
import { needsShaderF16 } from './modelFiles';

export { needsShaderF16 };

export interface BackendChoice {
  backend: OrtBackend;
  /** Why WebGPU is not used, when it is not and WASM was not what the user chose. */
  fallbackReason?: string;
  /** True when that is no news (Auto on a browser without WebGPU): stated, but not as a notice. */
  fallbackExpected?: boolean;
  /** WASM because the GPU cannot run the requested half-precision weights. */
  f16Unsupported?: boolean;
}

export const WASM_ONLY_WORKER = 'This engine worker was built for WebAssembly only; using WebAssembly (WASM).';
export const NO_ADAPTER_ASKED = 'WebGPU was chosen, but this browser offers no WebGPU adapter; using WebAssembly (WASM).';
export const NO_ADAPTER_AUTO = 'Auto: this browser offers no WebGPU adapter, so Hearth runs on WebAssembly (WASM).';
export const SOFTWARE_ADAPTER_AUTO =
  'Auto: the only WebGPU adapter here is a software one (no GPU), far slower than WebAssembly, so Hearth runs on WASM.';

/**
 * The backend a load starts on. Node always runs on the CPU (onnxruntime-node). Half-precision
 * weights need the adapter's shader-f16 feature; without it every kernel reading them fails at
 * run time, so such a load starts on WASM.
 */
export function chooseBackend(
  preference: BackendPreference,
  webgpu: boolean,
  node = false,
  weights: { dtype?: string; shaderF16?: boolean } = {},
  softwareAdapter = false,
): BackendChoice {
  if (node) return { backend: 'cpu' };
  if (preference === 'wasm') return { backend: 'wasm' };
  // A fallback adapter (SwiftShader: WebGPU emulated on the CPU) decodes at 1-2 tokens/s where
  // WASM does hundreds (`npm run bench`): Auto never takes it; only an explicit WebGPU does.
  if (webgpu && softwareAdapter && preference === 'auto') {
    return { backend: 'wasm', fallbackReason: SOFTWARE_ADAPTER_AUTO, fallbackExpected: true };
  }
  if (webgpu && needsShaderF16(weights.dtype) && !weights.shaderF16) {
    return { backend: 'wasm', f16Unsupported: true, fallbackReason: `This GPU cannot run ${weights.dtype} weights (no 16-bit float support); using WebAssembly (WASM).` };
  }
  if (webgpu) return { backend: 'webgpu' };
  return preference === 'auto'
    ? { backend: 'wasm', fallbackReason: NO_ADAPTER_AUTO, fallbackExpected: true }
    : { backend: 'wasm', fallbackReason: NO_ADAPTER_ASKED };
}

/** After a WebGPU load failed: WASM, saying why (a missing model is not WebGPU's fault). */
export function afterWebGpuFailure(code: string, message: string): BackendChoice | null {
  if (code === 'model-not-found') return null;
  return { backend: 'wasm', fallbackReason: webGpuFailedReason(message) };
}

/** The reason shown when WebGPU loaded a model but could not run it, or could not load it. */
export function webGpuFailedReason(message: string): string {
  return `WebGPU failed (${message}); using WebAssembly (WASM).`;
}
