// ChatGPT's export mapped to Hearth records: branches, null root, hidden nodes and custom
// instructions, multimodal with and without its asset, code and tool output in one assistant turn,
// quotes and browsing results, other types kept raw, split files and a real zip, deterministic ids.
import { describe, expect, it } from 'vitest';
import { indexTree, pathTo, siblingsOf } from '../../src/lib/tree';
import { readChatGptExport } from '../../src/io/chatgpt';
import { parseImportFile } from '../../src/io/parseFile';
import { CHATGPT_NAMESPACE, uuidv5 } from '../../src/io/uuidv5';
import { chatgptZip, fileOf, lisbon, noMapping, PNG, research } from './io-fixtures';

const idOf = (key: string, conv = 'conv-a') => uuidv5(`message:${conv}:${key}`, CHATGPT_NAMESPACE);

describe('ChatGPT conversations.json', () => {
  it('keeps every branch, drops the null root and hidden nodes, and makes custom instructions the system prompt', async () => {
    const parsed = await readChatGptExport([{ name: 'conversations.json', json: [lisbon(), noMapping(), research()] }], 'conversations.json');
    expect(parsed.source).toBe('chatgpt');
    expect(parsed.bundles.map((b) => b.conversation.title)).toEqual(['Trip to Lisbon', 'Tower research']);
    expect(parsed.skipped).toEqual([{ title: 'Broken one', reason: expect.stringContaining('no “mapping”') }]);

    const { conversation: c, messages } = parsed.bundles[0];
    expect(c.id).toBe(await uuidv5('conversation:conv-a', CHATGPT_NAMESPACE));
    expect(c.systemPrompt).toBe('I live in Porto.\n\nAnswer briefly.');
    expect(c.createdAt).toBe(1700000000100);
    expect(c.updatedAt).toBe(1700000009900);
    // u1, a1, a1b, u2, (a2+t2+a2b), u3, (a3+a3b): the system and context nodes are not messages.
    expect(messages).toHaveLength(7);
    expect(messages.some((m) => m.content.includes('Porto'))).toBe(false);
    const u1 = messages.find((m) => m.id === messages[0].id)!;
    expect(u1).toMatchObject({ role: 'user', parentId: null, content: 'Plan a day in Lisbon', createdAt: 1700000000500 });

    const tree = indexTree(messages);
    const a1 = await idOf('a1');
    expect(siblingsOf(tree, a1).siblings.map((m) => m.content)).toEqual(['Start at Belém.', 'Begin in Alfama.']);
    expect(tree.byId.get(a1)!.metadata).toMatchObject({ modelId: 'gpt-4o', modelName: 'gpt-4o' });
    // current_node is the branch on screen.
    expect(c.currentLeafId).toBe(await idOf('a3'));
    expect(pathTo(tree, c.currentLeafId).map((m) => m.role)).toEqual(['user', 'assistant', 'user', 'assistant', 'user', 'assistant']);
  });

  it('the code the model ran and its output are steps of the answer, not its text; thoughts too', async () => {
    const { bundles } = await readChatGptExport([{ name: 'c.json', json: [lisbon()] }], 'c.json');
    const messages = bundles[0].messages;
    const turn = messages.find((m) => m.metadata.imported?.nodeIds.includes('a2'))!;
    expect(turn.role).toBe('assistant');
    expect(turn.content).toBe('That is Belém Tower.');
    expect(turn.metadata.imported?.nodeIds).toEqual(['a2', 't2', 'a2b']);
    expect(turn.metadata.imported?.steps).toEqual([{ kind: 'code', label: 'Ran Python', text: '```python\nprint(1)\n```\n\nOutput:\n\n```\n1\n```' }]);
    // a2 had no create_time: it follows its parent.
    const u2 = messages.find((m) => m.id === turn.parentId)!;
    expect(turn.createdAt).toBe(u2.createdAt + 1);

    const last = messages.find((m) => m.metadata.imported?.nodeIds.includes('a3b'))!;
    expect(last.content).toBe('A tram.');
    expect(last.metadata.imported?.steps).toEqual([{ kind: 'thought', label: 'Thought', text: '**Looking**\n\nA tram, probably.' }]);
    expect(messages.some((m) => /kept as data|print\(1\)/.test(m.content))).toBe(false);
  });

  it('an image not in the export is a visible placeholder; browsing results are steps with their sources', async () => {
    const { bundles, notes } = await readChatGptExport([{ name: 'c.json', json: [lisbon(), research()] }], 'c.json');
    const [lis, res] = bundles;
    const u2 = lis.messages.find((m) => m.content.includes('What is this tower?'))!;
    expect(u2.content).toBe('[Image not included in the export: file-Img1]\n\nWhat is this tower?');
    expect(lis.messages.find((m) => m.content.includes('And this?'))!.content).toContain('[Image not included in the export: file_Gone]');
    expect(lis.attachments).toEqual([]);
    expect(notes.join(' ')).toMatch(/2 images, voice clips or files were not in the export/);

    const answer = res.messages.find((m) => m.role === 'assistant')!;
    expect(answer.content).toBe('Francisco de Arruda.');
    const [search] = answer.metadata.imported!.steps!;
    expect(search.label).toBe('Searched the web');
    expect(search.text).toContain('> Francisco de Arruda built it.');
    expect(search.text).toContain('> [The tower](https://example.org/tower)');
    expect(search.text).toContain('> Built 1514–1520.');
    expect(res.conversation.updatedAt).toBeGreaterThanOrEqual(res.conversation.createdAt);
  });

  it('ids are UUIDv5 of ChatGPT ids: the same input gives the same records', async () => {
    const a = await readChatGptExport([{ name: 'c.json', json: [lisbon()] }], 'c.json');
    const b = await readChatGptExport([{ name: 'c.json', json: [lisbon()] }], 'c.json');
    expect(b.bundles).toEqual(a.bundles);
    for (const m of a.bundles[0].messages) expect(m.id).toMatch(/^[0-9a-f-]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('rejects a broken tree, naming the file, the conversation and the field', async () => {
    const bad = lisbon();
    (bad.mapping as Record<string, { parent: string }>).u2.parent = 'nowhere';
    await expect(readChatGptExport([{ name: 'conversations-001.json', json: [research(), bad] }], 'x')).rejects.toThrow(
      'conversations-001.json: conversation 2 “Trip to Lisbon”: mapping.u2.parent: refers to a node that is not in the mapping',
    );
    const loop = lisbon();
    (loop.mapping as Record<string, { parent: string }>).u1.parent = 'a3b';
    await expect(readChatGptExport([{ name: 'c.json', json: [loop] }], 'x')).rejects.toThrow(/makes a loop of parents/);
    const wrongType = lisbon();
    (wrongType.mapping as Record<string, { message: { author: unknown } }>).u1.message.author = { role: 5 };
    await expect(readChatGptExport([{ name: 'c.json', json: [wrongType] }], 'x')).rejects.toThrow(/c\.json: conversation 1 “Trip to Lisbon”: mapping\.u1\.message\.author\.role/);
  });
});

describe('ChatGPT zip', () => {
  it('reads split conversation files and attaches the image found in the zip', async () => {
    const parsed = await parseImportFile(fileOf(chatgptZip(), 'chatgpt-export.zip'), 'chatgpt-export.zip');
    expect(parsed.bundles.map((b) => b.conversation.title)).toEqual(['Trip to Lisbon', 'Tower research']);
    expect(parsed.skipped.map((s) => s.title)).toEqual(['Broken one']);
    const lis = parsed.bundles[0];
    expect(lis.attachments).toHaveLength(1);
    const [img] = lis.attachments;
    expect(img).toMatchObject({ name: 'tower.png', type: 'image/png', size: PNG.length });
    expect(new Uint8Array(await img.data.arrayBuffer())).toEqual(PNG);
    const u2 = lis.messages.find((m) => m.content.includes('What is this tower?'))!;
    expect(u2.attachmentIds).toEqual([img.id]);
    expect(img.messageId).toBe(u2.id);
    expect(u2.content).toBe('What is this tower?');
  });

  it('a conversations.json alone and a one-file zip give the same conversations', async () => {
    const json = JSON.stringify([lisbon(), noMapping(), research()]);
    const alone = await parseImportFile(fileOf(json, 'conversations.json'), 'conversations.json');
    const zipped = await parseImportFile(fileOf(chatgptZip({ withImage: false, split: false }), 'e.zip'), 'e.zip');
    expect(zipped.bundles.map((b) => b.messages)).toEqual(alone.bundles.map((b) => b.messages));
  });

  it('names a .dat asset through conversation_asset_file_names.json', async () => {
    const conv = research();
    const q1 = (conv.mapping as Record<string, { message: { content: unknown } }>).q1;
    q1.message.content = { content_type: 'multimodal_text', parts: [{ content_type: 'image_asset_pointer', asset_pointer: 'sediment://file_Other' }, 'see file'] };
    const { zipSync, strToU8 } = await import('fflate');
    const zip = zipSync({
      'conversations.json': strToU8(JSON.stringify([conv])),
      'file_Other.dat': new Uint8Array([104, 105]),
      'conversation_asset_file_names.json': strToU8(JSON.stringify({ 'file_Other.dat': 'notes.txt' })),
    });
    const parsed = await parseImportFile(fileOf(zip, 'e.zip'), 'e.zip');
    expect(parsed.bundles[0].attachments.map((a) => [a.name, a.type, a.size])).toEqual([['notes.txt', 'text/plain', 2]]);
  });
});
