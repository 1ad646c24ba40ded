#!/usr/bin/env node
// `npm test`: the whole test suite, in order, failing fast.
//   1. make sure Chromium is installed (apt-get install chromium; root or passwordless sudo)
//   2. vitest run           unit, model and sync server tests (tests/unit, tests/model, tests/server;
//                           the server suite also runs on PostgreSQL when TEST_DATABASE_URL is set)
//   3. vite build           the app the end-to-end tests run against (dist/)
//   4. playwright test      end-to-end tests (tests/e2e) in Chromium, WASM and WebGPU
// Ends with one line "N passed, N failed, N skipped" totalled from the vitest and Playwright
// JSON reports, and exits with the first failing step's exit code.
//
// Extra arguments go to Playwright, e.g. `npm test -- --project=wasm`.
// HEARTH_SKIP_UNIT=1 / HEARTH_SKIP_E2E=1 skip a stage (for local iteration only).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { constants as osConstants } from 'node:os';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(fileURLToPath(new URL('.', import.meta.url)), '..');
const BIN = join(ROOT, 'node_modules', '.bin');
const REPORT_DIR = join(ROOT, 'test-results');
const VITEST_JSON = join(REPORT_DIR, 'vitest-report.json');
const PLAYWRIGHT_JSON = join(REPORT_DIR, 'e2e-report.json');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

const totals = { passed: 0, failed: 0, skipped: 0 };
const timings = [];

function log(msg) {
  console.log(`\n[test] ${msg}`);
}

function summaryLine() {
  return `${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`;
}

function finish(code, reason) {
  console.log('');
  for (const t of timings) console.log(`[test] ${t.name.padEnd(16)} ${(t.ms / 1000).toFixed(1).padStart(7)} s  ${t.result}`);
  if (reason) console.error(`\n[test] FAILED: ${reason}`);
  console.log(summaryLine());
  process.exit(code);
}

/** Runs a command with inherited stdio; resolves with its exit code (signals count as failure). */
function run(cmd, args, { env = {}, name } = {}) {
  return new Promise((done) => {
    const started = Date.now();
    const child = spawn(cmd, args, { cwd: ROOT, stdio: 'inherit', env: { ...process.env, ...env } });
    const forward = (sig) => child.kill(sig);
    process.on('SIGINT', forward);
    process.on('SIGTERM', forward);
    child.on('error', (err) => {
      console.error(`[test] could not start ${cmd}: ${err.message}`);
      done(127);
    });
    child.on('exit', (code, signal) => {
      process.off('SIGINT', forward);
      process.off('SIGTERM', forward);
      const rc = code ?? 128 + (osConstants.signals[signal] ?? 1);
      if (name) timings.push({ name, ms: Date.now() - started, result: rc === 0 ? 'ok' : `exit ${rc}` });
      done(rc);
    });
  });
}

function hasCommand(cmd) {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

// ---- 1. Chromium ---------------------------------------------------------------------------
async function ensureChromium() {
  if (existsSync(CHROMIUM)) return;
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  const canSudo = !isRoot && hasCommand('sudo') && spawnSync('sudo', ['-n', 'true'], { stdio: 'ignore' }).status === 0;
  if (!isRoot && !canSudo) {
    finish(
      1,
      `Chromium is missing (${CHROMIUM}) and this user cannot install it (not root, no passwordless sudo).\n` +
        '  Install it, then run npm test again:\n' +
        '    sudo apt-get update && sudo apt-get install -y chromium\n' +
        '  or point CHROMIUM_PATH at an existing Chromium/Chrome binary.',
    );
  }
  // As root: apt-get ...; otherwise: sudo -n env DEBIAN_FRONTEND=noninteractive apt-get ...
  const apt = (args) =>
    isRoot
      ? run('apt-get', args, { env: { DEBIAN_FRONTEND: 'noninteractive' } })
      : run('sudo', ['-n', 'env', 'DEBIAN_FRONTEND=noninteractive', 'apt-get', ...args]);
  log(`Chromium not found at ${CHROMIUM}; installing it with apt-get${isRoot ? '' : ' (sudo -n)'}.`);
  const started = Date.now();
  let rc = await apt(['update']);
  if (rc !== 0) finish(rc, 'apt-get update failed (see above); Chromium could not be installed.');
  rc = await apt(['install', '-y', 'chromium']);
  timings.push({ name: 'chromium', ms: Date.now() - started, result: rc === 0 ? 'installed' : `exit ${rc}` });
  if (rc !== 0) finish(rc, 'apt-get install -y chromium failed (see above).');
  if (!existsSync(CHROMIUM)) {
    finish(1, `Chromium was installed but ${CHROMIUM} still does not exist; set CHROMIUM_PATH to the Chromium binary.`);
  }
}

// ---- report parsing ------------------------------------------------------------------------
function readJson(path, since) {
  try {
    if (!existsSync(path) || statSync(path).mtimeMs < since) return null;
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    return null;
  }
}

/**
 * vitest --reporter=json (Jest-compatible shape). A test file that fails to load has no failed
 * tests of its own; it counts as one failure.
 */
function countVitest(report) {
  const pending = (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
  const brokenFiles = (report.testResults ?? []).filter(
    (f) => f.status === 'failed' && !(f.assertionResults ?? []).some((a) => a.status === 'failed'),
  ).length;
  return { passed: report.numPassedTests ?? 0, failed: (report.numFailedTests ?? 0) + brokenFiles, skipped: pending };
}

/**
 * Playwright JSON reporter: stats.expected / unexpected / flaky / skipped. Errors outside tests
 * (a spec that fails to load, a web server that does not start) count as failures too.
 */
function countPlaywright(report) {
  const s = report.stats ?? {};
  const errors = (report.errors ?? []).length;
  return { passed: s.expected ?? 0, failed: (s.unexpected ?? 0) + (s.flaky ?? 0) + errors, skipped: s.skipped ?? 0 };
}

function add(counts) {
  totals.passed += counts.passed;
  totals.failed += counts.failed;
  totals.skipped += counts.skipped;
}

// ---- main ------------------------------------------------------------------------------------
const extraPlaywrightArgs = process.argv.slice(2);
mkdirSync(REPORT_DIR, { recursive: true });

log(`Chromium: ${CHROMIUM}`);
await ensureChromium();

if (process.env.HEARTH_SKIP_UNIT !== '1') {
  log('vitest run (unit, model and sync server tests)');
  rmSync(VITEST_JSON, { force: true });
  const since = Date.now() - 1000;
  const rc = await run(join(BIN, 'vitest'), ['run', '--reporter=default', '--reporter=json', `--outputFile.json=${VITEST_JSON}`], {
    name: 'vitest',
  });
  const report = readJson(VITEST_JSON, since);
  if (report) add(countVitest(report));
  if (rc !== 0) finish(rc, report ? 'unit/model tests failed (vitest, see above).' : `vitest exited with ${rc} without writing a report (see above).`);
  if (!report) finish(1, `vitest passed but wrote no JSON report to ${VITEST_JSON}.`);
}

if (process.env.HEARTH_SKIP_E2E !== '1') {
  log('vite build');
  let rc = await run(join(BIN, 'vite'), ['build', '--logLevel', 'warn'], {
    name: 'vite build',
    env: { VITE_CONFIG_NATIVE_IGNORE_WARNING: 'true' },
  });
  if (rc !== 0) finish(rc, 'vite build failed (see above).');

  log('playwright test (end-to-end)');
  rmSync(PLAYWRIGHT_JSON, { force: true });
  const since = Date.now() - 1000;
  rc = await run(join(BIN, 'playwright'), ['test', ...extraPlaywrightArgs], {
    name: 'playwright',
    env: { HEARTH_E2E_JSON: PLAYWRIGHT_JSON, CHROMIUM_PATH: CHROMIUM },
  });
  const report = readJson(PLAYWRIGHT_JSON, since);
  if (report) add(countPlaywright(report));
  if (rc !== 0) finish(rc, report ? 'end-to-end tests failed (Playwright, see above).' : `Playwright exited with ${rc} without writing a report (see above).`);
  if (!report) finish(1, `Playwright passed but wrote no JSON report to ${PLAYWRIGHT_JSON}.`);
}

finish(0);
