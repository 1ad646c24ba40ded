// Vite build of the Hearth SPA: solid-js, the inference worker as an ES module worker,
// bundled models under /models/ and ONNX Runtime's wasm under /ort/ (no CDN at run time).
// vite-plugin-pwa builds our own service worker (src/sw.ts, injectManifest) and the Web App
// Manifest; the bundled models' file list and hashes are compiled in (`__HEARTH_BUNDLED_MODELS__`).
import { defineConfig } from 'vite';
import solid from 'vite-plugin-solid';
import { VitePWA } from 'vite-plugin-pwa';
import { fileURLToPath } from 'node:url';
import { readFileSync } from 'node:fs';
import { staticDirs } from './scripts/vite/staticDirs.ts';
import { scanBundledModels } from './scripts/vite/bundledModels.ts';
import { precompress } from './scripts/vite/compress.ts';
import { ortWasmOnly } from './scripts/vite/ortWasmOnly.ts';

const root = fileURLToPath(new URL('.', import.meta.url));
/** ONNX Runtime's builds the engine loads (workers/ortWasm.ts): asyncify for WebGPU, plain for WASM. */
const ORT_FILES = new Set([
  'ort-wasm-simd-threaded.asyncify.wasm',
  'ort-wasm-simd-threaded.asyncify.mjs',
  'ort-wasm-simd-threaded.wasm',
  'ort-wasm-simd-threaded.mjs',
]);
const crossOriginIsolation = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};
/** Build-time reports, not problems: how long plugins took depends on the machine's load. */
const QUIET = { bundlerTimings: false };
const keepModelFile = (rel: string) => !rel.endsWith('.py');
const THEME = '#1f1b18';
const pkg = JSON.parse(readFileSync(`${root}package.json`, 'utf8')) as { version: string };
/** Shown in the page (<meta name="hearth-build">); HEARTH_BUILD_ID lets a test build a distinct version. */
const BUILD_ID = process.env.HEARTH_BUILD_ID ?? pkg.version;

export default defineConfig(({ command }) => {
  // Hashing the model files is build-only work; the dev server gets an empty list (no service worker).
  const bundled = command === 'build' ? scanBundledModels(`${root}models`, keepModelFile) : [];
  const define = {
    __HEARTH_BUNDLED_MODELS__: JSON.stringify(bundled),
    __HEARTH_BUILD_ID__: JSON.stringify(BUILD_ID),
  };
  return {
    define,
    plugins: [
      solid(),
      staticDirs([
        { url: '/models/', dir: `${root}models`, filter: keepModelFile },
        { url: '/ort/', dir: `${root}node_modules/onnxruntime-web/dist`, filter: (rel) => ORT_FILES.has(rel) },
      ]),
      {
        name: 'hearth-build-id',
        transformIndexHtml: (html: string) =>
          html.replace('</head>', `  <meta name="hearth-build" content="${BUILD_ID.replace(/[^\w.-]/g, '')}" />\n  </head>`),
      },
      VitePWA({
        strategies: 'injectManifest',
        srcDir: 'src',
        filename: 'sw.ts',
        registerType: 'prompt',
        injectRegister: false, // src/pwa/register.ts registers it (workbox-window), in production builds only
        manifestFilename: 'manifest.webmanifest',
        includeAssets: ['favicon-32.png', 'apple-touch-icon.png'],
        manifest: {
          id: '/',
          name: 'Hearth',
          short_name: 'Hearth',
          description: 'A private chat assistant that runs entirely in your browser.',
          start_url: '/',
          scope: '/',
          display: 'standalone',
          theme_color: THEME,
          background_color: THEME,
          icons: [
            { src: '/icon-192.png', sizes: '192x192', type: 'image/png', purpose: 'any' },
            { src: '/icon-512.png', sizes: '512x512', type: 'image/png', purpose: 'any' },
            { src: '/icon-maskable-512.png', sizes: '512x512', type: 'image/png', purpose: 'maskable' },
          ],
        },
        injectManifest: {
          // The app shell and the ORT flavour's loader (.mjs); models are cached by the service
          // worker in their own caches (see src/sw.ts); ORT's wasm is kept by the engine worker
          // (workers/ortWasm.ts: precaching it too meant downloading 27 MB twice on a first visit);
          // the duplicate hashed ORT wasm in assets/ is unused. assets/*.mjs: pdf.js's worker
          // (attachments), so PDFs are read offline too.
          globPatterns: ['**/*.{html,js,css,svg,ico}', 'assets/*.mjs', 'ort/*.mjs', 'models/catalog.json'],
          globIgnores: ['models/*/**/*.{html,js,css,svg,ico}', 'assets/*.wasm', '**/*.map', 'sw.js'],
          maximumFileSizeToCacheInBytes: 64 * 1024 * 1024,
          buildPlugins: {
            vite: [
              {
                name: 'hearth-sw-build',
                config(c) {
                  // vite-plugin-pwa asks for one file with the deprecated `inlineDynamicImports`.
                  const out = c.build?.rollupOptions?.output;
                  if (out && !Array.isArray(out) && 'inlineDynamicImports' in out) {
                    delete out.inlineDynamicImports;
                    Object.assign(out, { codeSplitting: false });
                  }
                  return { define, build: { rolldownOptions: { checks: QUIET } } };
                },
              },
            ],
          },
        },
        devOptions: { enabled: false },
      }),
      // After the service worker is written; the unused hashed copy of ORT's wasm is skipped.
      precompress((rel) => rel.startsWith('assets/') && rel.endsWith('.wasm')),
    ],
    worker: { format: 'es', plugins: () => [ortWasmOnly()], rolldownOptions: { checks: QUIET } },
    build: { target: 'es2022', sourcemap: true, chunkSizeWarningLimit: 2048, rolldownOptions: { checks: QUIET } },
    server: { host: '127.0.0.1', headers: crossOriginIsolation },
    preview: { host: '127.0.0.1', headers: crossOriginIsolation },
  };
});
