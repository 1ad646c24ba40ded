// A stand-in for the worker engine in tests of Chrome's built-in AI: loads always succeed (and are
// recorded), replies are not expected from it.
import type { EngineApi } from '../../src/shared/engine';

export function workerEngineStub(loads: string[] = []): EngineApi {
  return {
    capabilities: async () => ({ webgpu: false, crossOriginIsolated: false, hardwareConcurrency: 2 }),
    load: async (id) => (loads.push(id), { ok: true, value: { modelId: id, backend: 'wasm', dtype: 'q8', contextLength: 256, threads: 1 } }),
    generate: async () => ({ ok: false, error: { code: 'unknown', message: 'the worker engine was not expected to answer', retryable: false } }),
    interrupt: async () => undefined,
    unload: async () => undefined,
  };
}
