// What one synced record looks like inside its ciphertext (the "envelope"), and the checks a
// decrypted record must pass before it may touch local data: format version, kind, record id,
// conversation id, and the shape of every field the app relies on (zod). Unknown extra fields are
// kept (a newer app version may add some); missing or mistyped known fields are refused.
//
// Tombstones carry no content: a record that is deleted (its `deletedAt` set, or gone from the
// device) is sealed as `{v, kind, id, deleted: true, updatedAt}` plus the structural nulls older
// versions of the app expect (`conversationId`, `record`, `file`): no title, text, name or size.
import '../shared/zodConfig';
import { z } from 'zod';
import type { Attachment, Conversation, Message } from '../db';
import { MAX_CHUNK_INDEX, type Change } from '../shared/sync/protocol';
import { decodeJson, decryptRecord, encodeJson, encryptRecord, type AccountKey } from './crypto';
import { refused } from './errors';

export const ENVELOPE_VERSION = 1;

const time = z.number().finite();
const id = z.string().min(1).max(100);

const ConversationShape = z.looseObject({
  id,
  title: z.string(),
  createdAt: time,
  updatedAt: time,
  pinned: z.boolean(),
  systemPrompt: z.string(),
  settings: z.looseObject({ temperature: z.number(), topP: z.number(), maxNewTokens: z.number() }).nullable(),
  currentLeafId: id.nullable(),
  deletedAt: time.nullable(),
});

const MessageShape = z.looseObject({
  id,
  conversationId: id,
  parentId: id.nullable(),
  role: z.enum(['system', 'user', 'assistant']),
  content: z.string(),
  status: z.enum(['complete', 'streaming', 'interrupted', 'error']),
  createdAt: time,
  updatedAt: time,
  deletedAt: time.nullable(),
  // The label under a reply (the model that wrote it); the rest of the metadata is informative.
  metadata: z.looseObject({ modelName: z.string().max(200).optional() }),
  attachmentIds: z.array(id),
});

const AttachmentShape = z.looseObject({
  id,
  conversationId: id,
  messageId: id.nullable(),
  name: z.string(),
  type: z.string(),
  size: z.number().int().min(0),
  createdAt: time,
  updatedAt: time,
  deletedAt: time.nullable(),
});

/** Where an attachment's bytes are: `chunkCount` encrypted chunks whose plaintext hashes to sha256. */
export const FileInfo = z.object({
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  size: z.number().int().min(0),
  chunkCount: z.number().int().min(0).max(MAX_CHUNK_INDEX + 1),
});
export type FileInfo = z.infer<typeof FileInfo>;

/** Present on tombstones (and only there): when the record was deleted. */
const tombstone = { deleted: z.literal(true).optional(), updatedAt: time.optional() };
const base = { v: z.literal(ENVELOPE_VERSION), id, ...tombstone };
const Envelope = z.discriminatedUnion('kind', [
  z.object({ ...base, kind: z.literal('conversation'), conversationId: z.null(), record: ConversationShape.nullable() }),
  z.object({ ...base, kind: z.literal('message'), conversationId: id.nullable(), record: MessageShape.nullable() }),
  z.object({
    ...base,
    kind: z.literal('attachment'),
    conversationId: id.nullable(),
    record: AttachmentShape.nullable(),
    file: FileInfo.nullable(),
  }),
]);

const KINDS = ['conversation', 'message', 'attachment'];

export type AttachmentMeta = Omit<Attachment, 'data'>;

/** A record as it travels: `record` null means the record no longer exists on the device that sent it. */
export type SyncRecord =
  | { kind: 'conversation'; id: string; conversationId: null; record: Conversation | null }
  | { kind: 'message'; id: string; conversationId: string | null; record: Message | null }
  | { kind: 'attachment'; id: string; conversationId: string | null; record: AttachmentMeta | null; file: FileInfo | null };

/** A pulled record with its server seq; `stamp` is a tombstone's `updatedAt` (when it was deleted). */
export type PulledRecord = SyncRecord & { seq: number; stamp?: number };

/** What goes inside the ciphertext: the record, or for a deleted one a tombstone without content. */
export function envelopeOf(rec: SyncRecord, now = Date.now()): Record<string, unknown> {
  const deletedAt = rec.record ? rec.record.deletedAt : now;
  if (deletedAt === null) return { v: ENVELOPE_VERSION, ...rec };
  const empty = rec.kind === 'attachment' ? { file: null } : {};
  // Its stamp: the deleted record's `updatedAt` (pending changes elsewhere are compared with it).
  return { v: ENVELOPE_VERSION, kind: rec.kind, id: rec.id, conversationId: null, record: null, ...empty, deleted: true, updatedAt: rec.record ? rec.record.updatedAt : deletedAt };
}

export function sealRecord(key: AccountKey, rec: SyncRecord): Promise<string> {
  return encryptRecord(key, rec.id, encodeJson(envelopeOf(rec)));
}

/** Decrypts and validates one pulled change; throws a 'refused' SyncError saying why not. */
export async function openRecord(key: AccountKey, change: Change): Promise<PulledRecord> {
  const what = `record ${change.recordId}`;
  const plain = await decryptRecord(key, change.recordId, change.ciphertext);
  const json = decodeJson(plain, what) as { v?: unknown; kind?: unknown } | null;
  const newer = typeof json?.v === 'number' && json.v > ENVELOPE_VERSION;
  if (newer || !KINDS.includes(json?.kind as string)) throw refused(what, 'it was written by a newer version of Hearth (update the app to read it)');
  const parsed = Envelope.safeParse(json);
  if (!parsed.success) throw refused(what, `its content is not a valid record (${parsed.error.issues[0]?.path.join('.') || 'shape'})`);
  const env = parsed.data;
  if (env.id !== change.recordId) throw refused(what, 'it claims to be another record');
  if (env.record) {
    if (env.record.id !== env.id) throw refused(what, 'its id does not match');
    if (env.kind !== 'conversation' && env.record.conversationId !== env.conversationId) {
      throw refused(what, 'its conversation does not match');
    }
  }
  if (env.kind === 'attachment' && env.record && !env.record.deletedAt && (!env.file || env.file.size !== env.record.size)) {
    throw refused(what, 'its file description is missing or does not match its size');
  }
  const { v: _v, deleted: _deleted, updatedAt: stamp, ...rec } = env;
  return { ...(rec as SyncRecord), seq: change.seq, ...(rec.record === null && stamp !== undefined ? { stamp } : {}) };
}
