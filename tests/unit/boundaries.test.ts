// Design rules checked on the source tree: worker code imports only worker and shared code,
// only src/db imports Dexie, and UI code never posts messages to workers itself.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(__dirname, '../..');

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? files(p) : /\.(ts|tsx)$/.test(name) ? [p] : [];
  });
}

function imports(file: string): string[] {
  const src = readFileSync(file, 'utf8');
  return [...src.matchAll(/(?:import|export)[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g)].map(
    (m) => m[1] ?? m[2],
  );
}

describe('module boundaries', () => {
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
