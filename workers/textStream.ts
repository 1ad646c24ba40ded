// Turning generated token ids into streamed text, cheaply: a constant amount of decoding per
// token (transformers.js's TextStreamer decodes the whole reply again at every token), and the
// text handed on in batches at most every `intervalMs` (one worker message per batch, not per
// token), so the cost per token does not grow with the reply.

type Decode = (ids: number[]) => string;

/**
 * Incremental detokenizer (the prefix/read-offset scheme of Hugging Face's text-generation-
 * inference): decodes only the tokens since the last complete character and returns the new
 * text, holding back an incomplete UTF-8 sequence (U+FFFD at the end) until it completes.
 */
export class IncrementalText {
  private readonly ids: number[] = [];
  private prefix = 0;
  private read = 0;
  private emitted = '';

  private readonly decode: Decode;

  constructor(decode: Decode) {
    this.decode = (ids) => (ids.length ? decode(ids) : '');
  }

  /** Adds a token and returns the text it completes ('' if none yet). */
  push(id: number): string {
    this.ids.push(id);
    const before = this.decode(this.ids.slice(this.prefix, this.read));
    const after = this.decode(this.ids.slice(this.prefix));
    if (after.length <= before.length || after.endsWith('\uFFFD')) return '';
    const piece = after.slice(before.length);
    this.prefix = this.read;
    this.read = this.ids.length;
    this.emitted += piece;
    return piece;
  }

  /** The text not yet returned, given the whole reply's final decoding. */
  rest(full: string): string {
    return full.startsWith(this.emitted) ? full.slice(this.emitted.length) : '';
  }
}

/** Collects pieces and hands them on joined, at most every `intervalMs` (the first at once). */
export class PieceBatcher {
  private buffer = '';
  private last = -Infinity;
  private timer: ReturnType<typeof setTimeout> | null = null;

  constructor(
    private readonly emit: (text: string) => void,
    private readonly intervalMs = 40,
    private readonly now: () => number = () => performance.now(),
  ) {}

  push(piece: string): void {
    if (!piece) return;
    this.buffer += piece;
    const wait = this.last + this.intervalMs - this.now();
    if (wait <= 0) this.flush();
    else this.timer ??= setTimeout(() => this.flush(), wait);
  }

  flush(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    if (!this.buffer) return;
    const text = this.buffer;
    this.buffer = '';
    this.last = this.now();
    this.emit(text);
  }
}
