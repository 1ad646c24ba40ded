#!/usr/bin/env node
// `npm test`: the whole test suite, in order, failing fast. Sets up what it needs on a fresh machine.
//   1. system packages      Chromium, PostgreSQL and python3-venv, installed with apt-get when missing
//                           (root or passwordless sudo)
//   2. tsc --noEmit         type check of the app, server, workers and tests
//   3. python env           the model pipeline's .venv (bash scripts/python-env.sh, from pip's configured
//                           index / wheels on disk); its interpreter is HEARTH_PYTHON for vitest
//   4. postgres             a throwaway PostgreSQL cluster (scripts/temp-postgres.mjs) on a free loopback
//                           port, stopped when the run ends; TEST_DATABASE_URL for the server suite
//                           (unless TEST_DATABASE_URL is already set)
//   5. vitest run           unit, model and sync server tests (tests/unit, tests/model, tests/server;
//                           the server suite runs on PGlite and on PostgreSQL)
//   6. vite build           the app the end-to-end tests run against (dist/)
//   7. playwright test      end-to-end tests (tests/e2e) in Chromium, WASM and WebGPU
// Ends with one line "N passed, N failed, N skipped" totalled from the vitest and Playwright
// JSON reports, and exits with the first failing step's exit code.
//
// Extra arguments go to Playwright, e.g. `npm test -- --project=wasm`.
// HEARTH_SKIP_UNIT=1 / HEARTH_SKIP_E2E=1 skip a stage (for local iteration only).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { constants as osConstants, tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { pythonEnv } from './pythonEnv.mjs';
import { postgresBin, startTempPostgres } from './temp-postgres.mjs';

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

let stopPostgres = null;

function finish(code, reason) {
  if (stopPostgres) stopPostgres();
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

// ---- 1. system packages ---------------------------------------------------------------------
const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
let aptUpdated = false;

/** apt-get install -y `pkg` (as root, or with passwordless sudo); ends the run with `hint` when it cannot. */
async function aptInstall(pkg, why, hint) {
  const canSudo = !isRoot && hasCommand('sudo') && spawnSync('sudo', ['-n', 'true'], { stdio: 'ignore' }).status === 0;
  if (!isRoot && !canSudo) {
    finish(
      1,
      `${why} and this user cannot install it (not root, no passwordless sudo).\n` +
        '  Install it, then run npm test again:\n' +
        `    sudo apt-get update && sudo apt-get install -y ${pkg}\n` +
        (hint ? `  ${hint}` : ''),
    );
  }
  // As root: apt-get ...; otherwise: sudo -n env DEBIAN_FRONTEND=noninteractive apt-get ...
  const apt = (args) =>
    isRoot
      ? run('apt-get', args, { env: { DEBIAN_FRONTEND: 'noninteractive' } })
      : run('sudo', ['-n', 'env', 'DEBIAN_FRONTEND=noninteractive', 'apt-get', ...args]);
  log(`${why}; installing ${pkg} with apt-get${isRoot ? '' : ' (sudo -n)'}.`);
  const started = Date.now();
  if (!aptUpdated) {
    const rc = await apt(['update']);
    if (rc !== 0) finish(rc, `apt-get update failed (see above); ${pkg} could not be installed.`);
    aptUpdated = true;
  }
  // No recommends: keeps the install small (python3-venv, postgresql and chromium need none).
  const rc = await apt(['install', '-y', '--no-install-recommends', pkg]);
  timings.push({ name: pkg, ms: Date.now() - started, result: rc === 0 ? 'installed' : `exit ${rc}` });
  if (rc !== 0) finish(rc, `apt-get install -y ${pkg} failed (see above).`);
}

async function ensureChromium() {
  if (existsSync(CHROMIUM)) return;
  await aptInstall('chromium', `Chromium is missing (${CHROMIUM})`, 'or point CHROMIUM_PATH at an existing Chromium/Chrome binary.');
  if (!existsSync(CHROMIUM)) {
    finish(1, `Chromium was installed but ${CHROMIUM} still does not exist; set CHROMIUM_PATH to the Chromium binary.`);
  }
}

async function ensurePostgres() {
  if (process.env.TEST_DATABASE_URL || postgresBin()) return;
  await aptInstall('postgresql', 'PostgreSQL (for the sync server suite) is missing', 'or set PG_BIN to a PostgreSQL bin directory, or TEST_DATABASE_URL to a database.');
  if (!postgresBin()) finish(1, 'postgresql was installed but no /usr/lib/postgresql/<version>/bin/pg_ctl exists; set PG_BIN.');
}

async function ensureVenvModule() {
  if (process.env.HEARTH_PYTHON) return;
  if (!hasCommand('python3')) await aptInstall('python3', 'python3 (for the model pipeline) is missing');
  // Debian/Ubuntu ship venv without ensurepip's wheels: `python3 -m venv` needs python3-venv.
  const debianWithoutVenv = hasCommand('dpkg') && spawnSync('sh', ['-c', "dpkg -s python3-venv 2>/dev/null | grep -q '^Status: install ok installed'"]).status !== 0;
  if (debianWithoutVenv || spawnSync('python3', ['-c', 'import ensurepip, venv'], { stdio: 'ignore' }).status !== 0) {
    await aptInstall('python3-venv', "python3's venv module (for the model pipeline's .venv) is missing");
  }
}

// ---- 3. python env, 4. postgres ---------------------------------------------------------------
/** HEARTH_PYTHON when set, else the .venv (scripts/pythonEnv.mjs). */
function pythonPath() {
  const started = Date.now();
  try {
    const py = pythonEnv();
    timings.push({ name: 'python env', ms: Date.now() - started, result: 'ok' });
    return py;
  } catch (err) {
    finish(1, err.message);
  }
}

/** A port the OS says is free on the loopback interface right now. */
function freePort() {
  return new Promise((done, fail) => {
    const srv = createServer();
    srv.once('error', fail);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => done(port));
    });
  });
}

/** TEST_DATABASE_URL when set, else a throwaway cluster started now and stopped by finish(). */
async function postgresUrl() {
  if (process.env.TEST_DATABASE_URL) return process.env.TEST_DATABASE_URL;
  const started = Date.now();
  const dir = mkdtempSync(join(tmpdir(), 'hearth-test-pg-'));
  const port = Number(process.env.HEARTH_TEST_PG_PORT) || (await freePort());
  try {
    const pg = startTempPostgres(dir, port, { fsync: false });
    stopPostgres = () => {
      stopPostgres = null;
      try {
        pg.stop();
      } catch (err) {
        console.error(`[test] could not stop the test PostgreSQL in ${dir}: ${err.message}`);
      }
      rmSync(dir, { recursive: true, force: true });
    };
    for (const sig of ['SIGINT', 'SIGTERM']) process.once(sig, () => finish(128 + osConstants.signals[sig], `stopped by ${sig}`));
    timings.push({ name: 'postgres', ms: Date.now() - started, result: `ok (port ${port})` });
    return pg.url;
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    finish(1, `could not start a test PostgreSQL: ${err.message}`);
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
  await ensurePostgres();
  await ensureVenvModule();

  log('tsc --noEmit (type check)');
  let rc = await run(join(BIN, 'tsc'), ['--noEmit', '-p', 'tsconfig.json'], { name: 'tsc' });
  if (rc !== 0) finish(rc, 'type errors (tsc --noEmit, see above).');

  log('python env (bash scripts/python-env.sh)');
  const HEARTH_PYTHON = pythonPath();
  log(`HEARTH_PYTHON=${HEARTH_PYTHON}`);

  log('postgres (scripts/temp-postgres.mjs)');
  const TEST_DATABASE_URL = await postgresUrl();
  log(`TEST_DATABASE_URL=${TEST_DATABASE_URL}`);

  log('vitest run (unit, model and sync server tests)');
  rmSync(VITEST_JSON, { force: true });
  const since = Date.now() - 1000;
  rc = await run(join(BIN, 'vitest'), ['run', '--reporter=default', '--reporter=json', `--outputFile.json=${VITEST_JSON}`], {
    name: 'vitest',
    env: { HEARTH_PYTHON, TEST_DATABASE_URL },
  });
  if (stopPostgres) stopPostgres();
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
