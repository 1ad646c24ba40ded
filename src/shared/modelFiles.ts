// Which files of a transformers.js model folder a load with a given dtype reads, shared by the app
// (precaching, downloads) and the inference worker (load progress against the true total).

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

export interface SizedFile {
  path: string;
  size: number;
}

/**
 * The files of a model folder that a load with `dtype` reads: everything but the model card and
 * the ONNX files (and their external data) of other dtypes.
 */
export function filesForDtype<F extends SizedFile>(files: F[], dtype: string): F[] {
  const wanted = `onnx/model${DTYPE_SUFFIX[dtype] ?? ''}.onnx`;
  return files.filter(
    (f) => !f.path.endsWith('.md') && (!f.path.startsWith('onnx/') || f.path === wanted || f.path.startsWith(`${wanted}_data`)),
  );
}

/** Whether weights of `dtype` (fp16, q4f16, ...) need a WebGPU adapter with shader-f16. */
export function needsShaderF16(dtype: string | undefined): boolean {
  return /fp16|f16/.test(dtype ?? '');
}
