// Which weights a download fetches: the catalog's dtype for the backend, except that a GPU
// without shader-f16 (SwiftShader, many integrated GPUs) gets the WASM file instead of a
// half-precision one it could not run.
import { describe, expect, it } from 'vitest';
import { dtypeFor } from '../../src/models/catalog';
import { chooseBackend, needsShaderF16 } from '../../src/shared/backendChoice';

const smol = { dtypes: { wasm: 'q4', webgpu: 'q4f16' } };
const plain = { dtypes: { wasm: 'q8', webgpu: 'fp32' } };

describe('dtypeFor', () => {
  it('takes the catalog dtype of the backend', () => {
    expect(dtypeFor(smol, 'wasm')).toBe('q4');
    expect(dtypeFor(smol, 'webgpu')).toBe('q4f16');
    expect(dtypeFor(smol, 'webgpu', { shaderF16: true })).toBe('q4f16');
    expect(dtypeFor(smol, 'webgpu', {})).toBe('q4f16'); // not known yet: the catalog's choice
  });

  it('gives a GPU without shader-f16 the WASM weights instead of half-precision ones', () => {
    expect(dtypeFor(smol, 'webgpu', { shaderF16: false })).toBe('q4');
    expect(dtypeFor({ dtypes: { wasm: 'q8', webgpu: 'fp16' } }, 'webgpu', { shaderF16: false })).toBe('q8');
    expect(dtypeFor(plain, 'webgpu', { shaderF16: false })).toBe('fp32');
    expect(dtypeFor(smol, 'wasm', { shaderF16: false })).toBe('q4');
  });

  it('knows which dtypes need shader-f16', () => {
    expect(['fp16', 'q4f16', 'q8', 'q4', 'fp32', undefined].map(needsShaderF16)).toEqual([true, true, false, false, false, false]);
  });

  it('starts half-precision weights on WASM when the GPU lacks shader-f16, saying why', () => {
    const lacking = chooseBackend('auto', true, false, { dtype: 'q4f16', shaderF16: false });
    expect(lacking).toMatchObject({ backend: 'wasm', f16Unsupported: true });
    expect(lacking.fallbackReason).toMatch(/q4f16.*16-bit/);
    expect(chooseBackend('webgpu', true, false, { dtype: 'q4f16', shaderF16: true }).backend).toBe('webgpu');
    expect(chooseBackend('webgpu', true, false, { dtype: 'q4', shaderF16: false }).backend).toBe('webgpu');
  });
});
