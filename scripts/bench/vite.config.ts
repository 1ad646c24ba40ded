// Build of the benchmark page (kept out of the app's own build).
import { defineConfig } from 'vite';
import { fileURLToPath } from 'node:url';
import { staticDirs } from '../vite/staticDirs';
import { ortWasmOnly } from '../vite/ortWasmOnly.ts';

const repo = fileURLToPath(new URL('../..', import.meta.url));
// The app's ORT build (asyncify: WebGPU and WASM) and the plain WASM build (the raw web reference row).
const ORT_FILES = new Set([
  'ort-wasm-simd-threaded.asyncify.wasm',
  'ort-wasm-simd-threaded.asyncify.mjs',
  'ort-wasm-simd-threaded.wasm',
  'ort-wasm-simd-threaded.mjs',
]);

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  plugins: [
    staticDirs([
      { url: '/models/', dir: `${repo}models` },
      { url: '/ort/', dir: `${repo}node_modules/onnxruntime-web/dist`, filter: (rel) => ORT_FILES.has(rel) },
    ]),
  ],
  worker: { format: 'es', plugins: () => [ortWasmOnly()] },
  build: { outDir: `${repo}.cache/bench-dist`, emptyOutDir: true, target: 'es2022' },
  logLevel: 'warn',
});
