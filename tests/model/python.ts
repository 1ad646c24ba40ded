// The model pipeline's Python for the model tests: HEARTH_PYTHON, else .venv/ at the repository root
// (made by `bash scripts/python-env.sh`), else python3, whichever has the packages the pipeline needs.
import path from 'node:path';
import { spawnSync } from 'node:child_process';

const REPO = path.resolve(__dirname, '../..');

// find_spec, not import: importing torch and transformers takes seconds on a busy machine.
const CHECK = "import importlib.util as u, sys; sys.exit(0 if all(u.find_spec(m) for m in ('torch', 'transformers', 'tokenizers', 'onnx', 'onnxruntime')) else 1)";

export function findPython(): string {
  const candidates = [process.env.HEARTH_PYTHON, path.join(REPO, '.venv', 'bin', 'python'), 'python3'].filter(Boolean) as string[];
  for (const py of candidates) {
    const r = spawnSync(py, ['-c', CHECK], { encoding: 'utf8' });
    if (r.status === 0) return py;
  }
  throw new Error('no Python with torch, transformers, tokenizers, onnx and onnxruntime: run `bash scripts/python-env.sh` (makes .venv/)');
}
