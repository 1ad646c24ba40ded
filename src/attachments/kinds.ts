// What kind of file an attachment is, and the limits: text (read by the model as text: plain
// text, Markdown, code, CSV, JSON, HTML source), PDF (its text is extracted), image (kept and
// shown; the models Hearth runs cannot read images) or other (kept, not read).

export type AttachmentKind = 'text' | 'pdf' | 'image' | 'other';

/** Largest file accepted (per file). */
export const MAX_FILE_BYTES = 50 * 1024 * 1024;

const TEXT_EXTENSIONS = new Set(
  (
    'txt text md markdown mdx rst adoc org csv tsv json jsonl ndjson geojson html htm xhtml xml yaml yml toml ini cfg conf env ' +
    'log tex bib srt vtt js mjs cjs jsx ts mts cts tsx py pyi rb go rs java kt kts scala c h cc cpp cxx hpp hh cs fs swift m mm ' +
    'php pl pm r jl lua dart ex exs erl hs ml clj sh bash zsh fish ps1 bat cmd sql graphql gql proto css scss sass less vue svelte ' +
    'astro gradle makefile dockerfile gitignore editorconfig properties diff patch ipynb'
  ).split(' '),
);
const TEXT_TYPES = /^(text\/|application\/(json|ld\+json|xml|xhtml\+xml|javascript|ecmascript|x-javascript|typescript|x-sh|x-python|sql|yaml|x-yaml|toml|x-tex|csv|graphql|x-ndjson))/;

export function extensionOf(name: string): string {
  const base = name.split(/[\\/]/).pop() ?? name;
  const dot = base.lastIndexOf('.');
  return (dot >= 0 ? base.slice(dot + 1) : base).toLowerCase();
}

/** The kind from the name and declared type alone (`sniffText` decides unknown files). */
export function kindOf(name: string, type: string): AttachmentKind | 'unknown' {
  const ext = extensionOf(name);
  const mime = type.toLowerCase().split(';')[0].trim();
  if (mime === 'application/pdf' || ext === 'pdf') return 'pdf';
  if (mime.startsWith('image/') || ['png', 'jpg', 'jpeg', 'gif', 'webp', 'avif', 'bmp', 'svg', 'ico'].includes(ext)) return 'image';
  if (TEXT_TYPES.test(mime) || TEXT_EXTENSIONS.has(ext)) return 'text';
  if (!mime || mime === 'application/octet-stream') return 'unknown';
  return 'other';
}

/** Whether bytes look like UTF-8 text (no NUL byte, valid UTF-8 apart from a cut last character). */
export function sniffText(bytes: Uint8Array): boolean {
  if (bytes.includes(0)) return false;
  try {
    // A sample may end inside a multi-byte character: allow up to 3 trailing bytes to be cut.
    let end = bytes.length;
    while (end > 0 && end > bytes.length - 3 && (bytes[end - 1] & 0xc0) === 0x80) end--;
    if (end > 0 && bytes[end - 1] >= 0xc0) end--;
    new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(0, end));
    return true;
  } catch {
    return false;
  }
}

/** Human size: "812 B", "14 KB", "3.2 MB". */
export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${Math.round(n / 1024)} KB`;
  const mb = n / (1024 * 1024);
  return `${mb < 10 ? mb.toFixed(1) : Math.round(mb)} MB`;
}

/** Why a file cannot be attached, or null. */
export function rejectReason(file: { name: string; size: number }): string | null {
  if (file.size > MAX_FILE_BYTES) {
    return `“${file.name}” is ${formatBytes(file.size)}; files up to ${formatBytes(MAX_FILE_BYTES)} can be attached.`;
  }
  return null;
}
