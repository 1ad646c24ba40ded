// A realistic 2026 ChatGPT export reads as ChatGPT shows it: answers are the message text; thoughts,
// searches, code and canvas edits are steps; memory and hidden context never show; citation
// markers become links or go; images and voice keep real names; a null title reads as a title.
import { describe, expect, it } from 'vitest';
import type { Message } from '../../src/db/types';
import { readChatGptExport } from '../../src/io/chatgpt';
import { parseImportFile } from '../../src/io/parseFile';
import { indexTree, pathTo } from '../../src/lib/tree';
import { fileOf, PNG } from './io-fixtures';
import { realisticConversations, realisticZip, WAV, WEBP } from './io-fixtures-chatgpt';

const PLUMBING = /search_query|Model set context|textdoc_id|Successfully|DALL·E displayed|"prompt"|\uE200|\uE202|cite|turn0|kept as data|print\(|User likes tea/;

const byTitle = async (zip = realisticZip()) => {
  const parsed = await parseImportFile(fileOf(zip, 'chatgpt.zip'), 'chatgpt.zip');
  return { parsed, get: (title: string) => parsed.bundles.find((b) => b.conversation.title === title)! };
};
const onScreen = (b: { conversation: { currentLeafId: string | null }; messages: Message[] }) => pathTo(indexTree(b.messages), b.conversation.currentLeafId);

describe('a realistic ChatGPT export, as ChatGPT shows it', () => {
  it('every conversation shows exactly its turns, with no plumbing in any message text', async () => {
    const { parsed, get } = await byTitle();
    expect(parsed.bundles.map((b) => b.conversation.title).sort()).toEqual(['Boiling eggs', 'Quick hello', 'Rain poem', 'Tallest building', 'Tea and powers', 'Draw this garden at dawn.'].sort());
    for (const b of parsed.bundles) for (const m of b.messages) expect(m.content, b.conversation.title).not.toMatch(PLUMBING);
    const turns = (t: string) => onScreen(get(t)).map((m) => `${m.role}: ${m.content}`);
    expect(turns('Tallest building')).toEqual(['user: What is the tallest building in Lisbon?', 'assistant: The tallest is Torre São Gabriel ([Lisbon towers](https://example.org/lisbon)). It is 110 m tall.']);
    expect(turns('Tea and powers')).toEqual(['user: Remember that I like tea. Also, what is 2**10?', 'assistant: Noted. 2**10 is 1024.']);
    expect(turns('Rain poem')).toEqual(['user: Write a short poem about rain.', 'assistant: Here is a short poem about rain.', 'user: Make it one line.', 'assistant: Done: one line now.']);
    expect(turns('Draw this garden at dawn.')).toEqual(['user: Draw this garden at dawn.', 'assistant: Here is your garden at dawn.']);
    expect(turns('Boiling eggs')).toEqual(['user: How long do I boil an egg?', 'assistant: About nine minutes for a hard egg.']);
    expect(get('Tallest building').conversation.systemPrompt).toBe('I am a botanist.\n\nBe concise.');
  });

  it('thoughts, searches and code are steps of the answer; memory is kept as data only', async () => {
    const { get } = await byTitle();
    const [, answer] = onScreen(get('Tallest building'));
    expect(answer.metadata.modelId).toBe('o3');
    expect(answer.metadata.imported!.steps).toEqual([
      { kind: 'thought', label: 'Thought for 14s', text: '**Checking sources**\n\nI should search for current rankings.' },
      { kind: 'search', label: 'Searched the web', text: '- tallest building Lisbon\n\nTorre São Gabriel, 110 m (example.org)\n\n- [Lisbon towers](https://example.org/lisbon)' },
    ]);
    const [, tea] = onScreen(get('Tea and powers'));
    expect(tea.metadata.imported!.steps).toEqual([{ kind: 'code', label: 'Ran Python', text: '```python\nprint(2**10)\n```\n\nOutput:\n\n```\n1024\n```' }]);
    expect(JSON.stringify(tea.metadata.imported!.raw)).toContain('User likes tea.');
    expect(JSON.stringify(tea.metadata.imported!.raw)).toContain('Model set context updated.');
    expect(tea.metadata.imported!.nodeIds).toEqual(['bio', 'bioOk', 'py', 'out', 'a1']);
  });

  it('a canvas is a document (title and Markdown body) that follows its edits', async () => {
    const { get } = await byTitle();
    const [, first, , second] = onScreen(get('Rain poem'));
    expect(first.metadata.imported!.documents).toEqual([{ title: 'Rain', text: '# Rain\n\nSoft rain on the roof,\nslow songs for the street.' }]);
    expect(first.metadata.imported!.steps).toEqual([{ kind: 'document', label: 'Created “Rain”', text: '' }]);
    expect(second.metadata.imported!.documents).toEqual([{ title: 'Rain', text: '# Rain\n\nSoft rain sings the street to sleep.' }]);
    expect(second.metadata.imported!.steps![0].label).toBe('Edited “Rain”');
  });

  it('images and voice keep real names and bytes; DALL-E images belong to the answer; voice is playable', async () => {
    const { get } = await byTitle();
    const img = get('Draw this garden at dawn.');
    const [user, answer] = onScreen(img);
    const named = (m: Message) => m.attachmentIds.map((id) => img.attachments.find((a) => a.id === id)!).map((a) => [a.name, a.type, a.size]);
    expect(named(user)).toEqual([['garden.png', 'image/png', PNG.length]]);
    expect(named(answer)).toEqual([['Image.webp', 'image/webp', WEBP.length]]);
    expect(answer.metadata.imported!.steps).toEqual([{ kind: 'image', label: 'Created an image', text: '> A garden at dawn, soft light' }]);
    const v = get('Boiling eggs');
    expect(v.attachments.map((a) => [a.name, a.type, a.size])).toEqual([
      ['Voice message (0:03).wav', 'audio/wav', WAV.length],
      ['Voice message (0:02).wav', 'audio/wav', WAV.length],
    ]);
  });

  it('slim nodes, no `id`, inverted times, an older current leaf, pinned and archived', async () => {
    const { parsed, get } = await byTitle();
    const slim = get('Quick hello');
    expect(slim.conversation.pinned).toBe(true);
    expect(onScreen(slim).map((m) => m.content)).toEqual(['Hi there', 'Hello! How can I help?']);
    expect(slim.messages).toHaveLength(5);
    expect(slim.conversation.updatedAt).toBeGreaterThanOrEqual(slim.conversation.createdAt);
    expect(parsed.notes.join(' ')).toMatch(/1 archived conversation is imported/);
  });

  it('a zip inside a zip, and the conversations alone, read the same', async () => {
    const nested = await parseImportFile(fileOf(realisticZip({ nested: true }), 'outer.zip'), 'outer.zip');
    const plain = await byTitle();
    expect(nested.bundles.map((b) => b.messages)).toEqual(plain.parsed.bundles.map((b) => b.messages));
    const alone = await readChatGptExport([{ name: 'conversations.json', json: { conversations: realisticConversations() } }], 'conversations.json');
    // Without the zip, the images are placeholders in their messages.
    const withoutPlaceholders = alone.bundles.map((b) => onScreen(b).map((m) => m.content.replace(/^\[Image not included in the export: file_00\w+\]\n\n/, '')));
    expect(withoutPlaceholders).toEqual(plain.parsed.bundles.map((b) => onScreen(b).map((m) => m.content)));
  });
});
