// Cache Storage names shared by the page and the service worker (src/sw.ts). Bundled models live
// in one cache per model version ("hearth-models-<id>-<version>", the service worker deletes those
// of versions no longer shipped); models the user downloads or loads from files live in
// caches named "hearth-hub-models-v1:<model id>", which only the user deletes (from the Models dialog).

export const BUNDLED_MODEL_CACHE_PREFIX = 'hearth-models-';
export const HUB_MODELS_CACHE = 'hearth-hub-models-v1';
/** transformers.js's own cache, no longer used (the service worker owns caching): removed on activate. */
export const LEGACY_TRANSFORMERS_CACHE = 'transformers-cache';

export interface BundledModelEntry {
  id: string;
  version: string;
  files: Array<{ path: string; size: number; sha256: string }>;
}

export function bundledModelCacheName(id: string, version: string): string {
  return `${BUNDLED_MODEL_CACHE_PREFIX}${id}-${version}`;
}

/** The models shipped with this build (empty in dev and in unit tests). */
export function bundledModels(): BundledModelEntry[] {
  return typeof __HEARTH_BUNDLED_MODELS__ !== 'undefined' ? __HEARTH_BUNDLED_MODELS__ : [];
}

/** The file suffix transformers.js gives each dtype (onnx/model<suffix>.onnx). */
export const DTYPE_SUFFIX: Record<string, string> = {
  fp32: '',
  fp16: '_fp16',
  int8: '_int8',
  uint8: '_uint8',
  q8: '_quantized',
  q4: '_q4',
  q4f16: '_q4f16',
  bnb4: '_bnb4',
};

/**
 * The files of a bundled model that a load with `dtype` reads: everything but the ONNX files
 * (and their external data) of other dtypes.
 */
export function filesForDtype(files: BundledModelEntry['files'], dtype: string): BundledModelEntry['files'] {
  const wanted = `onnx/model${DTYPE_SUFFIX[dtype] ?? ''}.onnx`;
  return files.filter(
    (f) => !f.path.endsWith('.md') && (!f.path.startsWith('onnx/') || f.path === wanted || f.path.startsWith(`${wanted}_data`)),
  );
}
