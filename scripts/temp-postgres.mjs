#!/usr/bin/env node
// A throwaway PostgreSQL cluster for tests and benchmarks (never for data you keep).
//   node scripts/temp-postgres.mjs start <dir> [port]   init (if needed) and start (fsync off); prints the database URL
//   node scripts/temp-postgres.mjs stop <dir>           stop it (fast shutdown)
// Uses the PostgreSQL binaries in PG_BIN or /usr/lib/postgresql/<newest>/bin. As root it runs them
// as the `postgres` user (initdb refuses root). Listens on 127.0.0.1 only; trust auth; database `hearth`.
import { spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export function postgresBin() {
  if (process.env.PG_BIN) return existsSync(join(process.env.PG_BIN, 'pg_ctl')) ? process.env.PG_BIN : null;
  const base = '/usr/lib/postgresql';
  if (!existsSync(base)) return null;
  const versions = readdirSync(base).filter((v) => existsSync(join(base, v, 'bin', 'pg_ctl'))).sort((a, b) => Number(b) - Number(a));
  return versions.length ? join(base, versions[0], 'bin') : null;
}

const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;

function run(bin, cmd, args) {
  const full = join(bin, cmd);
  const [exe, argv] = isRoot ? ['runuser', ['-u', 'postgres', '--', full, ...args]] : [full, args];
  const r = spawnSync(exe, argv, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

/**
 * Starts a cluster in `dir` on 127.0.0.1:`port`; returns {url, stop()}. `fsync: false` (tests)
 * trades crash safety of the cluster itself for speed.
 */
export function startTempPostgres(dir, port = 54329, { fsync = true } = {}) {
  const bin = postgresBin();
  if (!bin) throw new Error('PostgreSQL binaries not found (install postgresql or set PG_BIN)');
  dir = resolve(dir);
  const data = join(dir, 'data');
  mkdirSync(dir, { recursive: true });
  if (isRoot) {
    const pw = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
    const gw = spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' });
    chownSync(dir, Number(pw.stdout), Number(gw.stdout));
    if (spawnSync('runuser', ['-u', 'postgres', '--', 'test', '-w', dir]).status !== 0) {
      throw new Error(`the postgres user cannot write ${dir}: put it where every parent directory is searchable (e.g. directly in /tmp)`);
    }
  }
  if (!existsSync(join(data, 'PG_VERSION'))) run(bin, 'initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync']);
  run(bin, 'pg_ctl', [
    '-D', data, '-l', join(dir, 'postgres.log'), '-w', '-t', '60',
    '-o', `-c listen_addresses=127.0.0.1 -p ${port} -k ${dir} -c fsync=${fsync ? 'on' : 'off'} -c max_connections=200`,
    'start',
  ]);
  const created = spawnSync(isRoot ? 'runuser' : join(bin, 'createdb'), isRoot
    ? ['-u', 'postgres', '--', join(bin, 'createdb'), '-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', 'hearth']
    : ['-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', 'hearth'], { encoding: 'utf8' });
  if (created.status !== 0 && !/already exists/.test(created.stderr)) throw new Error(`createdb failed: ${created.stderr}`);
  return { url: `postgres://postgres@127.0.0.1:${port}/hearth`, stop: () => stopTempPostgres(dir) };
}

export function stopTempPostgres(dir) {
  const bin = postgresBin();
  const data = join(resolve(dir), 'data');
  if (bin && existsSync(join(data, 'postmaster.pid'))) run(bin, 'pg_ctl', ['-D', data, '-m', 'fast', '-w', 'stop']);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const [cmd, dir, port] = process.argv.slice(2);
  if (cmd === 'start' && dir) console.log(startTempPostgres(dir, port ? Number(port) : undefined, { fsync: false }).url);
  else if (cmd === 'stop' && dir) stopTempPostgres(dir);
  else {
    console.error('usage: temp-postgres.mjs start <dir> [port] | stop <dir>');
    process.exit(2);
  }
}
