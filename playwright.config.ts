// End-to-end tests: the built app (`dist/`, built by `npm test` / `vite build` beforehand) served
// by scripts/serve.mjs, driven in the system Chromium. Two projects:
//   wasm    every test except those tagged @webgpu-only, with ?backend=wasm
//   webgpu  only tests tagged @webgpu / @webgpu-only, with ?backend=webgpu on SwiftShader
// Headless Debian Chromium exposes a SwiftShader ("google"/"swiftshader", fallback) WebGPU
// adapter with --enable-unsafe-webgpu alone (in pages and dedicated workers); without that
// flag requestAdapter() returns null.
import { defineConfig } from '@playwright/test';
import type { HearthOptions } from './tests/e2e/helpers';

const PORT = Number(process.env.HEARTH_E2E_PORT ?? 4321);
const BASE_URL = `http://127.0.0.1:${PORT}`;
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const BASE_ARGS = [
  '--no-sandbox',
  '--disable-quic',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];
export const JSON_REPORT = process.env.HEARTH_E2E_JSON ?? 'test-results/e2e-report.json';

export default defineConfig<HearthOptions>({
  testDir: 'tests/e2e',
  outputDir: 'test-results/e2e',
  fullyParallel: false,
  workers: 1,
  retries: 0,
  forbidOnly: !!process.env.CI,
  // Model load + warm-up in WASM takes ~10-20 s on 2 shared cores; the first WebGPU
  // (SwiftShader) shader compile is slower still.
  timeout: 180_000,
  expect: { timeout: 15_000 },
  reporter: [['list'], ['json', { outputFile: JSON_REPORT }]],
  use: {
    baseURL: BASE_URL,
    headless: true,
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    actionTimeout: 15_000,
    navigationTimeout: 30_000,
    launchOptions: { executablePath: CHROMIUM, args: BASE_ARGS },
  },
  projects: [
    {
      name: 'wasm',
      grepInvert: /@webgpu-only/,
      use: { backend: 'wasm', launchOptions: { executablePath: CHROMIUM, args: BASE_ARGS } },
    },
    {
      name: 'webgpu',
      grep: /@webgpu/,
      timeout: 420_000,
      use: {
        backend: 'webgpu',
        launchOptions: { executablePath: CHROMIUM, args: [...BASE_ARGS, '--enable-unsafe-webgpu'] },
      },
    },
  ],
  webServer: {
    command: 'node scripts/serve.mjs',
    url: `${BASE_URL}/`,
    env: { PORT: String(PORT), HOST: '127.0.0.1' },
    reuseExistingServer: !process.env.CI,
    timeout: 30_000,
    stdout: 'ignore',
    stderr: 'pipe',
  },
});
