// The backend a load starts on (src/shared/backendChoice.ts): the preference against what the
// browser offers, and the sentence the UI shows when WebGPU is not used.
import { describe, expect, it } from 'vitest';
import { afterWebGpuFailure, chooseBackend, NO_ADAPTER_ASKED, NO_ADAPTER_AUTO, SOFTWARE_ADAPTER_AUTO } from '../../src/shared/backendChoice';

describe('chooseBackend', () => {
  it('Auto takes WebGPU when the browser offers an adapter, else WASM saying why (no notice: no news)', () => {
    expect(chooseBackend('auto', true)).toEqual({ backend: 'webgpu' });
    expect(chooseBackend('auto', false)).toEqual({ backend: 'wasm', fallbackReason: NO_ADAPTER_AUTO, fallbackExpected: true });
    expect(NO_ADAPTER_AUTO).toMatch(/no WebGPU adapter/);
  });

  it('Auto passes over a software (fallback) adapter; an explicit WebGPU still takes it', () => {
    expect(chooseBackend('auto', true, false, {}, true)).toEqual({ backend: 'wasm', fallbackReason: SOFTWARE_ADAPTER_AUTO, fallbackExpected: true });
    expect(chooseBackend('auto', true, false, {}, false)).toEqual({ backend: 'webgpu' });
    expect(chooseBackend('webgpu', true, false, {}, true)).toEqual({ backend: 'webgpu' });
  });

  it('WebGPU chosen but not offered: WASM, with a reason shown as a notice', () => {
    expect(chooseBackend('webgpu', true)).toEqual({ backend: 'webgpu' });
    const c = chooseBackend('webgpu', false);
    expect(c).toEqual({ backend: 'wasm', fallbackReason: NO_ADAPTER_ASKED });
    expect(c.fallbackExpected).toBeUndefined();
  });

  it('WASM chosen: WASM, no reason needed; Node: always the CPU', () => {
    expect(chooseBackend('wasm', true)).toEqual({ backend: 'wasm' });
    expect(chooseBackend('wasm', false)).toEqual({ backend: 'wasm' });
    for (const p of ['auto', 'webgpu', 'wasm'] as const) expect(chooseBackend(p, true, true)).toEqual({ backend: 'cpu' });
  });

  it('a failed WebGPU load falls back to WASM naming the failure, unless the model is missing', () => {
    expect(afterWebGpuFailure('model-load-failed', 'no kernel for GroupQueryAttention')).toEqual({
      backend: 'wasm',
      fallbackReason: 'WebGPU failed (no kernel for GroupQueryAttention); using WebAssembly (WASM).',
    });
    expect(afterWebGpuFailure('model-not-found', 'config.json is missing')).toBeNull();
  });
});
