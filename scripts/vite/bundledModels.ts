// Build-time list of the bundled models (folders under models/ that hold a config.json): each
// file's path, size and sha256, and a version hash over them. It is compiled into the app and the
// service worker (`__HEARTH_BUNDLED_MODELS__`), which keeps each model in a Cache named after that
// version, so a changed model gets a new cache and a new service worker (an update), never a mix.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';

export interface BundledModelFile {
  path: string;
  size: number;
  sha256: string;
}

export interface BundledModel {
  id: string;
  /** First 12 hex digits of a sha256 over every file's path, size and sha256. */
  version: string;
  files: BundledModelFile[];
}

function walk(dir: string): string[] {
  return readdirSync(dir)
    .filter((name) => !name.startsWith('.'))
    .flatMap((name) => {
      const p = join(dir, name);
      return statSync(p).isDirectory() ? walk(p) : [p];
    });
}

/** Scans `modelsDir`; `keep` filters files (relative to the model folder) as the copy does. */
export function scanBundledModels(modelsDir: string, keep: (rel: string) => boolean = () => true): BundledModel[] {
  if (!existsSync(modelsDir)) return [];
  return readdirSync(modelsDir)
    .filter((id) => !id.startsWith('.') && existsSync(join(modelsDir, id, 'config.json')))
    .sort()
    .map((id) => {
      const root = join(modelsDir, id);
      const files = walk(root)
        .map((abs) => relative(root, abs).split(sep).join('/'))
        .filter(keep)
        .sort()
        .map((path) => {
          const data = readFileSync(join(root, path));
          return { path, size: data.length, sha256: createHash('sha256').update(data).digest('hex') };
        });
      const version = createHash('sha256')
        .update(files.map((f) => `${f.path}\t${f.size}\t${f.sha256}`).join('\n'))
        .digest('hex')
        .slice(0, 12);
      return { id, version, files };
    });
}
