// Reading the model folder transformers.js loads from: whether the runtime is Node, which required
// file a folder lacks, a text file of it, and the path form transformers.js accepts for a base URL.
import { env } from '@huggingface/transformers';

/* eslint-disable @typescript-eslint/no-explicit-any -- Node's fs is reached through getBuiltinModule */

/** True in Node (tests, the bench), false in a page or a worker. */
export const IS_NODE = typeof process !== 'undefined' && !!process.versions?.node && typeof window === 'undefined' && typeof self === 'undefined';

/** The first of `files` that the model folder lacks, or null when all are there. */
export async function missingFile(base: string, modelId: string, files: string[]): Promise<string | null> {
  const root = base.endsWith('/') ? base : `${base}/`;
  for (const file of files) {
    const where = `${root}${modelId}/${file}`;
    if (/^(https?|blob):/.test(root) || !IS_NODE) {
      try {
        // GET, not HEAD: a service worker or HTTP cache answers it offline too.
        const res = await fetch(where);
        await res.body?.cancel();
        // An SPA fallback answers unknown paths with index.html: that is a missing file too.
        if (!res.ok || (res.headers.get('content-type') ?? '').includes('text/html')) return file;
      } catch {
        return file;
      }
    } else {
      const fs = (process as any).getBuiltinModule?.('node:fs');
      if (fs && !fs.existsSync(where)) return file;
    }
  }
  return null;
}

/** A text file of the model folder transformers.js loads `loadId` from, or null when it has none. */
export async function modelText(loadId: string, file: string): Promise<string | null> {
  const where = `${env.localModelPath}${loadId}/${file}`;
  if (IS_NODE && !/^https?:/.test(where)) {
    const fs = (process as any).getBuiltinModule?.('node:fs');
    return fs?.existsSync(where) ? String(fs.readFileSync(where, 'utf8')) : null;
  }
  const res = await env.fetch(where);
  // An SPA fallback answers unknown paths with index.html: that is a missing file too.
  if (!res.ok || (res.headers.get('content-type') ?? '').includes('text/html')) return null;
  return res.text();
}

/**
 * transformers.js only reads "local" models from a path, not from a full URL: turn a
 * same-origin URL into its path ('/models/'); file paths (Node) pass through.
 */
export function localPath(base: string): string {
  const withSlash = base.endsWith('/') ? base : `${base}/`;
  if (!/^https?:/.test(withSlash) || typeof location === 'undefined') return withSlash;
  const url = new URL(withSlash);
  return url.origin === location.origin ? url.pathname : withSlash;
}
