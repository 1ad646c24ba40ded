// @vitest-environment happy-dom
// The import/export store: read (in-thread here; a worker in the app) → confirm → one write →
// report; a bad file ends in an error that names the problem and writes nothing; exports download
// a Hearth file (all or one conversation) or one conversation's Markdown.
import 'fake-indexeddb/auto';
import { createRoot } from 'solid-js';
import { describe, expect, it } from 'vitest';
import type { ParseFn } from '../../src/io/importClient';
import { parseImportFile } from '../../src/io/parseFile';
import { toFailure } from '../../src/io/problems';
import { createIoStore } from '../../src/stores/io';
import { createToastStore } from '../../src/stores/toasts';
import { freshStorage } from './dbHelpers';
import { chatgptZip, fileOf } from './io-fixtures';
import { counts, exportText, seed } from './io-helpers';

const phases = new Set<string>();
const inThread: ParseFn = async (file, name, onProgress) => {
  try {
    return { ok: true, value: await parseImportFile(file, name, { onProgress: (p) => (phases.add(p.phase), onProgress(p)) }) };
  } catch (e) {
    return { ok: false, error: toFailure(e) };
  }
};

function setup() {
  const storage = freshStorage();
  const downloads: { blob: Blob; name: string }[] = [];
  const toasts = createRoot(() => createToastStore());
  const io = createRoot(() =>
    createIoStore({ storage, toasts, parse: inThread, download: (blob, name) => downloads.push({ blob, name }), now: () => new Date('2026-12-01T09:00:00Z') }),
  );
  return { storage, io, downloads, toasts };
}

describe('import flow', () => {
  it('reads with progress, asks, writes once, reports imported and skipped', async () => {
    const { storage, io } = setup();
    const done = io.chooseFile(fileOf(chatgptZip(), 'chatgpt.zip'));
    expect(io.importState().step).toBe('reading');
    await done;
    expect([...phases].sort()).toEqual(['assets', 'checking', 'reading']);
    const state = io.importState();
    expect(state.step).toBe('confirm');
    if (state.step !== 'confirm') return;
    expect(state.counts).toEqual({ conversations: 2, messages: 9, attachments: 1 });
    expect(await counts(storage)).toMatchObject({ conversations: 0 }); // nothing before confirming

    await io.confirmImport();
    const report = io.importState();
    expect(report.step).toBe('done');
    if (report.step !== 'done') return;
    expect(report.result.imported.map((c) => c.title)).toEqual(['Trip to Lisbon', 'Tower research']);
    expect(report.parsed.skipped.map((s) => s.title)).toEqual(['Broken one']);
    expect(await counts(storage)).toEqual({ conversations: 2, messages: 9, attachments: 1, outbox: 12 });

    // Again: nothing added, both reported as already here.
    await io.chooseFile(fileOf(chatgptZip(), 'chatgpt.zip'));
    await io.confirmImport();
    const again = io.importState();
    expect(again.step === 'done' && again.result.skipped.map((s) => s.reason)).toEqual(['already in Hearth', 'already in Hearth']);
    expect((await counts(storage)).conversations).toBe(2);
    io.closeImport();
    expect(io.importState().step).toBe('idle');
  });

  it('a bad file ends in an error naming the problem; nothing is written', async () => {
    const { storage, io } = setup();
    await io.chooseFile(fileOf('[{"title":"T","mapping":{"a":{"parent":"zz","message":null}},"id":"c1"}]', 'conversations.json'));
    expect(io.importState()).toEqual({
      step: 'error',
      fileName: 'conversations.json',
      message: 'conversations.json: conversation 1 “T”: mapping.a.parent: refers to a node that is not in the mapping',
    });
    expect(await counts(storage)).toEqual({ conversations: 0, messages: 0, attachments: 0, outbox: 0 });
  });
});

describe('export flow', () => {
  it('"Export all" downloads hearth-export-<date>.json; one conversation as JSON or Markdown', async () => {
    const { storage, io, downloads } = setup();
    const { conversationId } = await seed(storage);
    io.openExport();
    await io.exportJson(true);
    expect(io.exportTarget()).toBeNull();
    expect(downloads[0].name).toBe('hearth-export-2026-12-01.json');
    expect(JSON.parse(await downloads[0].blob.text()).conversations).toHaveLength(2);
    expect(JSON.parse(await downloads[0].blob.text()).conversations).toEqual(JSON.parse(await exportText(storage)).conversations);

    io.openExport(conversationId, 'What is in the picture?');
    await io.exportJson(false);
    const one = JSON.parse(await downloads[1].blob.text());
    expect(downloads[1].name).toBe('hearth-what-is-in-the-picture-2026-12-01.json');
    expect(one.conversations.map((c: { id: string }) => c.id)).toEqual([conversationId]);
    expect(one.includesAttachments).toBe(false);

    io.openExport(conversationId, 'What is in the picture?');
    await io.exportMarkdown();
    expect(downloads[2].name).toBe('hearth-what-is-in-the-picture-2026-12-01.md');
    expect(await downloads[2].blob.text()).toContain('## Assistant *(interrupted)*');
  });
});
