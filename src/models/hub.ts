// What to download for a Hub model: the repository's file listing (the Hub API's tree, which gives
// each file's size and, for LFS files, its sha256), config.json (for the context length and
// transformers.js's external-data settings), and from those the files transformers.js reads for a
// causal LM in one dtype: config, generation config, tokenizer, chat template and
// onnx/model<suffix>.onnx (+ _data).
import { DTYPE_SUFFIX } from '../pwa/caches';
import { DownloadError, type RemoteFile } from './download';

export interface HubRef {
  hubUrl: string;
  repo: string;
  revision: string;
}

export interface HubPlan {
  /** Key prefix of the files: `${hubUrl}/${repo}/resolve/${revision}/`. */
  baseUrl: string;
  files: RemoteFile[];
  contextLength?: number;
  totalBytes?: number;
}

export function hubBaseUrl(ref: HubRef): string {
  return `${ref.hubUrl.replace(/\/+$/, '')}/${ref.repo}/resolve/${encodeURIComponent(ref.revision)}/`;
}

interface TreeEntry {
  type?: string;
  path?: string;
  size?: number;
  lfs?: { oid?: string; size?: number };
}

/** The repository's files (path -> size, sha256) from the Hub API, or null when it is not offered. */
export async function hubListing(ref: HubRef, fetchImpl: typeof fetch = fetch, signal?: AbortSignal): Promise<Map<string, { size?: number; sha256?: string }> | null> {
  const url = `${ref.hubUrl.replace(/\/+$/, '')}/api/models/${ref.repo}/tree/${encodeURIComponent(ref.revision)}?recursive=true`;
  try {
    const res = await fetchImpl(url, { signal });
    if (!res.ok) return null;
    const list = (await res.json()) as TreeEntry[];
    if (!Array.isArray(list)) return null;
    const out = new Map<string, { size?: number; sha256?: string }>();
    for (const e of list) {
      if (e.type !== 'file' || typeof e.path !== 'string') continue;
      const sha = e.lfs?.oid && /^[0-9a-f]{64}$/i.test(e.lfs.oid) ? e.lfs.oid.toLowerCase() : undefined;
      out.set(e.path, { size: e.lfs?.size ?? e.size, sha256: sha });
    }
    return out;
  } catch (e) {
    if (signal?.aborted) throw e;
    return null;
  }
}

function externalDataChunks(config: Record<string, unknown>, fullName: string): number {
  const tjs = (config['transformers.js_config'] ?? {}) as { use_external_data_format?: unknown };
  const v = tjs.use_external_data_format;
  if (!v) return 0;
  if (typeof v === 'object') {
    const rec = v as Record<string, unknown>;
    if (fullName in rec) return Number(rec[fullName]) || 0;
    if ('model' in rec) return Number(rec.model) || 0;
    return 0;
  }
  return v === true ? 1 : Number(v) || 0;
}

export async function planHubDownload(ref: HubRef, dtype: string, fetchImpl: typeof fetch = fetch, signal?: AbortSignal): Promise<HubPlan> {
  const baseUrl = hubBaseUrl(ref);
  const listing = await hubListing(ref, fetchImpl, signal);
  const res = await fetchImpl(`${baseUrl}config.json`, { signal });
  if (!res.ok) {
    await res.body?.cancel().catch(() => undefined);
    throw res.status === 404
      ? new DownloadError('not-found', `The model ${ref.repo} was not found on the Hub (HTTP 404).`, 404)
      : new DownloadError('http', `The Hub answered HTTP ${res.status} for ${ref.repo}.`, res.status);
  }
  const config = (await res.json()) as Record<string, unknown>;
  const onnx = `model${DTYPE_SUFFIX[dtype] ?? ''}.onnx`;
  const chunks = externalDataChunks(config, onnx);
  const wanted: RemoteFile[] = [
    { path: 'config.json' },
    { path: 'generation_config.json', optional: true },
    { path: 'tokenizer.json' },
    { path: 'tokenizer_config.json' },
    // Newer exports keep the chat template here rather than in tokenizer_config.json (workers/chatTemplate.ts).
    { path: 'chat_template.jinja', optional: true },
    { path: `onnx/${onnx}` },
    ...Array.from({ length: chunks }, (_, i) => ({ path: `onnx/${onnx}_data${i === 0 ? '' : `_${i}`}` })),
  ];
  let files = wanted;
  if (listing) {
    const missing = wanted.find((f) => !f.optional && !listing.has(f.path));
    if (missing) {
      throw new Error(
        missing.path.startsWith('onnx/')
          ? `${ref.repo} has no ${dtype} ONNX file (${missing.path}).`
          : `${ref.repo} is not a transformers.js model (${missing.path} is missing).`,
      );
    }
    files = wanted.filter((f) => listing.has(f.path)).map((f) => ({ ...f, ...listing.get(f.path), optional: false }));
  }
  const sizes = files.map((f) => f.size);
  const totalBytes = sizes.every((s) => s !== undefined) ? sizes.reduce((a, b) => a! + b!, 0) : undefined;
  const ctx = Number(config.max_position_embeddings ?? config.n_positions ?? NaN);
  return { baseUrl, files, totalBytes, contextLength: Number.isFinite(ctx) ? ctx : undefined };
}
