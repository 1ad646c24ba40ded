// ChatGPT's citation markers in an answer's text: private-use characters U+E200..U+E2FF around
// `cite` and `turn0search0` (2025+, sources in `metadata.content_references`), or the older
// `【3†source】` (sources in `metadata.citations` by `start_ix`/`end_ix`). Each becomes a link to its
// sources where the export holds them, or is removed; a link is made for http(s) URLs only.

export const str = (o: Record<string, unknown> | null | undefined, k: string): string => (o && typeof o[k] === 'string' ? (o[k] as string) : '');
export const obj = (v: unknown): Record<string, unknown> | null => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null);

/** `[title](url)` for http(s) URLs only; anything else is dropped. */
export function link(title: string, url: string): string {
  if (!/^https?:\/\//i.test(url)) return '';
  const label = (title || new URL(url).hostname).replace(/[[\]\\]/g, '\\$&').replace(/\s+/g, ' ').trim();
  return `[${label}](${url.replace(/[()\s]/g, encodeURIComponent)})`;
}

/** Sources a content reference names: its own url, its items, its sources. */
function sourcesOf(ref: Record<string, unknown>): string[] {
  const out: string[] = [];
  const add = (o: Record<string, unknown> | null) => {
    const l = o ? link(str(o, 'title'), str(o, 'url')) : '';
    if (l && !out.includes(l)) out.push(l);
  };
  add(ref);
  for (const key of ['items', 'sources', 'fallback_items']) if (Array.isArray(ref[key])) for (const item of ref[key] as unknown[]) add(obj(item));
  return out;
}

/** Joins pieces with `insert`, without the space that stood before the marker. */
const joinAt = (pieces: string[], insert: string) => pieces.map((p, i) => (i < pieces.length - 1 && insert ? p.trimEnd() : p)).join(insert);

/**
 * Citation markers (private-use characters U+E200..U+E2FF around `cite`, `turn0search0`, or the
 * older `【3†source】`) become links to the sources the export holds for them, or are removed.
 */
export function resolveCitations(text: string, metadata: Record<string, unknown> | null | undefined): string {
  let out = text;
  const refs = Array.isArray(metadata?.content_references) ? (metadata!.content_references as unknown[]) : [];
  for (const r of refs) {
    const ref = obj(r);
    const matched = str(ref, 'matched_text');
    if (!ref || !matched || !out.includes(matched)) continue;
    if (/^\s+$/.test(matched)) continue;
    const sources = ref.type === 'hidden' ? [] : sourcesOf(ref);
    out = joinAt(out.split(matched), sources.length ? ` (${sources.join(', ')})` : '');
  }
  const citations = Array.isArray(metadata?.citations) ? (metadata!.citations as unknown[]) : [];
  for (const c of citations) {
    const cite = obj(c);
    const start = cite?.start_ix;
    const end = cite?.end_ix;
    if (typeof start !== 'number' || typeof end !== 'number' || end <= start || end > text.length) continue;
    const marker = text.slice(start, end);
    const meta = obj(cite!.metadata);
    const l = meta ? link(str(meta, 'title'), str(meta, 'url')) : '';
    if (marker.trim()) out = joinAt(out.split(marker), l ? ` (${l})` : '');
  }
  return out
    .replace(/\uE200[^\uE201]*\uE201/g, '')
    .replace(/【\d+(?::\d+)?†[^】]{0,80}】/g, '')
    .replace(/[\uE200-\uE2FF]/g, '')
    .replace(/[ \t]+([.,;:!?])/g, '$1');
}

