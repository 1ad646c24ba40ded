#!/usr/bin/env node
// `npm run bench`: decode and prefill speed of a model per backend and dtype in headless
// Chromium (the real worker engine, with warm-up). Usage:
//   npm run bench -- [--model hearth-chat] [--configs wasm:q8,wasm:fp32,webgpu:fp32] [--tokens 64]
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { startServer } from './serve.mjs';

const repo = fileURLToPath(new URL('..', import.meta.url));
const args = Object.fromEntries(
  process.argv.slice(2).reduce((acc, a, i, all) => (a.startsWith('--') ? [...acc, [a.slice(2), all[i + 1]]] : acc), []),
);
const model = args.model ?? 'hearth-chat';
const tokens = args.tokens ?? '64';
const configs = (args.configs ?? 'wasm:q8,wasm:fp32,wasm:q4,webgpu:fp32,webgpu:q4').split(',').map((c) => {
  const [backend, dtype] = c.split(':');
  return { backend, dtype };
});

execFileSync('npx', ['vite', 'build', '--config', 'scripts/bench/vite.config.ts'], { cwd: repo, stdio: 'inherit' });
const server = await startServer({ root: `${repo}.cache/bench-dist`, port: Number(process.env.BENCH_PORT ?? 0) });
const base = server.url.replace(/\/$/, '');
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-quic', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--enable-unsafe-webgpu'],
});
const rows = [];
try {
  for (const { backend, dtype } of configs) {
    const page = await browser.newPage();
    const url = `${base}/?model=${model}&backend=${backend}&dtype=${dtype}&tokens=${tokens}&runs=${backend === 'webgpu' ? 1 : 3}`;
    await page.goto(url);
    const res = await page.waitForFunction(() => window.__bench, null, { timeout: 600_000, polling: 500 }).then((h) => h.jsonValue());
    rows.push(res.ok ? res.result : { backend, dtype, error: res.message });
    console.log(JSON.stringify(rows.at(-1)));
    await page.close();
  }
} finally {
  await browser.close();
  await server.close();
}
console.log('\nmodel', model);
console.table(
  rows.map((r) => ({
    backend: r.backend,
    dtype: r.dtype,
    threads: r.threads,
    'load ms': r.loadMs,
    'prompt tok': r.promptTokens,
    'first token ms': r.firstTokenMs,
    'decode tok/s': r.decodeTokensPerSecond,
    error: r.error,
  })),
);
