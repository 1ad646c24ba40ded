// JSON above the one-string limit (512 MB in the app; a few bytes here) is read with the streaming
// parser instead of refused: the same conversations come out, from a .json and from a zip entry,
// and a cut-off file is still refused with the reason.
import { describe, expect, it } from 'vitest';
import { parseImportFile } from '../../src/io/parseFile';
import { fileOf } from './io-fixtures';
import { realisticConversations, realisticZip } from './io-fixtures-chatgpt';
import { claudeConversations, openWebUiChats } from './io-fixtures-sources';

const SMALL = { maxJsonBytes: 64 };

describe('streamed JSON', () => {
  it('large JSON of every source reads the same as small JSON', async () => {
    for (const json of [realisticConversations(), { conversations: realisticConversations() }, claudeConversations(), openWebUiChats()]) {
      const text = `\uFEFF${JSON.stringify(json)}`;
      const whole = await parseImportFile(fileOf(text, 'c.json'), 'c.json');
      const streamed = await parseImportFile(fileOf(text, 'c.json'), 'c.json', SMALL);
      expect(streamed).toEqual(whole);
      expect(streamed.bundles.length).toBeGreaterThan(0);
    }
  });

  it('a zip whose conversation files are large reads the same', async () => {
    const whole = await parseImportFile(fileOf(realisticZip(), 'e.zip'), 'e.zip');
    const streamed = await parseImportFile(fileOf(realisticZip(), 'e.zip'), 'e.zip', SMALL);
    expect(streamed.bundles.map((b) => b.messages)).toEqual(whole.bundles.map((b) => b.messages));
  });

  it('a cut-off large file is refused with the reason', async () => {
    const text = JSON.stringify(realisticConversations());
    await expect(parseImportFile(fileOf(text.slice(0, text.length - 40), 'c.json'), 'c.json', SMALL)).rejects.toThrow(/^c\.json: is not valid JSON \(cut off or damaged\?\)/);
    await expect(parseImportFile(fileOf('[{"a": tru', 'd.json'), 'd.json', { maxJsonBytes: 2 })).rejects.toThrow(/^d\.json: is not valid JSON/);
  });
});
