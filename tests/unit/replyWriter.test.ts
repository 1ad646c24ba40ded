import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ReplyWriter } from '../../src/chat/replyWriter';
import type { Storage } from '../../src/db';
import { freshStorage } from './dbHelpers';

let s: Storage;
beforeEach(() => {
  s = freshStorage();
});
afterEach(() => {
  vi.useRealTimers();
  s.close();
});

async function streamingReply() {
  const c = await s.conversations.create();
  const u = await s.messages.add({ conversationId: c.id, parentId: null, role: 'user', content: 'q' });
  return s.messages.add({ conversationId: c.id, parentId: u.id, role: 'assistant', content: '', status: 'streaming' });
}

describe('ReplyWriter', () => {
  it('writes at most once per interval however many tokens arrive, and once at the end', async () => {
    const msg = await streamingReply();
    vi.useFakeTimers();
    const writer = new ReplyWriter(s.messages, msg.id, { intervalMs: 300 });
    // 1000 tokens over 2 s of simulated time: one token every 2 ms.
    for (let i = 0; i < 1000; i++) {
      writer.append(`t${i} `);
      await vi.advanceTimersByTimeAsync(2);
    }
    expect(writer.writes).toBeGreaterThanOrEqual(5);
    expect(writer.writes).toBeLessThanOrEqual(8);
    vi.useRealTimers();
    await writer.finish({ status: 'complete', metadata: { completionTokens: 1000 } });
    const saved = await s.messages.get(msg.id);
    expect(saved?.status).toBe('complete');
    expect(saved?.content.split(' ').filter(Boolean)).toHaveLength(1000);
    expect(saved?.metadata.completionTokens).toBe(1000);
  });

  it('has the partial text in the database while streaming (what a reload would show)', async () => {
    const msg = await streamingReply();
    vi.useFakeTimers();
    const writer = new ReplyWriter(s.messages, msg.id, { intervalMs: 300 });
    writer.append('Hello');
    writer.append(', wor');
    await vi.advanceTimersByTimeAsync(350);
    vi.useRealTimers();
    await writer.flush();
    expect(await s.messages.get(msg.id)).toMatchObject({ content: 'Hello, wor', status: 'streaming' });
    expect(await s.messages.recoverStreaming()).toBe(1);
    expect(await s.messages.get(msg.id)).toMatchObject({ content: 'Hello, wor', status: 'interrupted' });
  });

  it('ignores text after finish and keeps the final content', async () => {
    const msg = await streamingReply();
    const writer = new ReplyWriter(s.messages, msg.id, { intervalMs: 10_000 });
    writer.append('done');
    await writer.finish({ status: 'interrupted' });
    writer.append(' late');
    await writer.flush();
    expect(await s.messages.get(msg.id)).toMatchObject({ content: 'done', status: 'interrupted' });
  });

  it('reports a failed write and saves the text on the next successful one', async () => {
    const msg = await streamingReply();
    const errors: unknown[] = [];
    const writer = new ReplyWriter(s.messages, msg.id, { intervalMs: 10_000, onError: (e) => errors.push(e) });
    const full = () => {
      throw new DOMException('full', 'QuotaExceededError');
    };
    s.db.messages.hook('updating', full);
    writer.append('first part');
    await writer.flush();
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ code: 'quota' });
    s.db.messages.hook('updating').unsubscribe(full);
    writer.append(' and the rest');
    await writer.finish({ status: 'complete' });
    expect(await s.messages.get(msg.id)).toMatchObject({ content: 'first part and the rest', status: 'complete' });
  });
});
