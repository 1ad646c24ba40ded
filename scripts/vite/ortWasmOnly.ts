// Vite worker plugin: in the bundle of the WASM-only engine worker (workers/engine.wasm.worker.ts)
// transformers.js's `import 'onnxruntime-web/webgpu'` resolves to `onnxruntime-web/wasm` (WASM only).
// The worker is 45 kB smaller and carries no WebGPU code (its decode speed is within the bench's
// noise of the WebGPU bundle's: docs/speed.md). Every other worker keeps the WebGPU bundle.
// Build only: the dev server serves workers unbundled.
import type { Plugin } from 'vite';

export const WASM_ONLY_WORKER = 'engine.wasm.worker';

export function ortWasmOnly(): Plugin {
  let wasmOnly = false;
  return {
    name: 'hearth-ort-wasm-only',
    enforce: 'pre',
    apply: 'build',
    configResolved(config) {
      // Worker builds get a fresh plugin instance whose config names the chain of worker entries.
      const chain = (config as unknown as { bundleChain?: string[] }).bundleChain ?? [];
      wasmOnly = chain.length > 0 && chain[chain.length - 1]!.includes(WASM_ONLY_WORKER);
    },
    async resolveId(source, importer) {
      if (!wasmOnly || source !== 'onnxruntime-web/webgpu') return null;
      return this.resolve('onnxruntime-web/wasm', importer, { skipSelf: true });
    },
  };
}
