// Turns a file the user picked into a `ParsedImport` without writing anything, detecting its source:
// Hearth's own export (.json), Claude's export (.zip or its conversations.json), Open WebUI's chat
// export (.json), ChatGPT's conversations.json, or ChatGPT's .zip (conversations.json or split
// conversations-NNN.json, asset files `file-…`, `.dat` names in conversation_asset_file_names.json;
// a zip holding only that zip is opened once more).
// Runs in the import worker (src/io/import.worker.ts); tests call it directly.
import type { ParsedImport } from './bundle';
import { assetFromEntry, isChatGptJson, readChatGptExport, type ChatGptAsset, type ChatGptFile } from './chatgpt';
import { isClaudeJson, readClaudeExport } from './claude';
import { isHearthExport, readHearthExport } from './hearthImport';
import { isOpenWebUiJson, readOpenWebUiExport } from './openwebui';
import { ImportProblem } from './problems';
import { streamJson } from './streamJson';
import { looksLikeZip, scanZip, ZIP_LIMITS, type ZipLimits } from './zip';

export interface ParseProgress {
  phase: 'reading' | 'assets' | 'checking';
  done: number;
  total: number;
}

export interface ParseOptions {
  limits?: ZipLimits;
  /** Largest JSON text read as one string (a JavaScript string cannot hold much more); larger JSON is streamed. */
  maxJsonBytes?: number;
  onProgress?: (p: ParseProgress) => void;
  /** Set when reading a zip found inside the picked zip (only one level is opened). */
  nested?: boolean;
}

const MAX_JSON = 512 * 1024 * 1024;
const CONVERSATIONS = /^conversations(-\d+)?\.json$/i;
const ASSET_NAMES = /^conversation_asset_file_names\.json$/i;
const ASSET_ID = /^(file[-_][A-Za-z0-9]+)/;
const base = (name: string) => name.split(/[/\\]/).pop() ?? name;

async function parseJson(blob: Blob, label: string, maxBytes: number): Promise<unknown> {
  if (blob.size > maxBytes) return streamJson(blob, label);
  const text = await blob.text();
  try {
    return JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch (e) {
    throw new ImportProblem('invalid-file', `${label}: is not valid JSON (cut off or damaged?): ${e instanceof Error ? e.message : String(e)}`);
  }
}

export async function parseImportFile(file: Blob, fileName: string, options: ParseOptions = {}): Promise<ParsedImport> {
  const maxJson = options.maxJsonBytes ?? MAX_JSON;
  const limits = options.limits ?? ZIP_LIMITS;
  const progress = options.onProgress;
  if (file.size === 0) throw new ImportProblem('invalid-file', `${fileName}: is empty.`);
  if (!(await looksLikeZip(file))) {
    const json = await parseJson(file, fileName, maxJson);
    if (isHearthExport(json)) return readHearthExport(json, fileName);
    if (isClaudeJson(json)) return readClaudeExport(json, fileName);
    if (isOpenWebUiJson(json)) return readOpenWebUiExport(json, fileName);
    if (!isChatGptJson(json)) throw new ImportProblem('unsupported', `${fileName}: is not an export Hearth reads (Hearth, ChatGPT, Claude or Open WebUI).`);
    return readChatGptExport([{ name: fileName, json }], fileName, undefined, (done, total) => progress?.({ phase: 'checking', done, total }));
  }

  // Pass 1: the conversation files and the asset name map (small next to the assets).
  const first = await scanZip(file, fileName, (n) => CONVERSATIONS.test(base(n)) || ASSET_NAMES.test(base(n)), limits, (done, total) =>
    progress?.({ phase: 'reading', done, total }),
  );
  const conversationEntries = [...first.files.keys()].filter((n) => CONVERSATIONS.test(base(n))).sort();
  if (!conversationEntries.length) {
    // ChatGPT's export zipped once more (a download folder, a mail client): read the inner zip.
    const inner = first.names.filter((n) => /\.zip$/i.test(n));
    if (inner.length === 1 && !options.nested) {
      const { files: found } = await scanZip(file, fileName, (n) => n === inner[0], limits);
      const blob = found.get(inner[0]);
      if (blob) return parseImportFile(blob, fileName, { ...options, nested: true });
    }
    throw new ImportProblem('unsupported', `${fileName}: has no conversations.json (is it ChatGPT’s or Claude’s data export?).`);
  }
  const files: ChatGptFile[] = [];
  for (const name of conversationEntries) files.push({ name: `${fileName}/${name}`, json: await parseJson(first.files.get(name)!, `${fileName}/${name}`, maxJson) });
  if (files.length === 1 && isClaudeJson(files[0].json)) return readClaudeExport(files[0].json, fileName);
  const namesEntry = [...first.files.keys()].find((n) => ASSET_NAMES.test(base(n)));
  let friendly: Record<string, unknown> = {};
  if (namesEntry) {
    const map = await parseJson(first.files.get(namesEntry)!, `${fileName}/${namesEntry}`, maxJson);
    if (map && typeof map === 'object' && !Array.isArray(map)) friendly = map as Record<string, unknown>;
  }
  first.files.clear();

  // Asset entries by the id their name starts with (`file-AbC-photo.png`, `file_00ab.dat`).
  const entryOf = new Map<string, string>();
  for (const name of first.names) {
    const id = ASSET_ID.exec(base(name))?.[1];
    if (id && !name.endsWith('/') && !entryOf.has(id)) entryOf.set(id, name);
  }
  // Pass 2: only the assets messages point at.
  const loadAssets = async (ids: Set<string>): Promise<Map<string, ChatGptAsset>> => {
    const wanted = new Map<string, string>();
    for (const id of ids) {
      const entry = entryOf.get(id);
      if (entry) wanted.set(entry, id);
    }
    const out = new Map<string, ChatGptAsset>();
    if (!wanted.size) return out;
    const second = await scanZip(file, fileName, (n) => wanted.has(n), limits, (done, total) => progress?.({ phase: 'assets', done, total }));
    for (const [entry, data] of second.files) out.set(wanted.get(entry)!, await assetFromEntry(entry, data, friendly));
    return out;
  };
  return readChatGptExport(files, fileName, loadAssets, (done, total) => progress?.({ phase: 'checking', done, total }));
}
