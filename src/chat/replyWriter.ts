// Persists a streaming reply without writing per token (design rule 4): the message is
// written when the reply starts (by the caller), then at most every `intervalMs` while text
// arrives, and once more when it ends or is stopped. Writes are serialised; a failed write
// (quota) is reported and the text stays in memory, so the next write can still save it.
import type { MessagePatch } from '../db';

export interface ReplyStore {
  update(id: string, patch: MessagePatch): Promise<void>;
}

export interface ReplyWriterOptions {
  /** Text already saved (a reply being continued); appends extend it. */
  initial?: string;
  intervalMs?: number;
  onError?: (e: unknown) => void;
  setTimer?: (fn: () => void, ms: number) => unknown;
  clearTimer?: (handle: unknown) => void;
}

export class ReplyWriter {
  private text = '';
  private savedText = '';
  private timer: unknown = null;
  private chain: Promise<void> = Promise.resolve();
  private closed = false;
  private readonly intervalMs: number;
  private readonly setTimer: (fn: () => void, ms: number) => unknown;
  private readonly clearTimer: (handle: unknown) => void;
  /** Number of writes issued (for tests and diagnostics). */
  writes = 0;

  constructor(
    private readonly store: ReplyStore,
    readonly messageId: string,
    private readonly options: ReplyWriterOptions = {},
  ) {
    this.text = this.savedText = options.initial ?? '';
    this.intervalMs = options.intervalMs ?? 400;
    this.setTimer = options.setTimer ?? ((fn, ms) => setTimeout(fn, ms));
    this.clearTimer = options.clearTimer ?? ((h) => clearTimeout(h as ReturnType<typeof setTimeout>));
  }

  get content(): string {
    return this.text;
  }

  append(piece: string): void {
    if (this.closed || !piece) return;
    this.text += piece;
    if (this.timer === null) {
      this.timer = this.setTimer(() => {
        this.timer = null;
        void this.flush();
      }, this.intervalMs);
    }
  }

  /** Writes the text so far now (also used on `pagehide`). */
  flush(): Promise<void> {
    if (this.text === this.savedText) return this.chain;
    return this.write({ content: this.text });
  }

  /** Final write: content, status and metadata together. Later appends are ignored. */
  finish(patch: Omit<MessagePatch, 'content'> & { content?: string }): Promise<void> {
    this.closed = true;
    if (this.timer !== null) {
      this.clearTimer(this.timer);
      this.timer = null;
    }
    if (patch.content !== undefined) this.text = patch.content;
    return this.write({ ...patch, content: this.text });
  }

  private write(patch: MessagePatch): Promise<void> {
    const snapshot = patch.content ?? this.text;
    this.writes++;
    this.chain = this.chain.then(async () => {
      try {
        await this.store.update(this.messageId, patch);
        this.savedText = snapshot;
      } catch (e) {
        this.options.onError?.(e);
      }
    });
    return this.chain;
  }
}
