// The files of a ChatGPT zip that messages point at: their real names (from
// conversation_asset_file_names.json, whose values may be paths such as
// `dalle-generations/<uuid>.webp` or `<conversation>/audio/<uuid>.wav`, or from the message's
// `metadata.attachments[].name`), and their media type from their first bytes (a `.dat` file
// gets the extension its bytes say). Voice clips and generated images named by a UUID get a
// readable name instead.

/** An asset file from the zip (an image, voice clip or file referenced by an `asset_pointer`). */
export interface ChatGptAsset {
  name: string;
  type: string;
  data: Blob;
}

const EXT_OF: Record<string, string> = {
  'image/png': 'png', 'image/jpeg': 'jpg', 'image/gif': 'gif', 'image/webp': 'webp', 'application/pdf': 'pdf',
  'audio/wav': 'wav', 'audio/mpeg': 'mp3', 'audio/webm': 'webm', 'audio/ogg': 'ogg', 'audio/mp4': 'm4a',
};
const TYPE_OF_EXT: Record<string, string> = {
  txt: 'text/plain', md: 'text/markdown', csv: 'text/csv', json: 'application/json', wav: 'audio/wav', mp3: 'audio/mpeg',
  webm: 'audio/webm', ogg: 'audio/ogg', m4a: 'audio/mp4', png: 'image/png', jpg: 'image/jpeg', jpeg: 'image/jpeg', webp: 'image/webp', gif: 'image/gif', pdf: 'application/pdf',
};
const UUID_STEM = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}(\.[a-z0-9]{1,5})?$/i;

/** PNG, JPEG, GIF, WebP, PDF, WAV, MP3, Ogg, WebM, MP4 audio from their first bytes, else by name. */
export async function sniffType(data: Blob, name: string): Promise<string> {
  const b = new Uint8Array(await data.slice(0, 12).arrayBuffer());
  const ascii = (from: number, to: number) => String.fromCharCode(...b.subarray(from, to));
  if (b[0] === 0x89 && ascii(1, 4) === 'PNG') return 'image/png';
  if (b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return 'image/jpeg';
  if (ascii(0, 3) === 'GIF') return 'image/gif';
  if (ascii(0, 4) === 'RIFF' && ascii(8, 12) === 'WEBP') return 'image/webp';
  if (ascii(0, 4) === 'RIFF' && ascii(8, 12) === 'WAVE') return 'audio/wav';
  if (ascii(0, 4) === '%PDF') return 'application/pdf';
  if (ascii(0, 3) === 'ID3' || (b[0] === 0xff && (b[1] & 0xe0) === 0xe0 && b.length > 2)) return 'audio/mpeg';
  if (ascii(0, 4) === 'OggS') return 'audio/ogg';
  if (b[0] === 0x1a && b[1] === 0x45 && b[2] === 0xdf && b[3] === 0xa3) return 'audio/webm';
  if (ascii(4, 8) === 'ftyp' && /^M4A|^mp4|^isom/.test(ascii(8, 12))) return 'audio/mp4';
  const ext = /\.([a-z0-9]{1,5})$/i.exec(name)?.[1]?.toLowerCase();
  return (ext && TYPE_OF_EXT[ext]) || data.type || 'application/octet-stream';
}

const base = (path: string) => path.split(/[/\\]/).pop() ?? path;

/** Asset file name and type for a zip entry (names from conversation_asset_file_names.json). */
export async function assetFromEntry(entryName: string, data: Blob, friendlyNames: Record<string, unknown>): Promise<ChatGptAsset> {
  const file = base(entryName);
  const stem = file.replace(/\.dat$/i, '');
  const friendly = [entryName, file, stem, `${stem}.dat`].map((k) => friendlyNames[k]).find((v): v is string => typeof v === 'string' && !!v.trim());
  // `file-AbC123-photo.png` → `photo.png`; a name from the map wins.
  let name = friendly ? base(friendly.trim()) : file.replace(/^file[-_][A-Za-z0-9]+-(?=.)/, '');
  const type = await sniffType(data, name);
  const ext = EXT_OF[type];
  if (ext && (/\.dat$/i.test(name) || !/\.[a-z0-9]{1,5}$/i.test(name))) name = `${name.replace(/\.dat$/i, '')}.${ext}`;
  return { name: name.slice(0, 255) || 'file', type, data };
}

/** The name a chip shows: the message's own record of the file, else a readable one for UUID names. */
export function displayName(asset: ChatGptAsset, kind: 'image' | 'audio' | 'file', fromMessage: string | undefined, seconds?: number): string {
  if (fromMessage?.trim()) return fromMessage.trim().slice(0, 255);
  if (!UUID_STEM.test(asset.name) && !/^file[-_][A-Za-z0-9]+(\.[a-z0-9]{1,5})?$/.test(asset.name)) return asset.name;
  const ext = EXT_OF[asset.type] ?? (/\.([a-z0-9]{1,5})$/i.exec(asset.name)?.[1] ?? 'bin');
  if (kind === 'audio' || asset.type.startsWith('audio/')) {
    const length = seconds ? ` (${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, '0')})` : '';
    return `Voice message${length}.${ext}`;
  }
  return `${kind === 'image' || asset.type.startsWith('image/') ? 'Image' : 'File'}.${ext}`;
}
