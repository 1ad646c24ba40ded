// Record shapes stored in IndexedDB. Every record is sync-ready: a random UUID id,
// `updatedAt` on every write, and deletes kept as tombstones (`deletedAt`).
import type { Backend, EngineError, FileUsage, GenerationParams, Role } from '../shared/engine';

export type MessageStatus = 'complete' | 'streaming' | 'interrupted' | 'error';

export interface Conversation {
  id: string;
  title: string;
  createdAt: number;
  updatedAt: number;
  pinned: boolean;
  systemPrompt: string;
  /** Per-conversation generation settings; null means "use the app defaults". */
  settings: GenerationParams | null;
  /** The leaf of the branch the user is looking at. */
  currentLeafId: string | null;
  deletedAt: number | null;
}

export interface MessageMetadata {
  modelId?: string;
  /** Replies: the name of the model that wrote it, as the app showed it then (the label under the reply). */
  modelName?: string;
  backend?: Backend;
  promptTokens?: number;
  completionTokens?: number;
  tokensPerSecond?: number;
  droppedTurns?: number;
  truncatedLatest?: boolean;
  finishReason?: 'stop' | 'length' | 'interrupted';
  /** The user stopped this reply (Stop / Esc); 'interrupted' without it means a closed tab or a crash. */
  stopped?: boolean;
  /** A reply cut at the length limit whose Continue found no room left in the context window. */
  contextFull?: boolean;
  error?: EngineError;
  /** Set on messages brought in by an import (src/io): where they came from. */
  imported?: ImportedFrom;
  /** Replies: what of each attached file went to the model (the chips show it). */
  attachments?: FileUsage[];
  /** Replies, only with `?debug=prompt`: the prompt exactly as the model received it. */
  prompt?: string;
}

export type ImportSource = 'chatgpt' | 'claude' | 'openwebui';

/** One thing the model did on the way to an imported answer (shown in a closed disclosure). */
export interface ImportedStep {
  kind: 'thought' | 'search' | 'code' | 'document' | 'image' | 'tool';
  /** As the source app names it: "Thought for 14 s", "Searched the web", "Ran Python". */
  label: string;
  /** Markdown shown when the disclosure is opened ("" when the label says it all). */
  text: string;
}

/** A document the source showed beside the answer (ChatGPT's canvas), as it stood after this turn. */
export interface ImportedDocument {
  title: string;
  /** Markdown. */
  text: string;
}

/** The origin of an imported message. */
export interface ImportedFrom {
  source: ImportSource;
  /** The source's node/message ids this message was made from (a turn's tool calls join its answer). */
  nodeIds: string[];
  /** Content Hearth does not show (memory notes, tool plumbing, unknown types), kept verbatim as JSON. */
  raw?: unknown[];
  /** What the model did before answering, in order. */
  steps?: ImportedStep[];
  /** Documents (canvas) written or edited in this turn. */
  documents?: ImportedDocument[];
}

export interface Message {
  id: string;
  conversationId: string;
  parentId: string | null;
  role: Role;
  content: string;
  status: MessageStatus;
  createdAt: number;
  updatedAt: number;
  deletedAt: number | null;
  metadata: MessageMetadata;
  attachmentIds: string[];
}

export interface Attachment {
  id: string;
  conversationId: string;
  messageId: string | null;
  name: string;
  type: string;
  size: number;
  data: Blob;
  createdAt: number;
  updatedAt: number;
  deletedAt: number | null;
  /** How Hearth reads it (absent on records from before attachments were read: derive from name/type). */
  kind?: 'text' | 'pdf' | 'image' | 'other';
  /** PDFs: the extracted text (a text file's text is its Blob). */
  text?: string;
  /** PDFs: number of pages. */
  pageCount?: number;
  /** Why the model cannot read it, when it cannot. */
  note?: string;
}

/** Kinds of record that sync between devices. */
export type SyncKind = 'conversation' | 'message' | 'attachment';

/** One record waiting to be pushed (schema v3). */
export interface OutboxEntry {
  /** `${kind}:${id}`: one entry per record. */
  key: string;
  kind: SyncKind;
  id: string;
  /** When it was queued (monotonic clock); orders pushes and guards acknowledgements. */
  seq: number;
  /**
   * Queued to reconcile (a fresh sign-in with local data, or a server restored from a backup), not
   * by a local change: the server's version, once pulled, replaces the local one unless the local
   * one is newer by `updatedAt`; only what the server lacks or holds older is pushed.
   */
  reconcile?: true;
}

/** Sync client state (cursor, client id, pending batch, account), key-value (schema v3). */
export interface SyncStateRecord {
  key: string;
  value: unknown;
}

/** A CryptoKey kept on this device (non-extractable), schema v3. */
export interface KeyRecord {
  id: string;
  key: CryptoKey;
  createdAt: number;
}

export interface SettingRecord {
  key: string;
  value: unknown;
  updatedAt: number;
}

export type ModelStatus = 'partial' | 'installed';

export interface ModelFileRecord {
  /** Path inside the model folder, e.g. "onnx/model_quantized.onnx". */
  path: string;
  size: number;
  /** Hex sha256 when known (the Hub gives it for large files). */
  sha256?: string;
  /** Whether the file is in the cache, complete and verified. */
  verified: boolean;
  /** Bytes kept of an unfinished download of this file (a later attempt resumes after them). */
  storedBytes?: number;
}

/** A model kept by the user (downloaded from the Hub or loaded from files). */
export interface ModelRecord {
  /** Catalog id, or "hub:<repo>@<revision>" / "files:<name>" for models not in the catalog. */
  id: string;
  name: string;
  source: 'hub' | 'files';
  hubUrl?: string;
  repo?: string;
  revision?: string;
  /** Key prefix of the files in the cache (files source). */
  baseUrl?: string;
  cacheName: string;
  dtype: string;
  contextLength?: number;
  licence?: string;
  files: ModelFileRecord[];
  totalBytes: number;
  /** 'installed' only once every file is in the cache and verified. */
  status: ModelStatus;
  createdAt: number;
  updatedAt: number;
}
