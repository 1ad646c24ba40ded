// Reading attached files: kinds and limits, text extraction per type (text, Markdown, code, CSV,
// JSON, HTML as source, PDFs through pdf.js's Node build), passages and BM25 ranking.
import { describe, expect, it } from 'vitest';
import { chunkText, passageChars } from '../../src/attachments/chunk';
import { extract, readableText } from '../../src/attachments/extract';
import { kindOf, MAX_FILE_BYTES, rejectReason, sniffText } from '../../src/attachments/kinds';
import type { PdfLib } from '../../src/attachments/pdf';
import { rankPassages } from '../../src/attachments/retrieve';
import { tinyPdf } from '../fixtures/tinyPdf';

const nodePdf = async () => (await import('pdfjs-dist/legacy/build/pdf.mjs')) as unknown as PdfLib;
const file = (name: string, body: string | Uint8Array, type = '') => ({ name, type, data: new Blob([body as BlobPart], { type }) });

describe('kinds and limits', () => {
  it('knows text, code, data, PDFs and images by type or extension', () => {
    expect(kindOf('notes.md', '')).toBe('text');
    expect(kindOf('main.rs', '')).toBe('text');
    expect(kindOf('data.csv', 'text/csv')).toBe('text');
    expect(kindOf('x.json', 'application/json')).toBe('text');
    expect(kindOf('page.html', 'text/html')).toBe('text');
    expect(kindOf('paper.PDF', '')).toBe('pdf');
    expect(kindOf('a.svg', 'image/svg+xml')).toBe('image');
    expect(kindOf('photo', 'image/png')).toBe('image');
    expect(kindOf('blob.bin', 'application/zip')).toBe('other');
    expect(kindOf('README', '')).toBe('unknown');
  });

  it('sniffs UTF-8 text and rejects binary', () => {
    expect(sniffText(new TextEncoder().encode('héllo wörld'))).toBe(true);
    expect(sniffText(new Uint8Array([0x50, 0x4b, 0x03, 0x04, 0x00]))).toBe(false);
    expect(sniffText(new Uint8Array([0xff, 0xfe, 0x41]))).toBe(false);
    // A sample cut inside a multi-byte character is still text.
    expect(sniffText(new TextEncoder().encode('abc é').subarray(0, 5))).toBe(true);
  });

  it('refuses files above 50 MB with a sentence that names the file', () => {
    expect(rejectReason({ name: 'ok.txt', size: MAX_FILE_BYTES })).toBeNull();
    expect(rejectReason({ name: 'huge.iso', size: MAX_FILE_BYTES + 1 })).toBe('“huge.iso” is 50 MB; files up to 50 MB can be attached.');
  });
});

describe('extraction per type', () => {
  it('reads text, Markdown, code, CSV, JSON and HTML as their text', async () => {
    const cases = [
      file('a.txt', 'plain words', 'text/plain'),
      file('b.md', '# Title\n\n*bold*'),
      file('c.py', 'def f():\n    return 1\n'),
      file('d.csv', 'name,age\nAda,36\n', 'text/csv'),
      file('e.json', '{"k": [1, 2]}', 'application/json'),
      file('f.html', '<h1>Hi</h1><script>alert(1)</script>', 'text/html'),
    ];
    for (const c of cases) {
      const x = await extract(c, nodePdf);
      expect(x.kind).toBe('text');
      expect(await readableText({ ...c, kind: x.kind })).toBe(await c.data.text());
    }
  });

  it('reads an extensionless UTF-8 file as text, strips a BOM, and keeps binary unread', async () => {
    expect((await extract(file('LICENSE', 'MIT License'), nodePdf)).kind).toBe('text');
    expect(await readableText({ ...file('bom.txt', '\uFEFFhello'), kind: 'text' })).toBe('hello');
    const bin = await extract(file('blob', new Uint8Array([1, 0, 2, 0])), nodePdf);
    expect(bin).toEqual({ kind: 'other', note: 'Hearth cannot read this kind of file.' });
    expect(await readableText({ ...file('blob', 'x'), kind: 'other' })).toBeNull();
  });

  it('keeps images with a note that the model cannot read them', async () => {
    const img = await extract(file('cat.png', new Uint8Array([0x89, 0x50]), 'image/png'), nodePdf);
    expect(img).toEqual({ kind: 'image', note: 'The current model cannot read images.' });
  });

  it('extracts the text and page count of a PDF', async () => {
    const pdf = file('two.pdf', tinyPdf([['First page line one', 'line two (with parens)'], ['Second page text']]), 'application/pdf');
    const x = await extract(pdf, nodePdf);
    expect(x.kind).toBe('pdf');
    expect(x.pageCount).toBe(2);
    expect(x.text).toBe('First page line one\nline two (with parens)\n\nSecond page text');
    expect(x.note).toBeUndefined();
    expect(await readableText({ ...pdf, ...x })).toBe(x.text);
  });

  it('says why a damaged PDF or one without text cannot be read', async () => {
    const broken = await extract(file('bad.pdf', 'not a pdf at all'), nodePdf);
    expect(broken).toEqual({ kind: 'pdf', note: 'This PDF could not be read (damaged or not a PDF).' });
    const blank = await extract(file('scan.pdf', tinyPdf([[]])), nodePdf);
    expect(blank.pageCount).toBe(1);
    expect(blank.note).toMatch(/no text layer/);
    expect(await readableText({ ...file('scan.pdf', ''), ...blank })).toBeNull();
  });
});

describe('passages', () => {
  it('splits into passages up to the size, in order, losing no words', () => {
    const paras = Array.from({ length: 30 }, (_, i) => `Paragraph ${i} ` + 'word '.repeat(20 + (i % 7) * 10));
    const text = paras.join('\n\n') + '\n\n' + 'x'.repeat(950) + ' tail';
    const chunks = chunkText(text, 300);
    expect(chunks.length).toBeGreaterThan(10);
    for (const c of chunks) expect(c.length).toBeLessThanOrEqual(300);
    expect(chunks.join('').replace(/\s+/g, '')).toBe(text.replace(/\s+/g, ''));
    expect(chunks[0].startsWith('Paragraph 0')).toBe(true);
  });

  it('sizes passages from the context window', () => {
    expect(passageChars(256)).toBe(200);
    expect(passageChars(2048)).toBe(1024);
    expect(passageChars(32768)).toBe(1500);
  });

  it('ranks passages by BM25 relevance, then the rest in file order', () => {
    const passages = ['The weather in Paris is mild.', 'Giraffes eat acacia leaves.', 'Bread needs flour, water and salt.', 'Paris has many bakeries selling bread.'];
    const order = rankPassages(passages, 'What do giraffes eat?');
    expect(order[0]).toBe(1);
    expect([...order].sort()).toEqual([0, 1, 2, 3]);
    const bread = rankPassages(passages, 'bread in Paris');
    expect(bread[0]).toBe(3);
    expect(rankPassages(passages, '   ')).toEqual([0, 1, 2, 3]);
  });
});
