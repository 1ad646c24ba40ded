// Attachment bytes over sync: split into chunks, each encrypted with the attachment id, its index
// and a last-chunk flag in the authenticated data, uploaded before the attachment record is
// pushed; downloaded and checked (count, order, last flag, total size, sha256) before anything is
// written locally.
import { MAX_CHUNK_BYTES } from '../shared/sync/protocol';
import { decryptChunk, encryptChunk, sha256Hex, type AccountKey } from './crypto';
import { refused, SyncError } from './errors';
import type { FileInfo } from './records';
import type { Result, SyncTransport } from './transport';

/** Plaintext bytes per chunk: padded to exactly 1 MiB, sealed it stays within MAX_CHUNK_BYTES. */
export const CHUNK_BYTES = 1024 * 1024 - 256;

export function must<T>(r: Result<T>): T {
  if (!r.ok) throw new SyncError(r.error.code, r.error.message, r.error.retryable);
  return r.value;
}

export async function uploadFile(
  t: SyncTransport,
  key: AccountKey,
  attachmentId: string,
  data: Blob,
  chunkBytes = CHUNK_BYTES,
): Promise<FileInfo> {
  const bytes = new Uint8Array(await data.arrayBuffer());
  const chunkCount = Math.max(1, Math.ceil(bytes.length / chunkBytes));
  for (let i = 0; i < chunkCount; i++) {
    const box = await encryptChunk(key, attachmentId, i, i === chunkCount - 1, bytes.subarray(i * chunkBytes, (i + 1) * chunkBytes));
    if (box.length > MAX_CHUNK_BYTES) throw new SyncError('invalid', 'An attachment chunk came out too large to upload.', false);
    must(await t.putChunk(attachmentId, i, box));
  }
  return { sha256: await sha256Hex(bytes), size: bytes.length, chunkCount };
}

/** Downloads and verifies an attachment's bytes; throws a 'refused' SyncError if they do not check out. */
export async function downloadFile(t: SyncTransport, key: AccountKey, attachmentId: string, file: FileInfo): Promise<Uint8Array> {
  const what = `attachment ${attachmentId}`;
  if (file.chunkCount < 1) throw refused(what, 'it has no chunks');
  const out = new Uint8Array(file.size);
  let at = 0;
  for (let i = 0; i < file.chunkCount; i++) {
    const r = await t.getChunk(attachmentId, i);
    if (!r.ok) {
      if (r.error.retryable || r.error.code === 'unauthorized') throw new SyncError(r.error.code, r.error.message, r.error.retryable);
      throw refused(what, `chunk ${i} of ${file.chunkCount} is missing`);
    }
    const plain = await decryptChunk(key, attachmentId, i, i === file.chunkCount - 1, r.value);
    if (at + plain.length > out.length) throw refused(what, 'its chunks hold more bytes than its size');
    out.set(plain, at);
    at += plain.length;
  }
  if (at !== file.size) throw refused(what, 'its chunks hold fewer bytes than its size');
  if ((await sha256Hex(out)) !== file.sha256) throw refused(what, 'its bytes do not match their sha256');
  return out;
}
