// What one ChatGPT node contributes to the message ChatGPT shows: the answer's text (the message
// body, citation markers turned into links or removed), the assets it points at (images, voice,
// files), and the steps the model took on the way (thoughts, web searches, code it ran and its
// output, canvas edits, image prompts) that Hearth shows in a closed disclosure above the answer.
// Plumbing ChatGPT never shows (memory notes, "Model set context updated.", canvas and DALL-E
// system replies, content types Hearth does not know) is returned as raw data, never as text.
import type { ImportedDocument, ImportedStep } from '../db/types';
import { link, obj, resolveCitations, str } from './citations';

/** The parts of a ChatGPT message this module reads (checked loosely by chatgpt.ts). */
export interface CgNodeMessage {
  author: { role: string; name?: string | null };
  content?: ({ content_type: string; parts?: unknown[] | null } & Record<string, unknown>) | null;
  metadata?: Record<string, unknown> | null;
  recipient?: string | null;
}

export type AssetKind = 'image' | 'audio' | 'file';

export interface NodeAsset {
  pointer: string;
  part: number;
  kind: AssetKind;
  /** Seconds of a voice clip, when the export says. */
  seconds?: number;
}

export interface NodeView {
  body: string;
  assets: NodeAsset[];
  missing: number;
  raw: unknown[];
}

/** State carried through one conversation's nodes (canvas documents change over the turns). */
export interface TurnState {
  steps: ImportedStep[];
  documents: ImportedDocument[];
  canvas: Map<string, ImportedDocument>;
  lastCanvas: string | null;
}

export const newTurn = (canvas: TurnState['canvas'] = new Map(), lastCanvas: string | null = null): TurnState => ({ steps: [], documents: [], canvas, lastCanvas });

/** A fence longer than any run of backticks inside `text`. */
export function fenced(text: string, language = ''): string {
  const longest = Math.max(2, ...Array.from(text.matchAll(/`+/g), (m) => m[0].length));
  const fence = '`'.repeat(longest + 1);
  return `${fence}${language}\n${text.replace(/\n$/, '')}\n${fence}`;
}

/** `file-service://file-AbC` / `sediment://file_00ab` → `file-AbC` / `file_00ab`. */
export function assetIdOf(pointer: string): string {
  return pointer.replace(/^[a-z][\w+.-]*:\/\//i, '').split('/').pop() ?? pointer;
}

const quoted = (text: string) => text.split('\n').map((l) => (l ? `> ${l}` : '>')).join('\n');
const parseJson = (text: string): unknown => {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
};

const WEB = /^(browser|web|search|file_search|myfiles_browser)(\.|$)/;
const MEMORY = /^bio(\.|$)/;
const CANVAS = /^canmore\./;
const IMAGE_GEN = /^(dalle|t2uay3k|image_gen)/;

/** The queries of a browsing call: web.run's JSON or the older `search("…")`. */
function searchQueries(text: string): string[] {
  const json = obj(parseJson(text));
  if (json) {
    const list = [json.search_query, json.search, json.queries, json.query, json.q].flat().filter((q) => q != null);
    const qs = list.map((q) => (typeof q === 'string' ? q : str(obj(q), 'q') || str(obj(q), 'query'))).filter(Boolean);
    if (qs.length) return qs;
    const opened = [json.open, json.click].flat().filter(Boolean).map((o) => str(obj(o), 'ref_id') || str(obj(o), 'url')).filter(Boolean);
    return opened.map((o) => `open ${o}`);
  }
  return Array.from(text.matchAll(/\b(?:search|open_url|quote|mclick|click|open)\((["'[]?)(.*?)\1\)/g), (m) => (m[0].startsWith('search') ? m[2] : `${m[0].split('(')[0]} ${m[2]}`));
}

/** The pages a search found (`metadata.search_result_groups[].entries[]`), as a list of links. */
function resultLinks(metadata: Record<string, unknown> | null | undefined): string {
  const groups = Array.isArray(metadata?.search_result_groups) ? (metadata!.search_result_groups as unknown[]) : [];
  const links = groups.flatMap((g) => (Array.isArray(obj(g)?.entries) ? (obj(g)!.entries as unknown[]) : [])).map((e) => link(str(obj(e), 'title'), str(obj(e), 'url'))).filter(Boolean);
  return [...new Set(links)].map((l) => `- ${l}`).join('\n');
}

function addStep(turn: TurnState, kind: ImportedStep['kind'], label: string, text: string, append = false): void {
  const last = turn.steps[turn.steps.length - 1];
  if (append && last && last.kind === kind) last.text = [last.text, text].filter(Boolean).join('\n\n');
  else turn.steps.push({ kind, label, text });
}

/** Applies canmore.update_textdoc's `{updates: [{pattern, replacement, multiple}]}` to a document. */
function applyCanvasUpdates(doc: string, updates: unknown): string {
  let out = doc;
  for (const u of Array.isArray(updates) ? updates : []) {
    const upd = obj(u);
    const pattern = str(upd, 'pattern');
    const replacement = str(upd, 'replacement');
    if (!pattern) continue;
    try {
      if (pattern === '.*' || pattern === '^.*$' || pattern === '(?s).*') out = replacement;
      else out = out.replace(new RegExp(pattern, upd?.multiple ? 'gs' : 's'), () => replacement);
    } catch {
      // A pattern JavaScript cannot read: the edit stays in the step's text.
    }
  }
  return out;
}

function canvasCall(recipient: string, text: string, turn: TurnState): boolean {
  const json = obj(parseJson(text));
  if (!json) return false;
  if (recipient === 'canmore.create_textdoc') {
    const title = str(json, 'name') || 'Document';
    const type = str(json, 'type');
    const body = str(json, 'content');
    const shown = type.startsWith('code/') ? fenced(body, type.slice(5).replace(/[^\w+#.-]/g, '')) : body;
    const doc = { title, text: shown };
    const key = `new:${turn.canvas.size}`;
    turn.canvas.set(key, doc);
    turn.lastCanvas = key;
    turn.documents.push(doc);
    addStep(turn, 'document', `Created “${title}”`, '');
    return true;
  }
  if (recipient === 'canmore.update_textdoc' || recipient === 'canmore.comment_textdoc') {
    const current = turn.lastCanvas ? turn.canvas.get(turn.lastCanvas) : undefined;
    if (recipient === 'canmore.comment_textdoc') {
      const comments = (Array.isArray(json.comments) ? json.comments : []).map((c) => `- ${str(obj(c), 'comment')}`).join('\n');
      addStep(turn, 'document', `Commented on “${current?.title ?? 'the document'}”`, comments);
      return true;
    }
    if (!current) return false;
    const updated = { title: current.title, text: applyCanvasUpdates(current.text, json.updates) };
    turn.canvas.set(turn.lastCanvas!, updated);
    turn.documents = turn.documents.filter((d) => d !== current);
    turn.documents.push(updated);
    addStep(turn, 'document', `Edited “${current.title}”`, '');
    return true;
  }
  return false;
}

/** Text of a content that is not a plain message (code, tool output, browsing results). */
function contentText(c: NonNullable<CgNodeMessage['content']>): string {
  switch (c.content_type) {
    case 'code':
    case 'execution_output':
    case 'system_error':
      return str(c, 'text') || str(c, 'name');
    case 'tether_quote': {
      const title = str(c, 'title') || str(c, 'domain');
      const url = str(c, 'url');
      return quoted(`${url ? link(title, url) || title : title}\n\n${str(c, 'text')}`.trim());
    }
    case 'sonic_webpage':
      return `${link(str(c, 'title'), str(c, 'url')) || str(c, 'title')}${str(c, 'snippet') ? `\n\n${quoted(str(c, 'snippet'))}` : ''}`;
    case 'tether_browsing_display':
      return [str(c, 'result'), str(c, 'summary')].filter((s) => s.trim()).map(quoted).join('\n\n');
    default:
      return (c.parts ?? []).filter((p): p is string => typeof p === 'string').join('\n\n');
  }
}

/** Reads one visible node into `turn` (steps, documents) and returns its body and assets. */
export function readNode(m: CgNodeMessage, turn: TurnState, found: (pointer: string) => boolean): NodeView {
  const out: NodeView = { body: '', assets: [], missing: 0, raw: [] };
  const c = m.content;
  if (!c) return out;
  const role = m.author.role;
  const recipient = m.recipient ?? 'all';
  const name = m.author.name ?? '';
  const type = c.content_type;
  const seconds = typeof m.metadata?.finished_duration_sec === 'number' ? Math.round(m.metadata.finished_duration_sec as number) : null;

  if (type === 'thoughts') {
    const thoughts = Array.isArray(c.thoughts) ? (c.thoughts as unknown[]) : [];
    const text = thoughts.map((t) => [str(obj(t), 'summary') && `**${str(obj(t), 'summary')}**`, str(obj(t), 'content')].filter(Boolean).join('\n\n')).join('\n\n');
    addStep(turn, 'thought', seconds !== null ? `Thought for ${seconds} s` : 'Thought', typeof c.thoughts === 'string' ? c.thoughts : text, true);
    return out;
  }
  if (type === 'reasoning_recap') {
    const recap = str(c, 'content').trim() || (seconds !== null ? `Thought for ${seconds} s` : 'Thought');
    const thought = [...turn.steps].reverse().find((s) => s.kind === 'thought');
    if (thought) thought.label = recap;
    else addStep(turn, 'thought', recap, '');
    return out;
  }
  if (MEMORY.test(recipient) || (role === 'tool' && MEMORY.test(name)) || type === 'model_editable_context') {
    out.raw.push(c); // a memory note: ChatGPT never shows it
    return out;
  }
  if (role === 'assistant' && recipient !== 'all') {
    const text = contentText(c);
    if (WEB.test(recipient)) {
      const queries = searchQueries(text);
      addStep(turn, 'search', 'Searched the web', queries.length ? queries.map((q) => `- ${q}`).join('\n') : fenced(text), true);
    } else if (recipient === 'python' || recipient.startsWith('python.')) addStep(turn, 'code', 'Ran Python', fenced(text, 'python'));
    else if (CANVAS.test(recipient) && canvasCall(recipient, text, turn)) out.raw.push(c);
    else if (IMAGE_GEN.test(recipient)) {
      const prompt = str(obj(parseJson(text)), 'prompt') || text;
      addStep(turn, 'image', 'Created an image', quoted(prompt));
    } else addStep(turn, 'tool', `Used ${recipient}`, fenced(text));
    return out;
  }
  if (role === 'tool') {
    const parts = type === 'multimodal_text' ? (c.parts ?? []) : [];
    readParts(parts, out, found, true);
    if (CANVAS.test(name) || IMAGE_GEN.test(name)) {
      out.raw.push(c); // "Successfully created text document …", "DALL·E displayed 1 images …"
      return out;
    }
    const text = type === 'multimodal_text' ? '' : contentText(c);
    const sources = WEB.test(name) ? resultLinks(m.metadata) : '';
    if (!text.trim() && !sources) return out;
    if (WEB.test(name)) addStep(turn, 'search', 'Searched the web', [text, sources].filter((t) => t.trim()).join('\n\n'), true);
    else if (type === 'execution_output' || name === 'python') addStep(turn, 'code', 'Ran Python', `Output:\n\n${fenced(text)}`, true);
    else if (type === 'system_error') addStep(turn, 'tool', `${name || 'A tool'} failed`, fenced(text));
    else addStep(turn, 'tool', `Used ${name || 'a tool'}`, text);
    return out;
  }
  // A message as ChatGPT shows it (the user's, or the assistant's answer).
  if (type === 'text' || type === 'multimodal_text') readParts(c.parts ?? [], out, found, false);
  else if (type === 'code') out.body = fenced(str(c, 'text'), str(c, 'language') === 'unknown' ? '' : str(c, 'language').replace(/[^\w+#.-]/g, ''));
  else if (type === 'execution_output' || type === 'tether_quote' || type === 'tether_browsing_display' || type === 'sonic_webpage') addStep(turn, 'search', 'Searched the web', contentText(c), true);
  else out.raw.push(c);
  if (role === 'assistant') out.body = resolveCitations(out.body, m.metadata);
  return out;
}

/** Asset ids a message's parts point at (voice clips inside their real-time part too). */
export function partAssetIds(parts: unknown[] | null | undefined): string[] {
  const ids: string[] = [];
  for (const p of parts ?? []) {
    const part = obj(p);
    for (const pointer of [part?.asset_pointer, obj(part?.audio_asset_pointer)?.asset_pointer]) if (typeof pointer === 'string') ids.push(assetIdOf(pointer));
  }
  return ids;
}

/** Files the message lists in `metadata.attachments` (uploaded documents are only there). */
export function listedFiles(metadata: Record<string, unknown> | null | undefined): { id: string; name: string }[] {
  const list = Array.isArray(metadata?.attachments) ? (metadata!.attachments as unknown[]) : [];
  return list.flatMap((a) => (typeof obj(a)?.id === 'string' ? [{ id: obj(a)!.id as string, name: str(obj(a), 'name') }] : []));
}

function readParts(parts: unknown[], out: NodeView, found: (pointer: string) => boolean, assetsOnly: boolean): void {
  const texts: string[] = [];
  parts.forEach((p, i) => {
    if (typeof p === 'string') {
      if (p && !assetsOnly) texts.push(p);
      return;
    }
    const part = obj(p) ?? {};
    const type = str(part, 'content_type');
    const nested = obj(part.audio_asset_pointer);
    const pointer = str(part, 'asset_pointer') || str(nested, 'asset_pointer');
    if (pointer) {
      const kind: AssetKind = type === 'image_asset_pointer' ? 'image' : /audio/.test(type) || nested ? 'audio' : 'file';
      const meta = obj((nested ?? part).metadata);
      const span = meta && typeof meta.end === 'number' && typeof meta.start === 'number' ? (meta.end as number) - (meta.start as number) : NaN;
      if (found(pointer)) out.assets.push({ pointer, part: i, kind, ...(Number.isFinite(span) && span > 0 ? { seconds: Math.round(span) } : {}) });
      else if (kind !== 'audio') {
        out.missing++;
        texts.push(`[${kind === 'image' ? 'Image' : 'File'} not included in the export: ${assetIdOf(pointer)}]`);
      } else out.missing++;
      return;
    }
    if (assetsOnly) return;
    if (typeof part.text === 'string' && (type === 'audio_transcription' || type === 'text' || !type)) {
      if (part.text) texts.push(part.text);
    } else out.raw.push(p);
  });
  out.body = texts.join('\n\n');
}
