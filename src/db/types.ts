// Record shapes stored in IndexedDB. Every record is sync-ready: a random UUID id,
// `updatedAt` on every write, and deletes kept as tombstones (`deletedAt`).
import type { Backend, EngineError, GenerationParams, Role } from '../shared/engine';

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
  backend?: Backend;
  promptTokens?: number;
  completionTokens?: number;
  tokensPerSecond?: number;
  droppedTurns?: number;
  truncatedLatest?: boolean;
  finishReason?: 'stop' | 'length' | 'interrupted';
  error?: EngineError;
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
}

export interface SettingRecord {
  key: string;
  value: unknown;
  updatedAt: number;
}
