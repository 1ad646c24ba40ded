// Claude's and Open WebUI's exports, detected by "Import conversations" and read with their
// branches: Claude's thinking and tool use are steps, attachments keep their names and text;
// Open WebUI's history tree keeps every branch and its current leaf.
import { describe, expect, it } from 'vitest';
import type { ImportBundle } from '../../src/io/bundle';
import { parseImportFile } from '../../src/io/parseFile';
import { indexTree, pathTo, siblingsOf } from '../../src/lib/tree';
import { fileOf, PNG } from './io-fixtures';
import { claudeConversations, claudeZip, openWebUiChats } from './io-fixtures-sources';

const onScreen = (b: ImportBundle) => pathTo(indexTree(b.messages), b.conversation.currentLeafId).map((m) => m.content);

describe('Claude export', () => {
  it('the zip and its conversations.json are detected; thinking and tools are steps; branches and attachments kept', async () => {
    const parsed = await parseImportFile(fileOf(claudeZip(), 'claude-export.zip'), 'claude-export.zip');
    const alone = await parseImportFile(fileOf(JSON.stringify(claudeConversations()), 'conversations.json'), 'conversations.json');
    expect(parsed.source).toBe('claude');
    expect(alone.bundles).toEqual(parsed.bundles);
    const [sour, picnic] = parsed.bundles;
    expect(sour.conversation.title).toBe('Sourdough starter');
    expect(onScreen(sour)).toEqual(['How do I feed my starter? Notes attached.\n\n[File not included in the export: photo.jpg]', 'Daily, equal parts by weight.', 'Thanks!']);
    const tree = indexTree(sour.messages);
    const first = sour.messages.find((m) => m.content.startsWith('Feed it'))!;
    expect(siblingsOf(tree, first.id).siblings.map((m) => m.content)).toEqual(['Feed it 1:1:1 flour, water and starter once a day.', 'Daily, equal parts by weight.']);
    expect(first.metadata.imported).toMatchObject({ source: 'claude', steps: [
      { kind: 'thought', label: 'Thought', text: 'They keep notes; answer from them.' },
      { kind: 'search', label: 'Searched the web', text: '- sourdough starter feeding ratio\n\n```\nUse 1:1:1 by weight.\n```' },
    ] });
    expect(sour.attachments.map((a) => [a.name, a.type])).toEqual([['notes.txt', 'text/plain']]);
    expect(await sour.attachments[0].data.text()).toBe('Feed daily.\n');
    expect(sour.conversation.createdAt).toBe(Date.parse('2026-03-01T10:00:00Z'));
    // No name: the first user message names it; no parent uuids: the messages follow each other.
    expect(picnic.conversation.title).toBe('Plan a picnic for four');
    expect(onScreen(picnic)).toEqual(['Plan a picnic for four', 'Bread, cheese, fruit and lemonade.']);
  });
});

describe('Open WebUI export', () => {
  it('keeps every branch of the history tree, its current leaf, models, pinned and archived', async () => {
    const parsed = await parseImportFile(fileOf(JSON.stringify(openWebUiChats()), 'chat-export-1767.json'), 'chat-export-1767.json');
    expect(parsed.source).toBe('openwebui');
    const [flowers, hello] = parsed.bundles;
    expect(flowers.conversation).toMatchObject({ title: 'Flowers', pinned: true, createdAt: 1767000000000 });
    expect(onScreen(flowers)).toEqual(['Name a blue flower.\n\n[File not included in the export: garden.pdf]', 'Forget-me-not.', 'And a red one?', 'Poppy.']);
    expect(flowers.attachments.map((a) => [a.name, a.type, a.size])).toEqual([['Image.png', 'image/png', PNG.length]]);
    expect(new Uint8Array(await flowers.attachments[0].data.arrayBuffer())).toEqual(PNG);
    const tree = indexTree(flowers.messages);
    const r1 = flowers.messages.find((m) => m.content === 'Cornflower.')!;
    expect(siblingsOf(tree, r1.id).siblings.map((m) => m.content)).toEqual(['Cornflower.', 'Forget-me-not.']);
    expect(r1.metadata.modelId).toBe('llama3.2:1b');
    // No history: chat.messages is read; no title (Open WebUI's placeholder "New Chat") reads as the first message.
    expect(hello.conversation.title).toBe('Hello there');
    expect(onScreen(hello)).toEqual(['Hello there', 'Hi!']);
    expect(parsed.notes.join(' ')).toMatch(/1 archived conversation/);
  });

  it('a broken chat is refused naming the file, the conversation and the field', async () => {
    const chats = openWebUiChats();
    (chats[0].chat as { history: { messages: Record<string, { role: unknown }> } }).history.messages.q2.role = 7;
    await expect(parseImportFile(fileOf(JSON.stringify(chats), 'owui.json'), 'owui.json')).rejects.toThrow('owui.json: conversation 1 “Flowers”: chat.history.messages.q2.role');
  });
});
