// Streaming text out of the engine: the incremental detokenizer (real byte-level BPE tokenizer of
// the test model, with multi-byte characters split across tokens) and the time-batched pieces.
import { resolve } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { AutoTokenizer, env } from '@huggingface/transformers';
import { IncrementalText, PieceBatcher } from '../../workers/textStream';

describe('IncrementalText', () => {
  it('gives pieces that join to the full decoding, never a broken character', async () => {
    env.localModelPath = resolve(__dirname, '../../models') + '/';
    env.allowRemoteModels = false;
    /* eslint-disable-next-line @typescript-eslint/no-explicit-any */
    const tok: any = await AutoTokenizer.from_pretrained('hearth-test-tiny');
    const text = 'Grüße aus Köln! 日本語 and emoji 🔥🌱 — "quotes", tabs\tand\nnew lines.';
    const ids: number[] = tok.encode(text, { add_special_tokens: false });
    const decode = (xs: number[]) => tok.decode(xs, { skip_special_tokens: true }) as string;
    const stream = new IncrementalText(decode);
    const pieces: string[] = [];
    for (const id of ids) {
      const piece = stream.push(id);
      expect(piece).not.toContain('\uFFFD');
      if (piece) pieces.push(piece);
    }
    const full = decode(ids);
    pieces.push(stream.rest(full));
    expect(pieces.join('')).toBe(full);
    expect(full).toBe(text);
    // Multi-byte characters span several tokens, so some tokens add no text yet.
    expect(pieces.length).toBeGreaterThan(5);
    expect(pieces.length).toBeLessThan(ids.length);
  });
});

describe('PieceBatcher', () => {
  it('sends the first piece at once, then at most one batch per interval, and everything on flush', () => {
    vi.useFakeTimers();
    try {
      let now = 0;
      const sent: string[] = [];
      const b = new PieceBatcher((t) => sent.push(t), 40, () => now);
      b.push('a');
      expect(sent).toEqual(['a']);
      now = 10;
      b.push('b');
      now = 20;
      b.push('c');
      b.push('');
      expect(sent).toEqual(['a']);
      now = 40;
      vi.advanceTimersByTime(30);
      expect(sent).toEqual(['a', 'bc']);
      now = 100;
      b.push('d');
      expect(sent).toEqual(['a', 'bc', 'd']);
      now = 110;
      b.push('e');
      b.flush();
      expect(sent).toEqual(['a', 'bc', 'd', 'e']);
      vi.advanceTimersByTime(100);
      expect(sent).toEqual(['a', 'bc', 'd', 'e']);
    } finally {
      vi.useRealTimers();
    }
  });
});
