// Vite plugin: precompresses the build (brotli and gzip, node:zlib) so scripts/serve.mjs can send
// `file.br` / `file.gz` to a browser that accepts them. Text assets get brotli's best quality;
// big binaries (ONNX Runtime's wasm, ONNX weights) a fast level, since level 11 would take
// minutes for little gain. A variant is kept only when it saves at least 5 %.
import { brotliCompress, constants, gzip } from 'node:zlib';
import { promisify } from 'node:util';
import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { extname, join, relative, resolve, sep } from 'node:path';
import type { Plugin } from 'vite';

export const COMPRESSIBLE = new Set(['.html', '.js', '.mjs', '.css', '.json', '.webmanifest', '.svg', '.wasm', '.onnx', '.txt', '.md']);
const BIG = 1 << 20;
const br = promisify(brotliCompress);
const gz = promisify(gzip);

/** Files under `dir` worth compressing, relative paths with '/' (skips source maps and `skip`). */
async function candidates(dir: string, skip: (rel: string) => boolean): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const rel = relative(dir, join(entry.parentPath, entry.name)).split(sep).join('/');
    if (COMPRESSIBLE.has(extname(rel).toLowerCase()) && !skip(rel)) out.push(rel);
  }
  return out;
}

/** Writes `<file>.br` and `<file>.gz` beside each compressible file; returns the bytes saved. */
export async function precompressDir(dir: string, skip: (rel: string) => boolean = () => false): Promise<{ files: number; saved: number }> {
  let files = 0;
  let saved = 0;
  for (const rel of await candidates(dir, skip)) {
    const path = join(dir, rel);
    const data = await readFile(path);
    if (data.length < 256) continue;
    const big = data.length >= BIG;
    const variants: Array<[string, Buffer]> = [
      ['.br', await br(data, { params: { [constants.BROTLI_PARAM_QUALITY]: big ? 5 : 11, [constants.BROTLI_PARAM_SIZE_HINT]: data.length } })],
      ['.gz', await gz(data, { level: big ? 6 : 9 })],
    ];
    for (const [ext, packed] of variants) {
      if (packed.length > data.length * 0.95) continue;
      await writeFile(path + ext, packed);
      files++;
      saved += data.length - packed.length;
    }
  }
  return { files, saved };
}

/** Runs after every other plugin wrote its files (the service worker included). */
export function precompress(skip?: (rel: string) => boolean): Plugin {
  let outDir = 'dist';
  return {
    name: 'hearth-precompress',
    apply: 'build',
    configResolved(config) {
      outDir = resolve(config.root, config.build.outDir);
    },
    closeBundle: {
      order: 'post',
      sequential: true,
      async handler() {
        if ((await stat(outDir).catch(() => null))?.isDirectory()) await precompressDir(outDir, skip);
      },
    },
  };
}
