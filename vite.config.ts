// Vite build of the Hearth SPA: solid-js, the inference worker as an ES module worker,
// bundled models under /models/ and ONNX Runtime's wasm under /ort/ (no CDN at run time).
import { defineConfig } from 'vite';
import solid from 'vite-plugin-solid';
import { fileURLToPath } from 'node:url';
import { staticDirs } from './scripts/vite/staticDirs';

const root = fileURLToPath(new URL('.', import.meta.url));
/** The one ORT flavour the app loads: the asyncify build serves both WebGPU and WASM. */
const ORT_FILES = new Set(['ort-wasm-simd-threaded.asyncify.wasm', 'ort-wasm-simd-threaded.asyncify.mjs']);
const crossOriginIsolation = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

export default defineConfig({
  plugins: [
    solid(),
    staticDirs([
      { url: '/models/', dir: `${root}models`, filter: (rel) => !rel.endsWith('.py') },
      { url: '/ort/', dir: `${root}node_modules/onnxruntime-web/dist`, filter: (rel) => ORT_FILES.has(rel) },
    ]),
  ],
  worker: { format: 'es' },
  build: { target: 'es2022', sourcemap: true, chunkSizeWarningLimit: 2048 },
  server: { host: '127.0.0.1', headers: crossOriginIsolation },
  preview: { host: '127.0.0.1', headers: crossOriginIsolation },
});
