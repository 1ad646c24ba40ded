import { describe, expect, it } from 'vitest';
import type { ChatTurn } from '../../src/shared/engine';
import { planPrompt } from '../../src/shared/prompt';

// A word tokenizer with a chat-template overhead of 3 tokens per message and 2 for the
// generation prompt: simple enough to compute expected plans by hand.
const words = (s: string) => s.split(/\s+/).filter(Boolean);
const countTokens = (messages: ChatTurn[]) => messages.reduce((n, m) => n + 3 + words(m.content).length, 2);
const clipText = (text: string, n: number, from: 'start' | 'end') =>
  (from === 'start' ? words(text).slice(0, n) : words(text).slice(Math.max(0, words(text).length - n))).join(' ');
const turn = (role: ChatTurn['role'], n: number, tag: string): ChatTurn => ({
  role,
  content: Array.from({ length: n }, (_, i) => `${tag}${i}`).join(' '),
});

describe('planPrompt', () => {
  it('keeps everything when it fits and caps the reply to the context', () => {
    const turns = [turn('user', 5, 'a'), turn('assistant', 5, 'b'), turn('user', 5, 'c')];
    const plan = planPrompt({ turns, systemPrompt: 'be kind', contextLength: 64, maxNewTokens: 100, countTokens, clipText });
    expect(plan.messages.map((m) => m.role)).toEqual(['system', 'user', 'assistant', 'user']);
    expect(plan.droppedTurns).toBe(0);
    expect(plan.truncatedLatest).toBe(false);
    expect(plan.promptTokens).toBe(2 + 5 + 8 * 3);
    expect(plan.maxNewTokens).toBe(64 - plan.promptTokens);
  });

  it('drops the oldest turns first, keeps the system prompt, and starts on a user turn', () => {
    const turns = [turn('user', 10, 'a'), turn('assistant', 10, 'b'), turn('user', 10, 'c'), turn('assistant', 10, 'd'), turn('user', 10, 'e')];
    // context 80, reply 40 -> prompt budget 40: system (2+3+1) + 'e' (13) + 'd' (13) fits = 32; + 'c' = 45 > 40.
    const plan = planPrompt({ turns, systemPrompt: 'terse', contextLength: 80, maxNewTokens: 40, countTokens, clipText });
    expect(plan.messages[0]).toEqual({ role: 'system', content: 'terse' });
    // 'd' fits but would open the history on an assistant turn, so it goes too.
    expect(plan.messages.slice(1).map((m) => m.content.split(' ')[0])).toEqual(['e0']);
    expect(plan.droppedTurns).toBe(4);
    expect(plan.promptTokens).toBeLessThanOrEqual(40);
    expect(plan.promptTokens + plan.maxNewTokens).toBeLessThanOrEqual(80);
  });

  it('reserves at most half the window for the reply when the history is long', () => {
    const turns = [turn('user', 30, 'a'), turn('assistant', 30, 'b'), turn('user', 5, 'c')];
    const plan = planPrompt({ turns, contextLength: 100, maxNewTokens: 1000, countTokens, clipText });
    expect(plan.droppedTurns).toBe(2);
    expect(plan.maxNewTokens).toBe(100 - plan.promptTokens);
  });

  it('shortens a huge newest message to its end so prompt + reply fit', () => {
    const huge = turn('user', 20_000, 'w');
    const plan = planPrompt({ turns: [turn('user', 3, 'old'), turn('assistant', 3, 'ans'), huge], contextLength: 256, maxNewTokens: 64, countTokens, clipText });
    expect(plan.truncatedLatest).toBe(true);
    expect(plan.droppedTurns).toBe(2);
    expect(plan.messages).toHaveLength(1);
    const kept = words(plan.messages[0].content);
    expect(kept[kept.length - 1]).toBe('w19999');
    expect(plan.promptTokens).toBeLessThanOrEqual(256 - 64);
    expect(plan.maxNewTokens).toBe(64);
  });

  it('cuts a system prompt that would eat the whole window to its start', () => {
    const plan = planPrompt({
      turns: [turn('user', 4, 'q')],
      systemPrompt: turn('system', 500, 's').content,
      contextLength: 128,
      maxNewTokens: 32,
      countTokens,
      clipText,
    });
    expect(plan.messages[0].role).toBe('system');
    expect(words(plan.messages[0].content)[0]).toBe('s0');
    expect(plan.messages[1].content).toBe('q0 q1 q2 q3');
    expect(plan.promptTokens).toBeLessThanOrEqual(96);
  });

  it('ignores a blank system prompt and refuses an empty conversation', () => {
    const plan = planPrompt({ turns: [turn('user', 2, 'x')], systemPrompt: '   ', contextLength: 64, maxNewTokens: 8, countTokens, clipText });
    expect(plan.messages.map((m) => m.role)).toEqual(['user']);
    expect(() => planPrompt({ turns: [], contextLength: 64, maxNewTokens: 8, countTokens, clipText })).toThrow(/at least one turn/);
  });
});
