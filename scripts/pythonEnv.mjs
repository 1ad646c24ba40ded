// The model pipeline's Python for Node scripts (npm test, npm run bench): HEARTH_PYTHON when set,
// else the repository's .venv, made (once; kept while scripts/requirements.txt is unchanged) by
// scripts/python-env.sh from pip's configured index (a local wheel mirror keeps it offline).
import { spawnSync } from 'node:child_process';
import { isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(fileURLToPath(new URL('.', import.meta.url)), '..');

/** Absolute path of the interpreter; throws with pip's output above it when the .venv cannot be made. */
export function pythonEnv() {
  if (process.env.HEARTH_PYTHON) return process.env.HEARTH_PYTHON;
  const r = spawnSync('bash', [join(ROOT, 'scripts', 'python-env.sh')], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  const out = (r.stdout ?? '').trim().split('\n').pop() ?? '';
  if (r.status !== 0 || !out) throw new Error(`bash scripts/python-env.sh could not make the .venv (exit ${r.status}; see above)`);
  return isAbsolute(out) ? out : join(ROOT, out);
}
