#!/usr/bin/env node
// `npm run bench`: how fast Hearth runs a model, against the libraries it is built on. Prints a
// Markdown table and writes bench/latest.json. Rows, back to back, on the same ONNX file and the
// same prompt token ids (docs/speed.md says what each row measures):
//   native      onnxruntime-node, plain KV-cache loop (1 and 2 threads)
//   raw web     onnxruntime-web alone in a Web Worker, same loop (the app's asyncify build; also
//               the smaller plain-WASM build, for reference)
//   engine      Hearth's worker engine (WASM, 1 and 2 threads), decoding unguided: one model run per
//               token like every reference row, the model's other reply rules kept (`ratios`)
//   engine (guided)  the same engine as the app decodes, with the model's classifier-free guidance
//               (two model runs per token; only for a guided model, `ratiosGuided`)
//   end to end  typing in the real UI until the last token is rendered and saved
//   stock       transformers.js AutoModelForCausalLM.generate() with its defaults, in a worker
//   webgpu      the engine on WebGPU (SwiftShader here: a software GPU; correctness and overhead)
// for the default model and a SmolLM2-135M-shaped model (random weights, built once into .cache/ by
// scripts/bench/make_llama.py with the model pipeline's .venv, which this script makes when missing:
// scripts/pythonEnv.mjs). Then the first visit of the app: bytes by type, cold and warm, time until
// the message box is usable and until the model is ready.
//   npm run bench -- [--quick] [--models hearth-chat,smollm2-135m] [--skip e2e,webgpu,visit,growth]
//                    [--rows native,raw,engine,stock] [--threads 1,2] [--tokens 128]
//   --quick: fewer, shorter runs written to .cache/bench-quick.json and .md (never bench/latest.*):
//   a check that every row and field is produced, not a measurement.
//   npm run bench -- --profile   CPU profiles of the engine's and the raw-web worker (bench/profile.json)
import { execFileSync } from 'node:child_process';
import { gzipSync } from 'node:zlib';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { createHandler } from './serve.mjs';
import { decodeRate, kvShape, plainDecode } from './bench/plainLoop.js';
import { profileWorkers, summarize } from './bench/profile.mjs';
import { pythonEnv } from './pythonEnv.mjs';

const repo = fileURLToPath(new URL('..', import.meta.url));
const argv = process.argv.slice(2);
const flag = (name) => argv.includes(`--${name}`);
const opt = (name, def) => (argv.includes(`--${name}`) ? argv[argv.indexOf(`--${name}`) + 1] : def);
const QUICK = flag('quick');
const ROWS = opt('rows', 'native,raw,engine,stock').split(',');
const THREADS = opt('threads', '1,2').split(',').map(Number);
const loadAtStart = os.loadavg()[0];
const RUNS = QUICK ? 2 : 6;
/** Interleaved rounds of the in-browser rows (see browserRows). */
const ROUNDS = Math.max(1, Number(opt('rounds', QUICK ? 1 : 2)));
const NEW_TOKENS = Number(opt('tokens', 128));
const TTFT_TOKENS = 200;
const WARMUP_MS = QUICK ? 500 : 2000;
/** The 135M model is ~30x slower per token: fewer runs keep the whole bench near 10 minutes. */
const runsFor = (id) => (id === BIG ? Math.min(RUNS, 3) : RUNS);
const warmupFor = (id) => (id === BIG ? Math.min(WARMUP_MS, 1000) : WARMUP_MS);
const SKIP = new Set(opt('skip', '').split(',').filter(Boolean));
const BIG = 'bench-smollm2-135m';
const MODELS = opt('models', 'hearth-chat,smollm2-135m').split(',').map((m) => (m === 'smollm2-135m' ? BIG : m));
const CACHE = `${repo}.cache/`;
const BIG_DIR = `${CACHE}bench-models/${BIG}/`;
const started = Date.now();
const log = (...a) => console.error(`[bench ${((Date.now() - started) / 1000).toFixed(0)}s]`, ...a);

const DECODE_PROMPT =
  'I am planning a small garden behind my house this spring. The soil is heavy clay and the yard gets ' +
  'sun in the morning and shade after lunch. What vegetables and herbs would grow well there?';
const LONG_TEXT =
  'Our town library is moving to the old railway station next year. The building has tall windows, a ' +
  'wide hall where the trains used to wait, and a small garden by the platform. People want a quiet ' +
  'reading room, a corner for children, space for evening classes and a cafe near the entrance. The ' +
  'roof leaks in two places, the heating is old, and the stairs are hard for people who use a wheelchair. ' +
  'The council has a modest budget and asks volunteers to help paint, move shelves and sort books. ' +
  'Some neighbours worry about parking and noise; others hope the station will bring the street back to ' +
  'life, with a market on Saturdays and music in the summer evenings. Write a plan for the first month.';

// ---------------------------------------------------------------------------------------------
// Models and prompts

/** The SmolLM2-135M-shaped model (random weights), built once into .cache/ with the pipeline's .venv. */
function ensureBigModel() {
  if (existsSync(`${BIG_DIR}onnx/model_quantized.onnx`)) return;
  log('making the model pipeline\'s Python environment if missing (bash scripts/python-env.sh)');
  const py = pythonEnv();
  log(`building the SmolLM2-135M-shaped model with ${py} (random weights, once)`);
  execFileSync('nice', ['-n', '5', py, 'scripts/bench/make_llama.py', '--shape', 'smollm2-135m', '--dtypes', 'q8', '--out', BIG_DIR], {
    cwd: repo,
    stdio: 'inherit',
  });
}

const modelDir = (id) => (id === BIG ? BIG_DIR : `${repo}models/${id}/`);

/** Whether the app decodes `id` with classifier-free guidance (workers/sampling.ts, replyRules). */
function isGuided(id) {
  const file = `${modelDir(id)}generation_config.json`;
  const g = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')).hearth_guidance_scale : undefined;
  return typeof g === 'number' && g > 1 && g <= 4;
}
const GUIDED = 'engine (guided)';

/** The chat-template token ids of the decode prompt and three 200-token prompts (texts and ids). */
async function prompts(id) {
  const { AutoTokenizer, env } = await import('@huggingface/transformers');
  env.allowRemoteModels = false;
  env.localModelPath = id === BIG ? `${CACHE}bench-models/` : `${repo}models/`;
  const tok = await AutoTokenizer.from_pretrained(id);
  const chat = (text) =>
    tok.apply_chat_template([{ role: 'user', content: text }], { add_generation_prompt: true, tokenize: true, return_tensor: false, return_dict: false });
  const exactly = (lead) => {
    const words = `${lead} ${LONG_TEXT} ${LONG_TEXT} ${LONG_TEXT}`.split(' ');
    let lo = 1;
    let hi = words.length;
    while (lo < hi) {
      const mid = Math.ceil((lo + hi) / 2);
      if (chat(words.slice(0, mid).join(' ')).length <= TTFT_TOKENS) lo = mid;
      else hi = mid - 1;
    }
    return words.slice(0, lo).join(' ');
  };
  const ttftTexts = ['Please read this.', 'Here is a question.', 'Think about this.'].map(exactly);
  return {
    texts: { decode: DECODE_PROMPT, ttft: ttftTexts },
    prompts: { decode: chat(DECODE_PROMPT), ttft: chat(ttftTexts[0]) },
  };
}

// ---------------------------------------------------------------------------------------------
// Statistics and rows

const median = (xs) => {
  const v = [...xs].sort((a, b) => a - b);
  const m = Math.floor(v.length / 2);
  return v.length % 2 ? v[m] : (v[m - 1] + v[m]) / 2;
};
const round = (x, d = 1) => (x == null || Number.isNaN(x) ? null : Number(x.toFixed(d)));

function row(name, model, backend, dtype, threads, r, extra = {}) {
  const ttft = median(r.ttft ?? []);
  return {
    name,
    model,
    backend,
    dtype,
    threads,
    loadColdMs: round(r.loadMs, 0),
    loadWarmMs: round(r.warmLoadMs, 0),
    ttftMs: round(ttft, 1),
    ttftPromptTokens: r.ttftPromptTokens ?? TTFT_TOKENS,
    prefillTokensPerSecond: ttft ? round(((r.ttftPromptTokens ?? TTFT_TOKENS) * 1000) / ttft, 0) : null,
    decodeTokensPerSecond: round(median(r.rates ?? []), 1),
    decodeMin: round(Math.min(...(r.rates ?? [NaN])), 1),
    decodeMax: round(Math.max(...(r.rates ?? [NaN])), 1),
    runs: (r.rates ?? []).length,
    memoryMB: r.memoryBytes ? round(r.memoryBytes / 2 ** 20, 0) : null,
    ...extra,
  };
}

async function nativeRows(id, p, config) {
  const ort = (await import('onnxruntime-node')).default;
  const file = `${modelDir(id)}onnx/model_quantized.onnx`;
  const rows = [];
  for (const threads of THREADS) {
    const rss0 = process.memoryUsage().rss;
    const opts = { intraOpNumThreads: threads, interOpNumThreads: 1, graphOptimizationLevel: 'all' };
    let t0 = performance.now();
    const cold = await ort.InferenceSession.create(file, opts);
    const loadMs = performance.now() - t0;
    await cold.release();
    t0 = performance.now();
    const session = await ort.InferenceSession.create(file, opts);
    const warmLoadMs = performance.now() - t0;
    const kv = kvShape(session, config);
    const warm = performance.now();
    while (performance.now() - warm < warmupFor(id)) await plainDecode(ort, session, p.prompts.decode, 16, kv);
    const ttft = [];
    for (let i = 0; i < 3; i++) ttft.push((await plainDecode(ort, session, p.prompts.ttft, 1, kv)).firstTokenMs);
    const rates = [];
    let tokens = [];
    for (let i = 0; i < runsFor(id); i++) {
      const r = await plainDecode(ort, session, p.prompts.decode, NEW_TOKENS, kv);
      rates.push(decodeRate(r.times));
      tokens = r.tokens;
    }
    const memoryBytes = process.memoryUsage().rss - rss0;
    await session.release();
    rows.push(row('native', id, 'onnxruntime-node', 'q8', threads, { loadMs, warmLoadMs, ttft, rates, memoryBytes }, { tokens }));
    log(`native ${id} ${threads}t: ${rows.at(-1).decodeTokensPerSecond} tok/s`);
  }
  return rows;
}

// ---------------------------------------------------------------------------------------------
// Servers and browser

/** Serves `root`, the benchmark model under /models/bench-…/, and counts bytes sent by type. */
function serve(root) {
  const main = createHandler(root);
  const big = createHandler(`${CACHE}bench-models`);
  const bytes = {};
  const files = {};
  const server = http.createServer((req, res) => {
    const type = (req.url.split('?')[0].match(/\.(\w+)$/)?.[1] ?? 'html').toLowerCase();
    const write = res.write.bind(res);
    const end = res.end.bind(res);
    const path = req.url.split('?')[0];
    const count = (chunk) => {
      if (!chunk || typeof chunk === 'function') return;
      const n = Buffer.byteLength(chunk);
      bytes[type] = (bytes[type] ?? 0) + n;
      files[path] = (files[path] ?? 0) + n;
    };
    res.write = (chunk, ...rest) => (count(chunk), write(chunk, ...rest));
    res.end = (chunk, ...rest) => (count(chunk), end(chunk, ...rest));
    const handler = req.url.startsWith(`/models/${BIG}/`) ? big : main;
    if (handler === big) req.url = req.url.slice('/models'.length);
    handler(req, res).catch(() => res.destroy());
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({
        url: `http://127.0.0.1:${server.address().port}`,
        bytes,
        /** Files of more than 1 MB transferred since the last reset, by path. */
        bigFiles: () => Object.fromEntries(Object.entries(files).filter(([, n]) => n > 1e6)),
        reset: () => [bytes, files].forEach((o) => Object.keys(o).forEach((k) => delete o[k])),
        close: () => new Promise((r) => (server.closeAllConnections(), server.close(r))),
      }),
    ),
  );
}

async function pageJob(browser, base, job, timeout = 300_000, profile = null) {
  const context = await browser.newContext();
  const page = await context.newPage();
  const errors = [];
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  page.on('pageerror', (e) => errors.push(e.message));
  const run = async () => {
    await page.goto(`${base}/#${encodeURIComponent(JSON.stringify(job))}`);
    const res = await page
      .waitForFunction(() => window.__bench, null, { timeout, polling: 250 })
      .then((h) => h.jsonValue())
      .catch((e) => ({ ok: false, message: `${e.message.split('\n')[0]} ${errors.slice(0, 3).join(' | ')}` }));
    if (!res.ok) throw new Error(res.message);
    return res.result;
  };
  try {
    if (!profile) return await run();
    const out = await profileWorkers(page, run);
    profile.profile = out.profile;
    profile.workerUrl = out.workerUrl;
    return out.result;
  } finally {
    await context.close();
  }
}

/**
 * `--profile`: one engine job and one raw-web job on the default model (1 thread, long greedy
 * replies), each with its worker under V8's sampling profiler. Writes the profiles to .cache/ and
 * their summaries (self time per function and per kind) to bench/profile.json.
 */
async function profileRun(browser, base) {
  const id = MODELS[0];
  const config = JSON.parse(readFileSync(`${modelDir(id)}config.json`, 'utf8'));
  const p = await prompts(id);
  const common = { model: id, config, texts: p.texts, prompts: p.prompts, newTokens: NEW_TOKENS, runs: RUNS, warmupMs: WARMUP_MS, threads: 1 };
  const out = { machine: machine(), date: new Date().toISOString(), model: id, newTokens: NEW_TOKENS, runs: RUNS, jobs: {} };
  for (const [name, job] of [['engine', { ...common, mode: 'engine', backend: 'wasm' }], ['raw web', { ...common, mode: 'raw', build: 'asyncify' }]]) {
    const prof = {};
    const r = await pageJob(browser, base, job, 300_000, prof);
    const file = `${CACHE}profile-${name.replace(' ', '-')}.cpuprofile`;
    if (prof.profile) writeFileSync(file, JSON.stringify(prof.profile));
    out.jobs[name] = { decodeTokensPerSecond: round(median(r.rates), 1), profileFile: file.replace(repo, ''), ...(prof.profile ? summarize(prof.profile) : { error: 'no profile' }) };
    log(`${name}: ${out.jobs[name].decodeTokensPerSecond} tok/s; ${JSON.stringify(out.jobs[name].byKind)}`);
  }
  mkdirSync(`${repo}bench`, { recursive: true });
  writeFileSync(`${repo}bench/profile.json`, JSON.stringify(out, null, 2) + '\n');
  console.log(JSON.stringify(out, null, 2));
}

/**
 * The in-browser rows, in ROUNDS interleaved rounds (A B C, then C B A, ...): this machine's speed
 * drifts by +-25% over minutes, so rows measured back to back in one block compared badly. Each
 * round runs every row with RUNS / ROUNDS replies; a row's figures pool its rounds, and the ratios
 * pair rows round by round (`roundRates`, see `ratios`).
 */
async function browserRows(browser, base, id, p, config) {
  const runs = Math.max(1, Math.ceil(runsFor(id) / ROUNDS));
  const common = { model: id, config, texts: p.texts, prompts: p.prompts, newTokens: NEW_TOKENS, runs, warmupMs: warmupFor(id) };
  const specs = [];
  for (const threads of ROWS.includes('raw') ? THREADS : []) {
    specs.push({ label: `raw web ${id} ${threads}t`, name: 'raw web', backend: 'wasm (asyncify build)', threads, job: { mode: 'raw', build: 'asyncify', threads } });
  }
  if (ROWS.includes('raw') && id !== BIG) {
    specs.push({ label: `raw web plain ${id} 1t`, name: 'raw web (plain wasm build)', backend: 'wasm (plain build)', threads: 1, job: { mode: 'raw', build: 'plain', threads: 1 } });
    specs.push({ label: `raw web mixed ${id} 1t`, name: 'raw web (WebGPU JS API, plain wasm)', backend: 'wasm (plain build)', threads: 1, job: { mode: 'raw', build: 'mixed', threads: 1 } });
  }
  for (const threads of ROWS.includes('engine') ? THREADS : []) {
    specs.push({ label: `engine ${id} ${threads}t`, name: 'engine', threads, engine: true, job: { mode: 'engine', backend: 'wasm', threads, guided: false } });
  }
  for (const threads of ROWS.includes('engine') && isGuided(id) ? THREADS : []) {
    specs.push({ label: `engine guided ${id} ${threads}t`, name: GUIDED, threads, engine: true, job: { mode: 'engine', backend: 'wasm', threads, guided: true } });
  }
  for (const threads of !ROWS.includes('stock') ? [] : id === BIG ? THREADS.slice(0, 1) : THREADS) {
    specs.push({ label: `stock ${id} ${threads}t`, name: 'stock', backend: 'wasm', threads, job: { mode: 'stock', threads } });
  }
  const results = new Map(specs.map((s) => [s.label, []]));
  const errors = new Map();
  for (let k = 0; k < ROUNDS; k++) {
    for (const s of k % 2 ? [...specs].reverse() : specs) {
      try {
        const r = await pageJob(browser, base, { ...common, ...s.job });
        results.get(s.label).push(r);
        log(`${s.label} (round ${k + 1}/${ROUNDS}): ${round(median(r.rates), 1)} tok/s`);
      } catch (e) {
        log(`${s.label} failed: ${e.message}`);
        errors.set(s.label, e.message);
      }
    }
  }
  return specs.map((s) => {
    const rs = results.get(s.label);
    if (!rs.length) return { name: s.name, model: id, error: errors.get(s.label) ?? 'no result' };
    const pooled = { ...rs[0], rates: rs.flatMap((r) => r.rates), ttft: rs.flatMap((r) => r.ttft ?? []) };
    const roundRates = rs.length === ROUNDS ? rs.map((r) => round(median(r.rates), 1)) : null;
    const extra = s.engine ? { promptTokens: rs[0].promptTokens, completionTokens: rs[0].completionTokens } : {};
    return row(s.name, id, s.engine ? rs[0].backend : s.backend, s.engine ? rs[0].dtype : 'q8', s.engine ? rs[0].threads : s.threads, pooled, { ...extra, roundRates });
  });
}

/** The real app: type the prompt, time the reply until the last token is rendered and saved. */
async function endToEnd(browser, base, id) {
  const context = await browser.newContext();
  const page = await context.newPage();
  try {
    await page.goto(`${base}/?model=${id}&backend=wasm&temperature=0`);
    await page.locator('[role=status][data-state="ready"]').first().waitFor({ timeout: 180_000 });
    const box = page.getByRole('textbox', { name: 'Message' });
    const runs = [];
    for (let i = 0; i <= Math.min(runsFor(id), 5); i++) {
      await page.getByRole('button', { name: 'New chat', exact: true }).click();
      await page.evaluate(() => {
        const w = window;
        w.__e2e = { first: 0, last: 0 };
        const obs = new MutationObserver(() => {
          const a = [...document.querySelectorAll('article')].filter((x) => (x.getAttribute('aria-label') ?? '').startsWith('Assistant')).at(-1);
          if (!a || !a.textContent?.trim()) return;
          const now = performance.now();
          w.__e2e.first ||= now;
          if (a.getAttribute('data-status') === 'streaming') w.__e2e.last = now;
        });
        obs.observe(document.body, { subtree: true, childList: true, characterData: true });
        w.__e2e.obs = obs;
      });
      await box.fill(DECODE_PROMPT);
      const t0 = await page.evaluate(() => performance.now());
      await box.press('Enter');
      await page.waitForFunction(
        () => [...document.querySelectorAll('article')].some((a) => (a.getAttribute('aria-label') ?? '').startsWith('Assistant') && a.getAttribute('data-status') === 'complete'),
        null,
        { timeout: 300_000, polling: 20 },
      );
      const doneAt = await page.evaluate(() => performance.now());
      const saved = await page.evaluate(
        () =>
          new Promise((resolve) => {
            const req = indexedDB.open('hearth');
            req.onsuccess = () => {
              const all = req.result.transaction('messages').objectStore('messages').getAll();
              all.onsuccess = () => {
                const msgs = all.result.filter((m) => m.role === 'assistant').sort((a, b) => a.createdAt - b.createdAt);
                resolve(msgs.at(-1) ?? null);
              };
            };
          }),
      );
      const timing = await page.evaluate(() => ({ first: window.__e2e.first, last: window.__e2e.last }));
      const n = saved?.metadata?.completionTokens ?? 0;
      const span = doneAt - timing.first;
      if (i === 0) continue; // warm-up
      runs.push({
        e2eRate: n > 1 && span > 0 ? ((n - 1) * 1000) / span : 0,
        engineRate: saved?.metadata?.tokensPerSecond ?? 0,
        tokens: n,
        firstRenderMs: timing.first - t0,
        totalMs: doneAt - t0,
        saved: saved?.status === 'complete' && (saved?.content ?? '').length > 0,
      });
    }
    const threads = await page.locator('[role=status]').first().getAttribute('data-threads').catch(() => null);
    return { runs, threads };
  } finally {
    await context.close();
  }
}

/** First visit of the app (fresh profile), then a warm reload: bytes by type and timings. */
async function firstVisit(browser, server) {
  const context = await browser.newContext();
  const page = await context.newPage();
  const visit = async (go) => {
    server.reset();
    const t0 = Date.now();
    await go();
    await page.getByRole('textbox', { name: 'Message' }).waitFor({ state: 'visible' });
    await page.waitForFunction(() => {
      const box = document.querySelector('textarea, [role=textbox]');
      return box && !box.hasAttribute('disabled');
    });
    const usableMs = Date.now() - t0;
    const phases = [];
    const status = page.locator('[role=status][data-state]').first();
    const poll = setInterval(() => {
      status.textContent({ timeout: 500 }).then((t) => {
        if (t && phases.at(-1)?.text !== t) phases.push({ atMs: Date.now() - t0, text: t.trim().slice(0, 80) });
      }, () => undefined);
    }, 100);
    await page.locator('[role=status][data-state="ready"]').first().waitFor({ timeout: 180_000 });
    clearInterval(poll);
    const readyMs = Date.now() - t0;
    // Let the service worker finish installing (its precache is part of the first visit).
    await page.evaluate(() => navigator.serviceWorker?.ready.then(() => undefined));
    await page.waitForTimeout(1500);
    return { usableMs, readyMs, bytes: { ...server.bytes }, bigFiles: server.bigFiles(), totalBytes: Object.values(server.bytes).reduce((a, b) => a + b, 0), phases };
  };
  try {
    const cold = await visit(() => page.goto(`${server.url}/`));
    const warm = await visit(() => page.reload());
    return { cold, warm };
  } finally {
    await context.close();
  }
}

/** The app's entry script (and the scripts it preloads): bytes and gzipped bytes. */
function mainJs(dist) {
  const html = readFileSync(`${dist}/index.html`, 'utf8');
  const files = [...html.matchAll(/(?:src|href)="\/(assets\/[^"]+\.js)"/g)].map((m) => m[1]);
  let bytes = 0;
  let gzip = 0;
  for (const f of files) {
    const body = readFileSync(`${dist}/${f}`);
    bytes += body.length;
    gzip += gzipSync(body, { level: 9 }).length;
  }
  return { files, bytes, gzipBytes: gzip };
}

// ---------------------------------------------------------------------------------------------

function machine() {
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  const busy = ` (load average ${loadAtStart.toFixed(1)} at the start, ${os.loadavg()[0].toFixed(1)} at the end${loadAtStart > os.cpus().length ? ': a busy machine, figures are not representative' : ''})`;
  return `${cpu}, ${os.cpus().length} cores, ${Math.round(os.totalmem() / 2 ** 30)} GB, ${os.platform()} ${os.release()}, Node ${process.version}${busy}`;
}

const best = (rows, name, model) =>
  rows.filter((r) => (typeof name === 'function' ? name(r.name) : r.name === name) && r.model === model && r.decodeTokensPerSecond).sort((a, b) => b.decodeTokensPerSecond - a.decodeTokensPerSecond)[0];

/**
 * Decode ratios of the engine's best row (`engineName`: 'engine', unguided, like for like with the
 * references, which decode one sequence; or GUIDED, as the app decodes) against each reference's
 * best. Rows measured in the same interleaved rounds are paired round by round (median of the
 * per-round ratios), which cancels the machine's drift; otherwise (native runs in Node, outside the
 * rounds) it is the ratio of medians. "raw web" is the fastest raw-web variant: this runtime's
 * ceiling in a browser. null when the model has no such engine row (an unguided model has no
 * guided row).
 */
function ratios(rows, model, engineName = 'engine') {
  const paired = (a, b) => {
    if (!a || !b) return null;
    const x = a.roundRates;
    const y = b.roundRates;
    if (x && y && x.length === y.length) return round(median(x.map((v, i) => v / y[i])), 2);
    return round(a.decodeTokensPerSecond / b.decodeTokensPerSecond, 2);
  };
  const engine = best(rows, engineName, model);
  if (!engine) return null;
  const rawWeb = best(rows, (n) => n.startsWith('raw web'), model);
  const stock = best(rows, 'stock', model);
  const e2e = rows.find((r) => r.name === 'end to end' && r.model === model);
  return {
    engineVsNative: paired(engine, best(rows, 'native', model)),
    engineVsRawWeb: paired(engine, rawWeb),
    engineVsStock: paired(engine, stock),
    endToEndVsEngine: e2e?.sameReplyRatio ?? null,
    // The ceiling of engineVsStock for any loop on this runtime and file: a loop that matched
    // the raw one exactly would score this.
    rawWebVsStock: paired(rawWeb, stock),
  };
}

const ratioText = (r) =>
  Object.entries(r ?? { none: null })
    .map(([k, v]) => `${k} ${v ?? '–'}`)
    .join(', ');

function table(rows) {
  const fmt = (x, unit = '') => (x == null ? '–' : `${x}${unit}`);
  const lines = [
    '| row | model | backend | threads | load cold / warm (ms) | TTFT 200 tok (ms) | prefill tok/s | decode tok/s (min–max) | memory |',
    '|---|---|---|---|---|---|---|---|---|',
  ];
  for (const r of rows) {
    if (r.error) {
      lines.push(`| ${r.name} | ${r.model} | error: ${r.error.slice(0, 80)} | | | | | | |`);
      continue;
    }
    lines.push(
      `| ${r.name} | ${r.model} | ${r.backend} ${r.dtype ?? ''} | ${fmt(r.threads)} | ${fmt(r.loadColdMs)} / ${fmt(r.loadWarmMs)} | ${fmt(r.ttftMs)} | ${fmt(r.prefillTokensPerSecond)} | ` +
        `**${fmt(r.decodeTokensPerSecond)}** (${fmt(r.decodeMin)}–${fmt(r.decodeMax)})${r.note ? ` ${r.note}` : ''} | ${fmt(r.memoryMB, ' MB')} |`,
    );
  }
  return lines.join('\n');
}

async function main() {
  log('building the benchmark page and the app');
  if (!flag('no-build')) execFileSync('npx', ['vite', 'build', '--config', 'scripts/bench/vite.config.ts'], { cwd: repo, stdio: 'inherit' });
  if (!flag('no-build') && !flag('profile') && (!SKIP.has('e2e') || !SKIP.has('visit'))) {
    execFileSync('npx', ['vite', 'build', '--outDir', '.cache/bench-app', '--emptyOutDir', '--logLevel', 'warn'], { cwd: repo, stdio: 'inherit' });
  }
  if (!flag('profile') && MODELS.includes(BIG)) ensureBigModel();
  const models = flag('profile') ? MODELS.slice(0, 1) : MODELS;
  const growth = [];
  if (!SKIP.has('growth') && !flag('profile')) {
    for (const id of models.filter((m) => m !== BIG)) {
      try {
        const out = execFileSync('npx', ['tsx', 'scripts/bench/growth.ts', `${repo}models/`, id, '200'], { cwd: repo, encoding: 'utf8' });
        growth.push(JSON.parse(out.trim().split('\n').pop()));
        log(`growth ${id}: ${JSON.stringify(growth.at(-1))}`);
      } catch (err) {
        log(`growth ${id} failed: ${err.message.split('\n')[0]}`);
      }
    }
  }
  const benchServer = await serve(`${CACHE}bench-dist`);
  const appServer = await serve(`${CACHE}bench-app`);
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-quic', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--enable-unsafe-webgpu', '--enable-blink-features=ForceEagerMeasureMemory'],
  });
  const rows = [];
  let visit = null;
  const webgpu = [];
  if (flag('profile')) {
    try {
      await profileRun(browser, benchServer.url);
    } finally {
      await browser.close();
      await benchServer.close();
      await appServer.close();
    }
    return;
  }
  try {
    for (const id of models) {
      const config = JSON.parse(readFileSync(`${modelDir(id)}config.json`, 'utf8'));
      const p = await prompts(id);
      if (ROWS.includes('native')) rows.push(...(await nativeRows(id, p, config)));
      rows.push(...(await browserRows(browser, benchServer.url, id, p, config)));
      if (!SKIP.has('e2e')) {
        try {
          const e = await endToEnd(browser, appServer.url, id);
          const rates = e.runs.map((r) => r.e2eRate);
          const ratio = median(e.runs.map((r) => (r.engineRate ? r.e2eRate / r.engineRate : 0)));
          rows.push({
            ...row('end to end', id, 'wasm', 'q8', e.threads ? Number(e.threads) : null, { rates, ttft: [] }),
            ttftMs: null,
            prefillTokensPerSecond: null,
            sameReplyRatio: round(ratio, 2),
            note: `(replies of ${median(e.runs.map((r) => r.tokens))} tokens; the engine's own rate on the same replies ${round(median(e.runs.map((r) => r.engineRate)), 1)})`,
            firstRenderMs: round(median(e.runs.map((r) => r.firstRenderMs)), 0),
            allSaved: e.runs.every((r) => r.saved),
          });
          log(`end to end ${id}: ${rows.at(-1).decodeTokensPerSecond} tok/s`);
        } catch (err) {
          log(`end to end ${id} failed: ${err.message}`);
          rows.push({ name: 'end to end', model: id, error: err.message });
        }
      }
    }
    if (!SKIP.has('webgpu') && models.includes('hearth-chat')) {
      const id = 'hearth-chat';
      const p = await prompts(id);
      const common = { model: id, config: {}, texts: { ...p.texts, ttft: p.texts.ttft.slice(0, 1) }, prompts: p.prompts, newTokens: 16, runs: 1, warmupMs: 0, threads: 1, mode: 'engine', dtype: 'fp32' };
      try {
        const gpu = await pageJob(browser, benchServer.url, { ...common, backend: 'webgpu' }, 240_000);
        const cpu = await pageJob(browser, benchServer.url, { ...common, backend: 'wasm' });
        webgpu.push({
          ...row('webgpu (SwiftShader, software GPU)', id, gpu.backend, gpu.dtype, null, gpu),
          sameTextAsWasmFp32: gpu.text === cpu.text,
          wasmFp32DecodeTokensPerSecond: round(median(cpu.rates), 1),
        });
        log(`webgpu: ${webgpu[0].decodeTokensPerSecond} tok/s, same text as wasm fp32: ${webgpu[0].sameTextAsWasmFp32}`);
      } catch (err) {
        webgpu.push({ name: 'webgpu (SwiftShader, software GPU)', model: id, error: err.message });
      }
    }
    if (!SKIP.has('visit')) {
      try {
        visit = await firstVisit(browser, appServer);
        log(`first visit: ${(visit.cold.totalBytes / 1e6).toFixed(1)} MB, usable ${visit.cold.usableMs} ms, ready ${visit.cold.readyMs} ms`);
      } catch (err) {
        visit = { error: err.message };
      }
    }
  } finally {
    await browser.close();
    await benchServer.close();
    await appServer.close();
  }
  const all = [...rows, ...webgpu];
  const out = {
    machine: machine(),
    date: new Date().toISOString(),
    settings: { quick: QUICK, newTokens: NEW_TOKENS, runs: RUNS, rounds: ROUNDS, runs135m: runsFor(BIG), ttftPromptTokens: TTFT_TOKENS, greedy: true, warmupMs: WARMUP_MS },
    rows: all.map(({ tokens, ...r }) => r),
    // Like for like: the engine unguided, one model run per token as every reference decodes.
    ratios: ratios(rows, 'hearth-chat'),
    // The engine as the app decodes the default model (guided: two model runs per token).
    ratiosGuided: ratios(rows, 'hearth-chat', GUIDED),
    ratios135m: ratios(rows, BIG),
    firstVisit: visit,
    growth,
    mainJs: existsSync(`${CACHE}bench-app/index.html`) ? mainJs(`${CACHE}bench-app`) : null,
    seconds: Math.round((Date.now() - started) / 1000),
  };
  const outBase = QUICK ? `${CACHE}bench-quick` : `${repo}bench/latest`;
  mkdirSync(QUICK ? CACHE : `${repo}bench`, { recursive: true });
  writeFileSync(`${outBase}.json`, JSON.stringify(out, null, 2) + '\n');
  const md = [`Measured ${out.date.slice(0, 16).replace('T', ' ')} UTC on ${out.machine}.`, '', table(all), ''];
  md.push(
    `Decode ratios, default model, engine unguided (like for like): ${ratioText(out.ratios)}. ` +
      `Default model, engine guided as the app decodes: ${ratioText(out.ratiosGuided)}. SmolLM2-135M shape (unguided model): ${ratioText(out.ratios135m)}.`,
  );
  if (visit && !visit.error) {
    const mb = (b) => `${(b / 1e6).toFixed(2)} MB`;
    for (const k of ['cold', 'warm']) {
      const v = visit[k];
      const by = Object.entries(v.bytes).sort((a, b) => b[1] - a[1]).map(([t, b]) => `${t} ${mb(b)}`).join(', ');
      md.push('', `First visit, ${k}: ${mb(v.totalBytes)} transferred (${by}); message box usable after ${v.usableMs} ms; model ready after ${v.readyMs} ms.`);
    }
  } else if (visit?.error) md.push('', `First visit: failed (${visit.error}).`);
  for (const g of growth) {
    const f = (x) => x.toFixed(2);
    md.push(
      '',
      `Cost per token as a ${g.generate.tokens}-token reply grows (${g.model}, Node, ms per token, first quarter → last quarter): ` +
        `transformers.js generate() with its TextStreamer and 4-gram processor (the engine's former path) ${f(g.generate.firstQuarterMsPerToken)} → ${f(g.generate.lastQuarterMsPerToken)}; ` +
        `Hearth's loop with its guard and detokenizer ${f(g.hearthLoop.firstQuarterMsPerToken)} → ${f(g.hearthLoop.lastQuarterMsPerToken)}.`,
    );
  }
  if (out.mainJs) md.push('', `Main JS: ${(out.mainJs.gzipBytes / 1024).toFixed(1)} kB gzipped (${(out.mainJs.bytes / 1024).toFixed(1)} kB).`);
  const text = md.join('\n');
  writeFileSync(`${outBase}.md`, `${text}\n`);
  console.log(`\n${text}\n\n${outBase.replace(repo, '')}.json and .md written (${out.seconds} s)`);
  if (flag('readme') && !QUICK) {
    const readme = readFileSync(`${repo}README.md`, 'utf8');
    const next = readme.replace(/<!-- bench:start -->[\s\S]*?<!-- bench:end -->/, `<!-- bench:start -->\n${text}\n<!-- bench:end -->`);
    writeFileSync(`${repo}README.md`, next);
  }
}

await main();
