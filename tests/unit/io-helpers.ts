// Helpers for the import/export tests: seed a storage with branched conversations and
// attachments, export it, import a file into a storage, count what a storage holds.
import type { Storage } from '../../src/db';
import { buildExport, exportSourceOf } from '../../src/io/exportBuilder';
import { parseImportFile } from '../../src/io/parseFile';

export const FIXED_NOW = new Date('2026-12-01T10:00:00.000Z');

/** Two conversations: one with a regenerated (branched) reply, settings, pin and two attachments. */
export async function seed(s: Storage): Promise<{ bytes: Uint8Array; conversationId: string }> {
  const c = await s.conversations.create({ systemPrompt: 'Be brief.' });
  const bytes = new Uint8Array(70_000).map((_, i) => (i * 31 + 7) % 256);
  const pic = await s.attachments.add(c.id, { name: 'photo.png', type: 'image/png', data: new Blob([bytes]) });
  const note = await s.attachments.add(c.id, { name: 'note.txt', type: 'text/plain', data: new Blob(['héllo\n']) });
  const u = await s.messages.add({ conversationId: c.id, parentId: null, role: 'user', content: 'What is in the picture?', attachmentIds: [pic.id, note.id] });
  await s.db.attachments.bulkUpdate([pic.id, note.id].map((key) => ({ key, changes: { messageId: u.id } })));
  await s.messages.add({
    conversationId: c.id,
    parentId: u.id,
    role: 'assistant',
    content: 'A cat.',
    metadata: { modelId: 'hearth-chat', modelName: 'Hearth Chat (built in)', backend: 'wasm', tokensPerSecond: 12.5, finishReason: 'stop', completionTokens: 3 },
  });
  const b = await s.messages.add({ conversationId: c.id, parentId: u.id, role: 'assistant', content: 'A small cat', status: 'interrupted', metadata: { finishReason: 'interrupted' } });
  await s.messages.add({ conversationId: c.id, parentId: b.id, role: 'user', content: 'Thanks! ```code```' });
  await s.conversations.setPinned(c.id, true);
  await s.conversations.setSettings(c.id, { temperature: 0.3, topP: 0.8, maxNewTokens: 64 });
  const d = await s.conversations.create();
  const q = await s.messages.add({ conversationId: d.id, parentId: null, role: 'user', content: 'Second chat' });
  await s.messages.add({ conversationId: d.id, parentId: q.id, role: 'assistant', content: '', status: 'error', metadata: { error: { code: 'out-of-memory', message: 'No memory.', retryable: true } } });
  // A deleted conversation is not exported.
  const gone = await s.conversations.create({ title: 'Gone' });
  await s.conversations.remove(gone.id);
  return { bytes, conversationId: c.id };
}

export async function exportText(s: Storage, includeAttachments = true, conversationIds?: string[]): Promise<string> {
  return (await buildExport(exportSourceOf(s), { includeAttachments, now: FIXED_NOW, conversationIds })).text();
}

export async function importText(s: Storage, text: string | Uint8Array, name = 'hearth-export.json') {
  const parsed = await parseImportFile(new File([text as BlobPart], name), name);
  return { parsed, written: await s.imports.write(parsed.bundles) };
}

export async function counts(s: Storage) {
  return {
    conversations: await s.db.conversations.count(),
    messages: await s.db.messages.count(),
    attachments: await s.db.attachments.count(),
    outbox: await s.db.outbox.count(),
  };
}
