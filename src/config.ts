// App configuration: the default model and the URL parameters that override settings
// (see docs/ui-contract.md: ?model=, ?backend=, ?dtype=, ?temperature=).
import type { BackendPreference } from './shared/engine';

/** The bundled model folder under /models/ used unless `?model=` says otherwise. */
export const DEFAULT_MODEL_ID = 'hearth-chat';

export interface UrlOverrides {
  model?: string;
  backend?: BackendPreference;
  dtype?: string;
  temperature?: number;
  /** `?debug=prompt`: each reply keeps the prompt the model received in its metadata (tests). */
  debugPrompt?: boolean;
}

const MODEL_ID = /^[A-Za-z0-9._-]{1,100}$/;
const DTYPES = new Set(['fp32', 'fp16', 'q8', 'q4', 'q4f16', 'int8', 'uint8', 'bnb4']);

/** Reads the override parameters from a query string; invalid values are ignored. */
export function readUrlOverrides(search: string = typeof location !== 'undefined' ? location.search : ''): UrlOverrides {
  const params = new URLSearchParams(search);
  const out: UrlOverrides = {};
  const model = params.get('model');
  if (model && MODEL_ID.test(model) && !model.startsWith('.')) out.model = model;
  const backend = params.get('backend');
  if (backend === 'wasm' || backend === 'webgpu' || backend === 'auto') out.backend = backend;
  const dtype = params.get('dtype');
  if (dtype && DTYPES.has(dtype)) out.dtype = dtype;
  const temperature = params.get('temperature');
  if (temperature !== null && temperature.trim() !== '') {
    const t = Number(temperature);
    if (Number.isFinite(t) && t >= 0 && t <= 2) out.temperature = t;
  }
  if (params.get('debug') === 'prompt') out.debugPrompt = true;
  return out;
}

/** Bounds of the generation settings offered in the Settings dialog. */
export const LIMITS = {
  temperature: { min: 0, max: 2, step: 0.05 },
  topP: { min: 0.05, max: 1, step: 0.05 },
  maxNewTokens: { min: 1, max: 4096, step: 1 },
} as const;
