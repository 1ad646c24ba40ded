// The export format: the checked-in JSON Schema is the one generated from the zod schemas, exports
// validate against the schema, files from a newer Hearth or with a bad field are refused with the
// file, conversation and field named. UUIDv5 against RFC 9562's test vector.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ExportSchema, exportJsonSchema } from '../../src/io/format';
import { conversationMarkdown } from '../../src/io/markdown';
import { parseImportFile } from '../../src/io/parseFile';
import { exportFileName } from '../../src/io/exportBuilder';
import { NAMESPACE_DNS, uuidv5 } from '../../src/io/uuidv5';
import { freshStorage } from './dbHelpers';
import { counts, exportText, seed } from './io-helpers';

const parse = (text: string, name = 'hearth-export.json') => parseImportFile(new File([text], name), name);

describe('export format', () => {
  it('docs/export-format.schema.json is the schema generated from src/io/format.ts (npm run export-schema)', () => {
    const checkedIn = JSON.parse(readFileSync(resolve(__dirname, '../../docs/export-format.schema.json'), 'utf8'));
    expect(checkedIn).toEqual(exportJsonSchema());
  });

  it('an export has format and version and validates', async () => {
    const s = freshStorage();
    await seed(s);
    const json = JSON.parse(await exportText(s));
    expect(json).toMatchObject({ format: 'hearth-export', version: 1, exportedAt: '2026-12-01T10:00:00.000Z', includesAttachments: true });
    expect(ExportSchema.safeParse(json).success).toBe(true);
  });

  it('refuses a newer version, a bad field, a broken reference, naming where', async () => {
    const s = freshStorage();
    await seed(s);
    const good = JSON.parse(await exportText(s));
    const mutate = (f: (j: typeof good) => void) => {
      const j = structuredClone(good);
      f(j);
      return JSON.stringify(j);
    };
    await expect(parse(mutate((j) => (j.version = 2)))).rejects.toThrow(/newer Hearth \(format version 2\)/);
    await expect(parse(mutate((j) => (j.conversations[1].messages[0].role = 'robot')))).rejects.toThrow(
      /^hearth-export\.json: conversation 2 “Second chat”: messages\[0\]\.role: /,
    );
    await expect(parse(mutate((j) => (j.conversations[0].messages[1].parentId = 'nope')))).rejects.toThrow(
      'hearth-export.json: conversation 1 “What is in the picture?”: messages[1].parentId: refers to a message that is not in this conversation',
    );
    await expect(parse(mutate((j) => (j.conversations[0].attachments[0].size += 1)))).rejects.toThrow(/attachments\[0\]\.data: holds 70000 bytes but size says 70001/);
    await expect(parse(mutate((j) => (j.conversations[0].attachments[1].sha256 = '0'.repeat(64))))).rejects.toThrow(/does not match its SHA-256/);
    await expect(parse(mutate((j) => (j.conversations[0].extra = 1)))).rejects.toThrow(/conversation 1 .*Unrecognized key/);
    await expect(parse('{"format":"hearth-export","version":1,"conv')).rejects.toThrow(/is not valid JSON/);
    await expect(parse('{"hello":1}')).rejects.toThrow(/is not an export Hearth reads \(Hearth, ChatGPT, Claude or Open WebUI\)/);
    await expect(parse('')).rejects.toThrow(/is empty/);
    expect(await counts(s)).toMatchObject({ conversations: 3 }); // nothing was written anywhere
  });

  it('Markdown: the branch on screen, readable', async () => {
    const s = freshStorage();
    const { conversationId } = await seed(s);
    const conv = (await s.conversations.get(conversationId))!;
    const md = conversationMarkdown(conv, await s.messages.listByConversation(conversationId), await s.attachments.listByConversation(conversationId), new Date('2026-12-01T00:00:00Z'));
    expect(md).toContain('# What is in the picture?\n');
    expect(md).toContain('## System prompt\n\nBe brief.');
    expect(md).toContain('## You\n\nWhat is in the picture?\n\n- Attachment: photo.png (image/png, 68.4 KB)\n- Attachment: note.txt (text/plain, 7 B)');
    expect(md).toContain('## Assistant *(interrupted)*\n\nA small cat');
    expect(md).not.toContain('A cat.'); // the other branch is not on screen
    expect(md.trimEnd().endsWith('Thanks! ```code```')).toBe(true);
  });

  it('file names', () => {
    const now = new Date('2026-12-01T10:00:00Z');
    expect(exportFileName(now)).toBe('hearth-export-2026-12-01.json');
    expect(exportFileName(now, 'Café: plans / ideas!', 'md')).toBe('hearth-cafe-plans-ideas-2026-12-01.md');
  });
});

describe('uuidv5', () => {
  it('matches RFC 9562 (A.4) and sets version and variant', async () => {
    expect(await uuidv5('www.example.com', NAMESPACE_DNS)).toBe('2ed6657d-e927-568b-95e1-2665a8aea6a2');
    expect(await uuidv5('another', NAMESPACE_DNS)).not.toBe(await uuidv5('www.example.com', NAMESPACE_DNS));
  });
});
