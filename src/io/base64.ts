// Base64 for attachment bytes, a slice at a time so a large file never becomes one huge string
// or buffer: encode a Blob into string pieces, decode a string into a Blob.
import { createSHA256 } from 'hash-wasm';

/** Bytes per encoded piece (a multiple of 3, so pieces concatenate into one valid base64 text). */
const SLICE = 3 * 256 * 1024;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

function encodeBytes(bytes: Uint8Array): string {
  let bin = '';
  for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(bin);
}

/** Calls `piece` with the base64 of `blob`, slice by slice; returns the SHA-256 (hex) of its bytes. */
export async function encodeBlob(blob: Blob, piece?: (text: string) => void): Promise<string> {
  const sha = await createSHA256();
  sha.init();
  for (let at = 0; at < blob.size; at += SLICE) {
    const bytes = new Uint8Array(await blob.slice(at, at + SLICE).arrayBuffer());
    sha.update(bytes);
    piece?.(encodeBytes(bytes));
  }
  return sha.digest('hex');
}

export class Base64Error extends Error {}

/** Decodes base64 text into a Blob of `type`, checking the alphabet and padding first. */
export function decodeToBlob(text: string, type: string): Blob {
  if (text.length % 4 !== 0 || !BASE64.test(text)) throw new Base64Error('is not valid base64');
  const parts: BlobPart[] = [];
  const step = 4 * 64 * 1024;
  for (let at = 0; at < text.length; at += step) {
    const bin = atob(text.slice(at, at + step));
    const bytes = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
    parts.push(bytes);
  }
  return new Blob(parts, { type });
}

/** SHA-256 (hex) of a Blob, read a slice at a time. */
export function sha256Hex(blob: Blob): Promise<string> {
  return encodeBlob(blob);
}
