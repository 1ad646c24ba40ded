// Classifies exceptions thrown inside the engine into `EngineError` data (design rule 2).
import type { EngineError } from '../src/shared/engine';

export function classifyLoadError(e: unknown, backend: string): EngineError {
  const message = describe(e);
  if (/could not locate file|404|not found|failed to fetch|enoent|no such file/i.test(message)) {
    return { code: 'model-not-found', message: `The model files could not be found: ${message}`, retryable: true };
  }
  if (/protobuf|failed to load model|invalid model|can't load|parse|unexpected token|corrupt|json/i.test(message)) {
    return { code: 'model-corrupt', message: `The model files are damaged or not a model: ${message}`, retryable: false };
  }
  if (/device (was )?lost|gpudevice|webgpu|adapter/i.test(message) && backend === 'webgpu') {
    return { code: 'device-lost', message: `WebGPU failed: ${message}`, retryable: true };
  }
  if (/out of memory|allocation|oom|memory access out of bounds/i.test(message)) {
    return { code: 'out-of-memory', message: `Not enough memory to load the model: ${message}`, retryable: false };
  }
  return { code: 'unknown', message, retryable: true };
}

export function classifyGenerateError(e: unknown, backend: string): EngineError {
  const message = describe(e);
  if (/device (was )?lost/i.test(message) || (backend === 'webgpu' && /gpu/i.test(message))) {
    return { code: 'device-lost', message: `The GPU stopped responding: ${message}`, retryable: true };
  }
  if (/out of memory|allocation failed/i.test(message)) {
    return { code: 'out-of-memory', message, retryable: false };
  }
  return { code: 'generation-failed', message, retryable: true };
}

function describe(e: unknown): string {
  if (e instanceof Error) return e.message || e.name;
  if (typeof e === 'string') return e;
  if (typeof e === 'number') return `error code ${e}`;
  try {
    return JSON.stringify(e);
  } catch {
    return 'unknown error';
  }
}
