// Export, import into a fresh database, export again: the same JSON (the export time aside),
// attachments byte for byte, outbox entries written with the records, and a second import adds
// nothing. The write is one transaction: a failure part-way leaves nothing behind.
import { describe, expect, it } from 'vitest';
import { ExportSchema } from '../../src/io/format';
import { freshStorage } from './dbHelpers';
import { counts, exportText, importText, seed } from './io-helpers';

describe('Hearth export round trip', () => {
  it('export → import → export gives the same file, attachments byte for byte', async () => {
    const a = freshStorage();
    const { bytes, conversationId } = await seed(a);
    const first = await exportText(a);
    const parsedFile = ExportSchema.parse(JSON.parse(first));
    expect(parsedFile.conversations).toHaveLength(2);
    expect(parsedFile.conversations.map((c) => c.title)).not.toContain('Gone');

    const b = freshStorage();
    const { parsed, written } = await importText(b, first);
    expect(parsed.source).toBe('hearth');
    expect(written.imported.map((c) => c.messages)).toEqual([4, 2]);
    expect(written.skipped).toEqual([]);
    expect(await counts(b)).toEqual({ conversations: 2, messages: 6, attachments: 2, outbox: 10 });

    expect(await exportText(b)).toBe(first);
    const conv = (await b.conversations.get(conversationId))!;
    expect(conv).toMatchObject({ pinned: true, systemPrompt: 'Be brief.', settings: { temperature: 0.3, topP: 0.8, maxNewTokens: 64 } });
    const [pic] = (await b.attachments.listByConversation(conversationId)).filter((x) => x.name === 'photo.png');
    expect(new Uint8Array(await pic.data.arrayBuffer())).toEqual(bytes);
    // Branches and the current leaf are back.
    const messages = await b.messages.listByConversation(conversationId);
    expect(messages.filter((m) => m.role === 'assistant').map((m) => m.content)).toEqual(['A cat.', 'A small cat']);
    expect(messages.find((m) => m.id === conv.currentLeafId)?.content).toBe('Thanks! ```code```');
    // The name of the model that wrote a reply comes back with it; a reply without one has none.
    expect(messages.filter((m) => m.role === 'assistant').map((m) => m.metadata.modelName)).toEqual(['Hearth Chat (built in)', undefined]);
  });

  it('importing the same file twice adds nothing', async () => {
    const a = freshStorage();
    await seed(a);
    const text = await exportText(a);
    const b = freshStorage();
    await importText(b, text);
    const before = await counts(b);
    await b.outbox.clear();
    const again = await importText(b, text);
    expect(again.written.imported).toEqual([]);
    expect(again.written.skipped.map((s) => s.reason)).toEqual(['already in Hearth', 'already in Hearth']);
    expect(await counts(b)).toEqual({ ...before, outbox: 0 });
    // Into the database it came from: nothing either.
    expect((await importText(a, text)).written.imported).toEqual([]);
  });

  it('without attachments: the file lists them without bytes and the import says they were left out', async () => {
    const a = freshStorage();
    await seed(a);
    const text = await exportText(a, false);
    const file = ExportSchema.parse(JSON.parse(text));
    expect(file.includesAttachments).toBe(false);
    expect(file.conversations[0].attachments.map((x) => [x.name, x.data])).toEqual([
      ['photo.png', undefined],
      ['note.txt', undefined],
    ]);
    expect(file.conversations[0].attachments[1].sha256).toMatch(/^[0-9a-f]{64}$/);
    const b = freshStorage();
    const { parsed } = await importText(b, text);
    expect(parsed.notes).toEqual([expect.stringContaining('2 attachments were left out')]);
    expect((await counts(b)).attachments).toBe(0);
    expect((await b.db.messages.toArray()).every((m) => m.attachmentIds.length === 0)).toBe(true);
  });

  it('one conversation can be exported alone', async () => {
    const a = freshStorage();
    const { conversationId } = await seed(a);
    const file = ExportSchema.parse(JSON.parse(await exportText(a, true, [conversationId])));
    expect(file.conversations.map((c) => c.id)).toEqual([conversationId]);
  });

  it('the write is one transaction: a failure part-way leaves nothing, outbox included', async () => {
    const a = freshStorage();
    await seed(a);
    const text = await exportText(a);
    const b = freshStorage();
    const { parseImportFile } = await import('../../src/io/parseFile');
    const parsed = await parseImportFile(new File([text], 'x.json'), 'x.json');
    // Two attachments with one id: the last bulkAdd fails after the conversations and messages went in.
    const [first] = parsed.bundles;
    first.attachments[1] = { ...first.attachments[1], id: first.attachments[0].id };
    await expect(b.imports.write(parsed.bundles)).rejects.toMatchObject({ name: 'StorageError' });
    expect(await counts(b)).toEqual({ conversations: 0, messages: 0, attachments: 0, outbox: 0 });
  });

  it("a reply's whole record comes back: stopped, context full, the files it read, its model's name", async () => {
    const a = freshStorage();
    const c = await a.conversations.create();
    const file = await a.attachments.add(c.id, { name: 'notes.md', type: 'text/markdown', data: new Blob(['# Notes\n']) });
    const u = await a.messages.add({ conversationId: c.id, parentId: null, role: 'user', content: 'Sum up', attachmentIds: [file.id] });
    const usage = { id: file.id, name: 'notes.md', whole: false, passages: [0, 2], totalPassages: 3, passageChars: 800 };
    const metadata = { modelId: 'SmolLM2 360M Instruct', modelName: 'SmolLM2 360M Instruct', finishReason: 'interrupted' as const, stopped: true, contextFull: true, attachments: [usage], prompt: '<|im_start|>user' };
    await a.messages.add({ conversationId: c.id, parentId: u.id, role: 'assistant', content: 'Partly', status: 'interrupted', metadata });
    const text = await exportText(a);
    const b = freshStorage();
    const { written } = await importText(b, text);
    expect(written.skipped).toEqual([]);
    const reply = (await b.messages.listByConversation(c.id)).find((m) => m.role === 'assistant')!;
    expect(reply.metadata).toEqual(metadata);
    expect(await exportText(b)).toBe(text);
  });
});
