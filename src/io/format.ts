// Hearth's export format, version 1: zod 4 schemas (the single source of truth; the JSON Schema in
// docs/export-format.schema.json is generated from them and docs/export-format.md describes them).
// Everything is strict: an unknown key, a wrong type or an out-of-range value is an error.
import '../shared/zodConfig';
import { z } from 'zod';
import { LIMITS } from '../config';
import type { EngineErrorCode } from '../shared/engine';

export const EXPORT_FORMAT = 'hearth-export';
export const EXPORT_VERSION = 1;

const ENGINE_CODES = [
  'not-loaded', 'busy', 'model-not-found', 'model-corrupt', 'backend-unavailable', 'device-lost',
  'out-of-memory', 'generation-failed', 'worker-crashed', 'unknown',
] as const satisfies readonly EngineErrorCode[];

export const Id = z.string().regex(/^[\w-]{1,64}$/, 'must be 1 to 64 letters, digits, "-" or "_"');
/** Milliseconds since 1970-01-01 UTC. */
export const Time = z.number().int().min(0).max(8.64e15);
const Text = (max: number) => z.string().max(max);

export const MessageMetadataSchema = z.strictObject({
  modelId: Text(200).optional(),
  modelName: Text(200).optional(),
  backend: z.enum(['webgpu', 'wasm', 'cpu', 'browser']).optional(),
  promptTokens: z.number().int().min(0).optional(),
  completionTokens: z.number().int().min(0).optional(),
  tokensPerSecond: z.number().min(0).optional(),
  droppedTurns: z.number().int().min(0).optional(),
  truncatedLatest: z.boolean().optional(),
  finishReason: z.enum(['stop', 'length', 'interrupted']).optional(),
  stopped: z.boolean().optional(),
  contextFull: z.boolean().optional(),
  error: z.strictObject({ code: z.enum(ENGINE_CODES), message: Text(10_000), retryable: z.boolean() }).optional(),
  imported: z
    .strictObject({
      source: z.enum(['chatgpt', 'claude', 'openwebui']),
      nodeIds: z.array(Text(200)).max(10_000),
      raw: z.array(z.unknown()).optional(),
      steps: z
        .array(z.strictObject({ kind: z.enum(['thought', 'search', 'code', 'document', 'image', 'tool']), label: Text(500), text: Text(10_000_000) }))
        .max(10_000)
        .optional(),
      documents: z.array(z.strictObject({ title: Text(500), text: Text(10_000_000) })).max(1000).optional(),
    })
    .optional(),
  attachments: z
    .array(
      z.strictObject({
        id: Id,
        name: Text(255),
        whole: z.boolean(),
        passages: z.array(z.number().int().min(0)).max(100_000),
        totalPassages: z.number().int().min(0),
        passageChars: z.number().int().min(1),
      }),
    )
    .max(1000)
    .optional(),
  prompt: Text(10_000_000).optional(),
});

export const MessageSchema = z.strictObject({
  id: Id,
  parentId: Id.nullable(),
  role: z.enum(['system', 'user', 'assistant']),
  content: Text(10_000_000),
  status: z.enum(['complete', 'streaming', 'interrupted', 'error']),
  createdAt: Time,
  updatedAt: Time,
  metadata: MessageMetadataSchema,
  attachmentIds: z.array(Id).max(1000),
});

export const AttachmentSchema = z.strictObject({
  id: Id,
  messageId: Id.nullable(),
  name: z.string().min(1).max(255),
  /** A media type such as `image/png` (parameters allowed), or "" when unknown. */
  type: z.string().max(255).regex(/^([\w.+-]+\/[\w.+-]+(\s*;.*)?)?$/, 'must be a media type such as image/png'),
  size: z.number().int().min(0),
  sha256: z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 lowercase hex digits'),
  createdAt: Time,
  updatedAt: Time,
  /** The file's bytes in base64; absent when the export was made without attachments. */
  data: z.string().optional(),
});

const range = (key: keyof typeof LIMITS) => z.number().min(LIMITS[key].min).max(LIMITS[key].max);

export const ConversationSchema = z.strictObject({
  id: Id,
  title: z.string().min(1).max(200),
  createdAt: Time,
  updatedAt: Time,
  pinned: z.boolean(),
  systemPrompt: Text(100_000),
  settings: z.strictObject({ temperature: range('temperature'), topP: range('topP'), maxNewTokens: range('maxNewTokens').int() }).nullable(),
  currentLeafId: Id.nullable(),
  messages: z.array(MessageSchema),
  attachments: z.array(AttachmentSchema),
});

export const ExportSchema = z.strictObject({
  format: z.literal(EXPORT_FORMAT),
  version: z.literal(EXPORT_VERSION),
  exportedAt: z.iso.datetime(),
  includesAttachments: z.boolean(),
  conversations: z.array(ConversationSchema),
});

export type ExportFile = z.infer<typeof ExportSchema>;
export type ExportConversation = z.infer<typeof ConversationSchema>;
export type ExportMessage = z.infer<typeof MessageSchema>;
export type ExportAttachment = z.infer<typeof AttachmentSchema>;

/** The JSON Schema of the format (checked in as docs/export-format.schema.json). */
export function exportJsonSchema(): unknown {
  return {
    ...z.toJSONSchema(ExportSchema, { target: 'draft-2020-12' }),
    $id: 'https://hearth.local/export-format.schema.json',
    title: 'Hearth export, version 1',
  };
}

type ConversationFields = Omit<ExportConversation, 'messages' | 'attachments'>;

/** A conversation's exported fields, in the format's key order (exports serialise the same every time). */
export function conversationFields(c: ConversationFields): ConversationFields {
  return {
    id: c.id,
    title: c.title,
    createdAt: c.createdAt,
    updatedAt: c.updatedAt,
    pinned: c.pinned,
    systemPrompt: c.systemPrompt,
    settings: c.settings ? { temperature: c.settings.temperature, topP: c.settings.topP, maxNewTokens: c.settings.maxNewTokens } : null,
    currentLeafId: c.currentLeafId,
  };
}
