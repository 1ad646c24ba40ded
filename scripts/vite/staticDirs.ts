// Vite plugin: serves folders outside `public/` under a URL prefix in dev and copies them into
// the build. Used for the bundled models (`models/` -> `/models/`) and ONNX Runtime's wasm
// (`node_modules/onnxruntime-web/dist` -> `/ort/`, only the files the app loads).
import { createReadStream, existsSync, statSync, cpSync, mkdirSync } from 'node:fs';
import { join, normalize, resolve, extname, basename } from 'node:path';
import type { Plugin } from 'vite';

export interface StaticDir {
  url: string;
  dir: string;
  /** Keep only files whose path (relative to `dir`) passes this test. */
  filter?: (relPath: string) => boolean;
}

const TYPES: Record<string, string> = {
  '.json': 'application/json',
  '.onnx': 'application/octet-stream',
  '.wasm': 'application/wasm',
  '.mjs': 'text/javascript',
  '.md': 'text/markdown; charset=utf-8',
};

export function staticDirs(dirs: StaticDir[]): Plugin {
  let outDir = 'dist';
  return {
    name: 'hearth-static-dirs',
    configResolved(config) {
      outDir = resolve(config.root, config.build.outDir);
    },
    configureServer(server) {
      server.middlewares.use((req, res, next) => {
        const path = decodeURIComponent((req.url ?? '').split('?')[0]);
        const entry = dirs.find((d) => path.startsWith(d.url));
        if (!entry) return next();
        const rel = normalize(path.slice(entry.url.length));
        if (rel.startsWith('..') || (entry.filter && !entry.filter(rel))) return next();
        const file = join(entry.dir, rel);
        if (!existsSync(file) || !statSync(file).isFile()) {
          res.statusCode = 404;
          res.end('not found');
          return;
        }
        res.setHeader('Content-Type', TYPES[extname(file)] ?? 'application/octet-stream');
        res.setHeader('Content-Length', statSync(file).size);
        createReadStream(file).pipe(res);
      });
    },
    writeBundle() {
      for (const d of dirs) {
        const target = join(outDir, d.url);
        mkdirSync(target, { recursive: true });
        cpSync(d.dir, target, {
          recursive: true,
          filter: (src) => {
            const rel = src.slice(resolve(d.dir).length + 1);
            if (!rel) return true;
            if (statSync(src).isDirectory()) return !basename(src).startsWith('.');
            return !d.filter || d.filter(rel);
          },
        });
      }
    },
  };
}
