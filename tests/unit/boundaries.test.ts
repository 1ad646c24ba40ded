// Design rules checked on the source tree: worker code imports only worker and shared code, the
// engine proxies in src/engine import nothing from workers/ (shared pieces live in src/shared),
// only src/db imports Dexie, UI code never posts messages to workers itself, and no module imports
// itself through others (no import cycles, in the TypeScript and in the model pipeline's Python).
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(__dirname, '../..');

function files(dir: string, ext = /\.(ts|tsx)$/): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (name === 'node_modules' || name === '__pycache__') return [];
    return statSync(p).isDirectory() ? files(p, ext) : ext.test(name) ? [p] : [];
  });
}

function imports(file: string): string[] {
  // Comment lines left out (a header may show how to import the module itself).
  const src = readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => !/^\s*(\/\/|\*|\/\*)/.test(l))
    .join('\n');
  return [...src.matchAll(/(?:import|export)[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|^\s*import\s*['"]([^'"]+)['"]/gm)].map(
    (m) => m[1] ?? m[2] ?? m[3],
  );
}

/** The file a relative import names (TypeScript's resolution: the extensions, then index files). */
function resolveImport(from: string, spec: string): string | null {
  const base = resolve(dirname(from), spec);
  for (const c of [base, ...['.ts', '.tsx', '.mjs', '.js'].map((e) => base + e), ...['index.ts', 'index.tsx'].map((i) => join(base, i))]) {
    if (existsSync(c) && statSync(c).isFile()) return c;
  }
  return null;
}

/** Every cycle of the graph, each as the path of modules that closes it (depth-first search). */
function cycles(graph: Map<string, string[]>): string[][] {
  const found: string[][] = [];
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (n: string) => {
    state.set(n, 'open');
    stack.push(n);
    for (const m of graph.get(n) ?? []) {
      if (state.get(m) === 'open') found.push([...stack.slice(stack.indexOf(m)), m]);
      else if (!state.has(m)) visit(m);
    }
    stack.pop();
    state.set(n, 'done');
  };
  for (const n of [...graph.keys()].sort()) if (!state.has(n)) visit(n);
  return found;
}

/** Module -> the modules of this repository it imports (Python: `scripts.x.y` imports, at any indentation). */
function tsGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  const sources = ['src', 'workers', 'server', 'scripts', 'tests'].flatMap((d) => files(join(root, d), /\.(ts|tsx|mjs)$/));
  for (const f of sources) {
    const deps = imports(f)
      .filter((s) => s.startsWith('.'))
      .map((s) => resolveImport(f, s))
      .filter((t): t is string => t !== null);
    graph.set(relative(root, f), deps.map((t) => relative(root, t)));
  }
  return graph;
}

function pyGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  const mod = (f: string) => relative(root, f).replace(/\.py$/, '').replace(/\/__init__$/, '').split('/').join('.');
  const all = files(join(root, 'scripts'), /\.py$/);
  const known = new Set(all.map(mod));
  for (const f of all) {
    const src = readFileSync(f, 'utf8');
    const deps = new Set<string>();
    for (const m of src.matchAll(/^\s*(?:from\s+(scripts(?:\.\w+)+)\s+import\s+([\w, ]+)|import\s+(scripts(?:\.\w+)+))/gm)) {
      const target = m[1] ?? m[3];
      // `from scripts.train import data` names the module scripts.train.data.
      const names = (m[2] ?? '').split(',').map((x) => `${target}.${x.trim()}`);
      for (const t of [...names, target]) if (known.has(t) && t !== mod(f)) deps.add(t);
    }
    graph.set(mod(f), [...deps]);
  }
  return graph;
}

describe('module boundaries', () => {
  it('src/engine imports nothing from workers/ (the worker entries are started by URL)', () => {
    const bad: string[] = [];
    for (const f of files(join(root, 'src', 'engine'))) {
      for (const spec of imports(f).filter((s) => s.startsWith('.'))) {
        if (relative(root, resolve(dirname(f), spec)).startsWith('workers')) bad.push(`${relative(root, f)} -> ${spec}`);
      }
    }
    expect(bad).toEqual([]);
  });

  it('has no import cycles in the TypeScript', () => {
    const graph = tsGraph();
    expect(graph.size).toBeGreaterThan(100);
    expect(cycles(graph).map((c) => c.join(' -> '))).toEqual([]);
  });

  it('has no import cycles in the model pipeline (scripts/**/*.py)', () => {
    const graph = pyGraph();
    expect([...graph.values()].flat().length).toBeGreaterThan(20);
    expect(cycles(graph).map((c) => c.join(' -> '))).toEqual([]);
  });

  it('worker code imports only from workers/ and src/shared/ (and packages)', () => {
    const bad: string[] = [];
    for (const f of files(join(root, 'workers'))) {
      for (const spec of imports(f).filter((s) => s.startsWith('.'))) {
        const target = relative(root, resolve(dirname(f), spec));
        if (!target.startsWith('workers') && !target.startsWith(join('src', 'shared'))) bad.push(`${relative(root, f)} -> ${spec}`);
      }
    }
    expect(bad).toEqual([]);
  });

  it('only src/db imports Dexie', () => {
    const bad = [...files(join(root, 'src')), ...files(join(root, 'workers'))]
      .filter((f) => !relative(root, f).startsWith(join('src', 'db')))
      .filter((f) => imports(f).some((s) => s === 'dexie' || s.startsWith('dexie/')))
      .map((f) => relative(root, f));
    expect(bad).toEqual([]);
  });

  it('UI code never calls postMessage itself', () => {
    // src/sw.ts is the service worker, not UI: it answers a page's question on the message's port.
    const bad = files(join(root, 'src'))
      .filter((f) => !relative(root, f).startsWith(join('src', 'engine')) && relative(root, f) !== join('src', 'sw.ts'))
      .filter((f) => /\bpostMessage\s*\(/.test(readFileSync(f, 'utf8')))
      .map((f) => relative(root, f));
    expect(bad).toEqual([]);
  });
});
