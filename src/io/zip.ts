// Streaming, defensive zip reading with fflate's `Unzip`: the file is read in chunks (never whole),
// only the wanted entries are inflated, and each becomes a Blob. Refused outright: more entries
// than allowed, an entry or a total beyond the size limits (declared sizes AND the bytes actually
// inflated, so a lying header does not help a zip bomb), and names that try to escape a folder
// (`..`, absolute paths, drive letters, NUL).
import { Unzip, UnzipInflate } from 'fflate';
import { ImportProblem } from './problems';

export interface ZipLimits {
  maxEntries: number;
  /** Inflated bytes of one entry. */
  maxEntryBytes: number;
  /** Inflated bytes of all the entries read. */
  maxTotalBytes: number;
}

/** An entry may be larger than one JavaScript string: conversation JSON that large is streamed (src/io/streamJson.ts). */
export const ZIP_LIMITS: ZipLimits = { maxEntries: 200_000, maxEntryBytes: 2 * 1024 * 1024 * 1024, maxTotalBytes: 8 * 1024 * 1024 * 1024 };

export function isUnsafeName(name: string): boolean {
  if (!name || name.includes('\0') || /^[/\\]/.test(name) || /^[a-z]:/i.test(name)) return true;
  return name.split(/[/\\]/).some((seg) => seg === '..');
}

const mb = (n: number) => `${Math.round(n / 1024 / 1024)} MB`;

/** True when the Blob starts like a zip (local file header or empty archive). */
export async function looksLikeZip(blob: Blob): Promise<boolean> {
  const b = new Uint8Array(await blob.slice(0, 4).arrayBuffer());
  return b[0] === 0x50 && b[1] === 0x4b && (b[2] === 3 || b[2] === 5) && (b[3] === 4 || b[3] === 6);
}

/**
 * The entry count from the End Of Central Directory record at the end of the file, or null when
 * there is none (a truncated download). 0xffff means "see ZIP64" and is not checked further.
 */
async function declaredEntries(zip: Blob): Promise<number | null> {
  const tail = new Uint8Array(await zip.slice(Math.max(0, zip.size - 22 - 0xffff)).arrayBuffer());
  for (let i = tail.length - 22; i >= 0; i--) {
    if (tail[i] === 0x50 && tail[i + 1] === 0x4b && tail[i + 2] === 5 && tail[i + 3] === 6) return tail[i + 10] | (tail[i + 11] << 8);
  }
  return null;
}

export interface ZipScan {
  /** Every entry name in the archive (directories included). */
  names: string[];
  /** The wanted entries' contents. */
  files: Map<string, Blob>;
}

/**
 * Reads `zip` once, inflating the entries `want` selects. Throws `ImportProblem` ('unsafe-zip',
 * 'invalid-file') naming `label` when the archive is unsafe, damaged or truncated.
 */
export async function scanZip(
  zip: Blob,
  label: string,
  want: (name: string) => boolean,
  limits: ZipLimits = ZIP_LIMITS,
  onProgress?: (readBytes: number, totalBytes: number) => void,
): Promise<ZipScan> {
  const declared = await declaredEntries(zip);
  if (declared === null) throw new ImportProblem('invalid-file', `${label}: is truncated or not a complete zip file (its directory at the end is missing). Download it again.`);
  if (declared > limits.maxEntries && declared !== 0xffff) throw new ImportProblem('unsafe-zip', `${label}: has more than ${limits.maxEntries} entries; refused (zip bomb?).`);
  const names: string[] = [];
  const files = new Map<string, Blob>();
  const open = new Set<string>();
  let total = 0;
  let failure: ImportProblem | null = null;
  const stop = (code: 'unsafe-zip' | 'invalid-file', message: string) => {
    failure ??= new ImportProblem(code, `${label}: ${message}`);
  };
  const unzip = new Unzip((entry) => {
    if (failure) return;
    names.push(entry.name);
    if (names.length > limits.maxEntries) return stop('unsafe-zip', `has more than ${limits.maxEntries} entries; refused (zip bomb?).`);
    if (isUnsafeName(entry.name)) return stop('unsafe-zip', `has an entry named “${entry.name.slice(0, 120)}” that points outside its folder; refused.`);
    if (!want(entry.name) || entry.name.endsWith('/')) return;
    if ((entry.originalSize ?? 0) > limits.maxEntryBytes) return stop('unsafe-zip', `${entry.name} would inflate to more than ${mb(limits.maxEntryBytes)}; refused.`);
    const parts: Blob[] = [];
    let size = 0;
    open.add(entry.name);
    entry.ondata = (err, data, final) => {
      if (failure) return;
      if (err) return stop('invalid-file', `${entry.name} is damaged (${err.message}).`);
      size += data.length;
      total += data.length;
      if (size > limits.maxEntryBytes) return stop('unsafe-zip', `${entry.name} inflates to more than ${mb(limits.maxEntryBytes)}; refused (zip bomb?).`);
      if (total > limits.maxTotalBytes) return stop('unsafe-zip', `inflates to more than ${mb(limits.maxTotalBytes)} in all; refused (zip bomb?).`);
      if (data.length) parts.push(new Blob([data as Uint8Array<ArrayBuffer>]));
      if (final) {
        files.set(entry.name, new Blob(parts));
        open.delete(entry.name);
      }
    };
    try {
      entry.start();
    } catch (e) {
      stop('invalid-file', `${entry.name} cannot be read (${e instanceof Error ? e.message : String(e)}).`);
    }
  });
  unzip.register(UnzipInflate);
  const reader = zip.stream().getReader();
  let read = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      read += value.length;
      unzip.push(value);
      if (failure) break;
      onProgress?.(read, zip.size);
    }
    if (!failure) unzip.push(new Uint8Array(0), true);
  } catch (e) {
    stop('invalid-file', `is damaged or truncated (${e instanceof Error ? e.message : String(e)}).`);
  } finally {
    await reader.cancel().catch(() => undefined);
  }
  if (failure) throw failure;
  if (open.size) throw new ImportProblem('invalid-file', `${label}: is truncated (${[...open][0]} ends early). Download it again.`);
  if (declared !== 0xffff && names.length !== declared) {
    throw new ImportProblem('invalid-file', `${label}: is damaged (its directory lists ${declared} entries, ${names.length} were found).`);
  }
  return { names, files };
}
