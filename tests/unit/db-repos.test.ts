import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StorageError, titleFrom, UNTITLED, type Storage } from '../../src/db';
import { freshStorage } from './dbHelpers';

let s: Storage;
beforeEach(() => {
  s = freshStorage();
});
afterEach(() => s.close());

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('conversations', () => {
  it('creates sync-ready records with random UUIDs and timestamps', async () => {
    const a = await s.conversations.create();
    const b = await s.conversations.create();
    expect(a.id).toMatch(UUID);
    expect(a.id).not.toBe(b.id);
    expect(a.title).toBe(UNTITLED);
    expect(a.deletedAt).toBeNull();
    expect(b.createdAt).toBeGreaterThan(a.createdAt);
    expect(await s.conversations.get(a.id)).toEqual(a);
  });

  it('lists pinned first, then most recently updated', async () => {
    const a = await s.conversations.create({ title: 'a' });
    const b = await s.conversations.create({ title: 'b' });
    const c = await s.conversations.create({ title: 'c' });
    expect((await s.conversations.list()).map((x) => x.title)).toEqual(['c', 'b', 'a']);
    await s.conversations.setPinned(a.id, true);
    await s.conversations.touch(b.id);
    expect((await s.conversations.list()).map((x) => x.title)).toEqual(['a', 'b', 'c']);
    await s.conversations.setPinned(a.id, false);
    // Unpinning counts as an update, so `a` stays on top as the most recent.
    expect((await s.conversations.list()).map((x) => x.title)).toEqual(['a', 'b', 'c']);
    await s.conversations.touch(c.id);
    expect((await s.conversations.list()).map((x) => x.title)).toEqual(['c', 'a', 'b']);
  });

  it('renames, trims, rejects empty titles and bumps updatedAt', async () => {
    const a = await s.conversations.create();
    await s.conversations.rename(a.id, '  Trip   to Lisbon \n');
    const got = await s.conversations.get(a.id);
    expect(got?.title).toBe('Trip to Lisbon');
    expect(got!.updatedAt).toBeGreaterThan(a.updatedAt);
    await expect(s.conversations.rename(a.id, '   ')).rejects.toMatchObject({ code: 'invalid' });
    expect((await s.conversations.get(a.id))?.title).toBe('Trip to Lisbon');
  });

  it('deletes as a tombstone that can be undone', async () => {
    const a = await s.conversations.create({ title: 'keep me' });
    await s.messages.add({ conversationId: a.id, parentId: null, role: 'user', content: 'hi' });
    await s.conversations.remove(a.id);
    expect(await s.conversations.get(a.id)).toBeUndefined();
    expect(await s.conversations.list()).toEqual([]);
    const raw = await s.db.conversations.get(a.id);
    expect(raw?.deletedAt).toEqual(expect.any(Number));
    await expect(s.conversations.rename(a.id, 'x')).rejects.toBeInstanceOf(StorageError);
    await s.conversations.restore(a.id);
    expect((await s.conversations.get(a.id))?.title).toBe('keep me');
    expect(await s.messages.listByConversation(a.id)).toHaveLength(1);
  });

  it('stores system prompt and per-conversation settings', async () => {
    const a = await s.conversations.create();
    await s.conversations.setSystemPrompt(a.id, 'You are terse.');
    await s.conversations.setSettings(a.id, { temperature: 0, topP: 1, maxNewTokens: 16 });
    const got = await s.conversations.get(a.id);
    expect(got?.systemPrompt).toBe('You are terse.');
    expect(got?.settings).toEqual({ temperature: 0, topP: 1, maxNewTokens: 16 });
  });
});

describe('titles', () => {
  it('comes from the first message, trimmed and shortened at a word', () => {
    expect(titleFrom('  hello\n  world  ')).toBe('hello world');
    expect(titleFrom('   ')).toBe(UNTITLED);
    const long = titleFrom('word '.repeat(40));
    expect(long.length).toBeLessThanOrEqual(61);
    expect(long.endsWith('…')).toBe(true);
    expect(long).not.toMatch(/wor…$/);
  });

  it('is set from the first user message only', async () => {
    const a = await s.conversations.create();
    const m1 = await s.messages.add({ conversationId: a.id, parentId: null, role: 'user', content: 'What is a hearth?' });
    await s.messages.add({ conversationId: a.id, parentId: m1.id, role: 'assistant', content: 'A fireplace.' });
    await s.messages.add({ conversationId: a.id, parentId: m1.id, role: 'user', content: 'Second question' });
    expect((await s.conversations.get(a.id))?.title).toBe('What is a hearth?');
  });
});

describe('messages', () => {
  it('adds to the tree, moves the current leaf and rejects foreign parents', async () => {
    const a = await s.conversations.create();
    const b = await s.conversations.create();
    const u = await s.messages.add({ conversationId: a.id, parentId: null, role: 'user', content: 'q' });
    const r = await s.messages.add({ conversationId: a.id, parentId: u.id, role: 'assistant', content: '', status: 'streaming' });
    expect((await s.conversations.get(a.id))?.currentLeafId).toBe(r.id);
    await expect(s.messages.add({ conversationId: b.id, parentId: u.id, role: 'user', content: 'x' })).rejects.toMatchObject({
      code: 'invalid',
    });
    expect(await s.messages.listByConversation(b.id)).toEqual([]);
  });

  it('updates content and status, and refuses unknown ids', async () => {
    const a = await s.conversations.create();
    const m = await s.messages.add({ conversationId: a.id, parentId: null, role: 'assistant', content: '', status: 'streaming' });
    await s.messages.update(m.id, { content: 'partial' });
    await s.messages.update(m.id, { content: 'partial and done', status: 'complete', metadata: { completionTokens: 4 } });
    const got = await s.messages.get(m.id);
    expect(got).toMatchObject({ content: 'partial and done', status: 'complete', metadata: { completionTokens: 4 } });
    await expect(s.messages.update('nope', { content: 'x' })).rejects.toMatchObject({ code: 'not-found' });
  });

  it('marks replies left streaming by a closed tab as interrupted, keeping their text', async () => {
    const a = await s.conversations.create();
    const u = await s.messages.add({ conversationId: a.id, parentId: null, role: 'user', content: 'q' });
    const dead = await s.messages.add({ conversationId: a.id, parentId: u.id, role: 'assistant', content: 'half a rep', status: 'streaming' });
    const alive = await s.messages.add({ conversationId: a.id, parentId: u.id, role: 'assistant', content: 'other tab', status: 'streaming' });
    expect(await s.messages.recoverStreaming((id) => id === alive.id)).toBe(1);
    expect(await s.messages.get(dead.id)).toMatchObject({ status: 'interrupted', content: 'half a rep', metadata: { finishReason: 'interrupted' } });
    expect((await s.messages.get(alive.id))?.status).toBe('streaming');
    expect((await s.messages.get(u.id))?.status).toBe('complete');
  });

  it('keeps a 100 kB message intact', async () => {
    const a = await s.conversations.create();
    const big = 'lorem ipsum '.repeat(9000);
    const m = await s.messages.add({ conversationId: a.id, parentId: null, role: 'user', content: big });
    expect((await s.messages.get(m.id))?.content).toBe(big);
  });
});

describe('quota exceeded', () => {
  it('surfaces a quota StorageError and loses nothing already saved', async () => {
    const a = await s.conversations.create();
    const u = await s.messages.add({ conversationId: a.id, parentId: null, role: 'user', content: 'saved before the disk filled' });
    const full = () => {
      throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
    };
    s.db.messages.hook('creating', full);
    s.db.messages.hook('updating', full);
    const err = await s.messages.add({ conversationId: a.id, parentId: u.id, role: 'assistant', content: 'x' }).catch((e) => e);
    expect(err).toBeInstanceOf(StorageError);
    expect(err.code).toBe('quota');
    expect(err.message).toMatch(/storage space/);
    await expect(s.messages.update(u.id, { content: 'changed' })).rejects.toMatchObject({ code: 'quota' });
    s.db.messages.hook('creating').unsubscribe(full);
    s.db.messages.hook('updating').unsubscribe(full);
    const list = await s.messages.listByConversation(a.id);
    expect(list.map((m) => m.content)).toEqual(['saved before the disk filled']);
    expect((await s.conversations.get(a.id))?.currentLeafId).toBe(u.id);
  });
});

describe('search', () => {
  it('finds conversations by title and by message text, with a snippet', async () => {
    const a = await s.conversations.create({ title: 'Sourdough starter' });
    const b = await s.conversations.create({ title: 'Baking' });
    await s.messages.add({ conversationId: b.id, parentId: null, role: 'user', content: 'How do I keep a SOURDOUGH loaf fresh for days?' });
    const c = await s.conversations.create({ title: 'Unrelated' });
    await s.conversations.remove(c.id);
    const hits = await s.search('sourdough');
    expect(hits.map((h) => h.conversation.id).sort()).toEqual([a.id, b.id].sort());
    expect(hits.find((h) => h.conversation.id === a.id)?.snippet).toBeUndefined();
    expect(hits.find((h) => h.conversation.id === b.id)?.snippet).toMatch(/SOURDOUGH loaf/);
    expect(await s.search('nothing like this')).toEqual([]);
    expect((await s.search('  ')).length).toBe(2);
  });
});

describe('settings', () => {
  it('returns the fallback until set, then the stored value', async () => {
    expect(await s.settings.get('backend', 'auto')).toBe('auto');
    await s.settings.set('backend', 'wasm');
    expect(await s.settings.get('backend', 'auto')).toBe('wasm');
  });
});
