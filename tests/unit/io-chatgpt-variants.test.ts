// Real-world variants of ChatGPT's export that public parsers report (convoviz, chatgpt-exporter,
// LibreChat's and Open WebUI's importers, nexus-ai-chat-importer and their issue trackers), one
// fixture each, written here: ZIP64 archives, generated images under user-*/, null and inverted
// times, a current_node on an older leaf, chat.html beside the JSON.
import { strToU8, unzipSync, zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { readChatGptExport } from '../../src/io/chatgpt';
import { parseImportFile } from '../../src/io/parseFile';
import { indexTree, pathTo } from '../../src/lib/tree';
import { fileOf, PNG, research } from './io-fixtures';
import { realisticZip } from './io-fixtures-chatgpt';
import { zip64Of } from './zip64';

const oneImage = (pointer: string) => {
  const conv = research();
  const q1 = (conv.mapping as Record<string, { message: { content: unknown } }>).q1;
  q1.message.content = { content_type: 'multimodal_text', parts: [{ content_type: 'image_asset_pointer', asset_pointer: pointer }, 'see this'] };
  return conv;
};

describe('ChatGPT export variants', () => {
  it('a ZIP64 archive (exports over 4 GiB) reads like any zip', async () => {
    const files = unzipSync(realisticZip());
    const parsed = await parseImportFile(fileOf(zip64Of(files), 'big.zip'), 'big.zip');
    const plain = await parseImportFile(fileOf(realisticZip(), 'small.zip'), 'small.zip');
    expect(parsed.bundles).toHaveLength(6);
    expect(parsed.bundles.map((b) => b.messages)).toEqual(plain.bundles.map((b) => b.messages));
    expect(parsed.bundles.flatMap((b) => b.attachments.map((a) => a.name))).toEqual(plain.bundles.flatMap((b) => b.attachments.map((a) => a.name)));
  });

  it('images generated under user-<id>/ are found by their file id', async () => {
    const zip = zipSync({
      'conversations.json': strToU8(JSON.stringify([oneImage('sediment://file_0000abc123')])),
      'user-AbCdEf/file_0000abc123-6f2a1c3e-1111-4a4a-9b9b-0123456789ab.png': PNG,
    });
    const [b] = (await parseImportFile(fileOf(zip, 'e.zip'), 'e.zip')).bundles;
    expect(b.attachments.map((a) => [a.name, a.type, a.size])).toEqual([['Image.png', 'image/png', PNG.length]]);
  });

  it('uploaded documents listed only in metadata.attachments are attachments with their names, or named when absent', async () => {
    const conv = research();
    const q1 = (conv.mapping as Record<string, { message: { metadata: unknown } }>).q1;
    q1.message.metadata = { attachments: [{ id: 'file-Doc1', name: 'Tower report.pdf', mime_type: 'application/pdf', size: 8 }, { id: 'file-Gone2', name: 'notes.docx' }] };
    const pdf = strToU8('%PDF-1.4');
    const zip = zipSync({ 'conversations.json': strToU8(JSON.stringify([conv])), 'file-Doc1-report_v2.pdf': pdf });
    const parsed = await parseImportFile(fileOf(zip, 'e.zip'), 'e.zip');
    const [b] = parsed.bundles;
    expect(b.attachments.map((a) => [a.name, a.type, a.size])).toEqual([['Tower report.pdf', 'application/pdf', pdf.length]]);
    const q = b.messages.find((m) => m.attachmentIds.length)!;
    expect(q.content).toBe('Who built the tower?\n\n[File not included in the export: notes.docx]');
    expect(parsed.notes.join(' ')).toMatch(/1 image, voice clip or file was not in the export/);
  });

  it('null and inverted times give ordered, valid records', async () => {
    const conv = research();
    conv.create_time = 1710000000;
    conv.update_time = 5; // before it was made
    for (const node of Object.values(conv.mapping as Record<string, { message: { create_time?: unknown } | null }>)) if (node.message) node.message.create_time = null;
    const [b] = (await readChatGptExport([{ name: 'c.json', json: [conv] }], 'c.json')).bundles;
    const path = pathTo(indexTree(b.messages), b.conversation.currentLeafId);
    expect(path.map((m) => m.content)).toEqual(['Who built the tower?', 'Francisco de Arruda.']);
    expect(path[1].createdAt).toBeGreaterThan(path[0].createdAt);
    expect(b.conversation.updatedAt).toBeGreaterThanOrEqual(b.conversation.createdAt);
    for (const m of b.messages) expect(m.updatedAt).toBeGreaterThanOrEqual(m.createdAt);
  });

  it('chat.html beside the JSON adds no conversation; a zip with neither says what it lacks', async () => {
    const parsed = await parseImportFile(fileOf(realisticZip(), 'e.zip'), 'e.zip');
    expect(new Set(parsed.bundles.map((b) => b.conversation.id)).size).toBe(6);
    const htmlOnly = zipSync({ 'chat.html': strToU8('<html></html>'), 'user.json': strToU8('{}') });
    await expect(parseImportFile(fileOf(htmlOnly, 'odd.zip'), 'odd.zip')).rejects.toThrow('odd.zip: has no conversations.json');
  });
});
