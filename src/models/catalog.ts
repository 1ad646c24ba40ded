// The model catalog (models/catalog.json, served at /models/catalog.json): the bundled default
// model and transformers.js-compatible models on the Hugging Face Hub, each with its download size
// per dtype, context length, the dtype used per backend and its licence. Invalid entries are dropped.
import { needsShaderF16 } from '../shared/modelFiles';

export type CatalogBackend = 'wasm' | 'webgpu';

/**
 * One model of models/catalog.json. docs/catalog.md says where each Hub entry's files, dtypes and
 * sizes were confirmed.
 */
export interface CatalogEntry {
  /** Stable id, stored with settings and replies ("qwen3-0.6b"); never reused for another model. */
  id: string;
  /** Display name ("Qwen3 0.6B"). */
  name: string;
  /** One or two sentences for the Models dialog: what the model is and what it needs. */
  description?: string;
  /**
   * What the model is good at, in one short line for the recommendation card ("Reasoning, maths
   * and code for its size; over 100 languages."). Plain text, no trailing detail on size or licence
   * (those have their own fields).
   */
  goodAt?: string;
  /** 'bundled': ships with the app under /models/<id>/; 'hub': downloaded from `repo` on demand. */
  source: 'bundled' | 'hub';
  /** Hub repository ("owner/name") and revision, for source 'hub'. */
  repo?: string;
  revision?: string;
  /** Parameter count as the model's authors give it ("0.6B", "270M"). */
  params?: string;
  /** Context window in tokens (for a bundled model read from its config.json when absent). */
  contextLength?: number;
  /** The model's licence, by name ("Apache-2.0", "Gemma Terms of Use"). */
  licence?: string;
  /** The dtype (ONNX file) used on each backend. */
  dtypes: Record<CatalogBackend, string>;
  /** Total download size per dtype, in bytes (ONNX file, its external data, tokenizer and configs). */
  sizes?: Record<string, number>;
  /** True when sizes are rounded figures from the Hub's file listing, not exact byte counts. */
  approximate?: boolean;
  /** vocab_size x hidden_size: the token embedding, the largest weight tensor (docs/recommendation.md). */
  embeddingParams?: number;
  /** Ranks models above their parameter count in the recommendation (higher first; default 0). */
  tier?: number;
}

export interface Catalog {
  hubUrl: string;
  models: CatalogEntry[];
}

export const DEFAULT_HUB_URL = 'https://huggingface.co';
export const CATALOG_URL = '/models/catalog.json';
const REPO = /^[\w.-]{1,96}\/[\w.-]{1,96}$/;

function isRecordOfStrings(v: unknown): v is Record<string, string> {
  return !!v && typeof v === 'object' && Object.values(v).every((x) => typeof x === 'string');
}

export function parseCatalog(json: unknown): Catalog {
  const root = (json ?? {}) as { hubUrl?: unknown; models?: unknown };
  const hubUrl = typeof root.hubUrl === 'string' && /^https?:\/\//.test(root.hubUrl) ? root.hubUrl : DEFAULT_HUB_URL;
  const models = (Array.isArray(root.models) ? root.models : []).filter((m): m is CatalogEntry => {
    const e = m as Partial<CatalogEntry>;
    if (typeof e?.id !== 'string' || typeof e.name !== 'string') return false;
    if (e.source !== 'bundled' && e.source !== 'hub') return false;
    if (e.source === 'hub' && (typeof e.repo !== 'string' || !REPO.test(e.repo))) return false;
    if (e.goodAt !== undefined && typeof e.goodAt !== 'string') delete e.goodAt;
    const d = e.dtypes as unknown;
    return isRecordOfStrings(d) && typeof (d as Record<string, string>).wasm === 'string' && typeof (d as Record<string, string>).webgpu === 'string';
  });
  return { hubUrl, models };
}

export async function loadCatalog(url: string = CATALOG_URL, fetchImpl: typeof fetch = fetch): Promise<Catalog> {
  const res = await fetchImpl(url);
  if (!res.ok) throw new Error(`The model catalog could not be loaded (HTTP ${res.status}).`);
  const catalog = parseCatalog(await res.json());
  // A bundled model's context length is read from its own config.json (it changes when it is retrained).
  await Promise.all(
    catalog.models
      .filter((m) => m.source === 'bundled' && m.contextLength === undefined)
      .map(async (m) => {
        m.contextLength = await bundledContextLength(`${url.replace(/[^/]*$/, '')}${m.id}/config.json`, fetchImpl);
      }),
  );
  return catalog;
}

/** The context window a transformers.js config.json declares, if it does. */
export async function bundledContextLength(configUrl: string, fetchImpl: typeof fetch = fetch): Promise<number | undefined> {
  try {
    const res = await fetchImpl(configUrl);
    if (!res.ok) return undefined;
    const c = (await res.json()) as Record<string, unknown>;
    const n = [c.max_position_embeddings, c.n_positions, c.n_ctx].find((v) => typeof v === 'number' && v > 0);
    return n as number | undefined;
  } catch {
    return undefined;
  }
}

/**
 * The weights to download for `backend`. A GPU without the shader-f16 feature cannot run
 * half-precision weights (fp16, q4f16): it gets the WASM dtype's file, whose int8 / int4 weights
 * WebGPU runs too.
 */
export function dtypeFor(entry: Pick<CatalogEntry, 'dtypes'>, backend: CatalogBackend, gpu?: { shaderF16?: boolean }): string {
  const dtype = entry.dtypes[backend];
  return backend === 'webgpu' && gpu?.shaderF16 === false && needsShaderF16(dtype) ? entry.dtypes.wasm : dtype;
}

/** A catalog entry for a Hub repository the user typed in (sizes and context learnt on download). */
export function customHubEntry(repo: string, revision = 'main'): CatalogEntry | null {
  const r = repo.trim().replace(/^https?:\/\/[^/]+\//, '').replace(/\/+$/, '');
  if (!REPO.test(r)) return null;
  return { id: `hub:${r}@${revision}`, name: r.split('/')[1], source: 'hub', repo: r, revision, dtypes: { wasm: 'q8', webgpu: 'q4f16' } };
}

export function formatBytes(n: number | undefined): string {
  if (n === undefined || !Number.isFinite(n)) return '?';
  if (n < 1024) return `${n} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v < 100 ? v.toFixed(1) : Math.round(v)} ${units[i]}`;
}
