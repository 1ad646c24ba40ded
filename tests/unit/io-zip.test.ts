// The zip reader refuses zip bombs (too many entries, too many inflated bytes even when the header
// lies about the size) and names that escape their folder, and reports a truncated zip.
import { strToU8, zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { parseImportFile } from '../../src/io/parseFile';
import { isUnsafeName, ZIP_LIMITS } from '../../src/io/zip';
import { chatgptZip, fileOf, lisbon } from './io-fixtures';

const small = { maxEntries: 20, maxEntryBytes: 1024 * 1024, maxTotalBytes: 3 * 1024 * 1024 };
const withConversations = (extra: Record<string, Uint8Array>) => zipSync({ 'conversations.json': strToU8(JSON.stringify([lisbon()])), ...extra });
const parse = (zip: Uint8Array) => parseImportFile(fileOf(zip, 'export.zip'), 'export.zip', { limits: small });

describe('zip safety', () => {
  it('refuses an entry that inflates beyond the limit, even when its header claims it is small', async () => {
    const bomb = withConversations({ 'conversations-001.json': new Uint8Array(2 * 1024 * 1024) });
    expect(bomb.length).toBeLessThan(20_000);
    await expect(parse(bomb)).rejects.toThrow(/would inflate to more than 1 MB; refused/);
    // Lie in the local header: uncompressed size 10 bytes. The bytes actually inflated still count.
    const liar = zipSync({ 'conversations.json': new Uint8Array(2 * 1024 * 1024) });
    new DataView(liar.buffer).setUint32(22, 10, true);
    await expect(parse(liar)).rejects.toThrow(/conversations\.json inflates to more than 1 MB; refused \(zip bomb\?\)/);
  });

  it('refuses too many inflated bytes in all and too many entries', async () => {
    const many = Object.fromEntries(Array.from({ length: 4 }, (_, i) => [`conversations-00${i}.json`, new Uint8Array(900 * 1024)]));
    await expect(parse(zipSync(many))).rejects.toThrow(/more than 3 MB in all; refused/);
    const crowd = withConversations(Object.fromEntries(Array.from({ length: 25 }, (_, i) => [`x${i}.txt`, strToU8('x')])));
    await expect(parse(crowd)).rejects.toThrow(/more than 20 entries; refused/);
  });

  it('applies the shipped limits when none are given: 2 GiB per entry, 8 GiB in all, 200,000 entries', async () => {
    expect(ZIP_LIMITS).toEqual({ maxEntries: 200_000, maxEntryBytes: 2 * 1024 * 1024 * 1024, maxTotalBytes: 8 * 1024 * 1024 * 1024 });
    // An entry whose header says it inflates to 3 GB is refused before a byte is inflated.
    const big = zipSync({ 'conversations.json': strToU8('[]') });
    new DataView(big.buffer).setUint32(22, 3 * 1024 * 1024 * 1024, true);
    await expect(parseImportFile(fileOf(big, 'export.zip'), 'export.zip')).rejects.toThrow(/conversations\.json would inflate to more than 2048 MB; refused/);
  });

  it('refuses names that escape their folder', async () => {
    for (const name of ['../evil.json', 'a/../../evil.json', '/etc/passwd', 'C:\\evil.json', 'a\\..\\b']) {
      expect(isUnsafeName(name)).toBe(true);
      await expect(parse(withConversations({ [name]: strToU8('x') }))).rejects.toThrow(/points outside its folder; refused/);
    }
    expect(isUnsafeName('dalle-generations/file-abc-x.webp')).toBe(false);
  });

  it('says a truncated zip is truncated, and a zip without conversations is not ChatGPT’s export', async () => {
    const zip = chatgptZip();
    await expect(parse(zip.slice(0, Math.floor(zip.length / 2)))).rejects.toThrow(/is truncated or not a complete zip file/);
    // Cut inside an entry, with a directory record still at the end (a spliced file).
    const big = zipSync({ 'conversations.json': strToU8(JSON.stringify(Array.from({ length: 200 }, lisbon))) }, { level: 0 });
    const spliced = new Uint8Array([...big.slice(0, 5000), ...big.slice(big.length - 22)]);
    await expect(parse(spliced)).rejects.toThrow(/export\.zip: is damaged or truncated \(invalid zip data\)/);
    // An entry missing from the stream that the directory lists.
    const two = zipSync({ 'conversations.json': strToU8('[]'), 'b.txt': strToU8('b') }, { level: 0 });
    const dir = two.length - 22;
    const missing = new Uint8Array([...two.slice(0, 30 + 'conversations.json'.length + 2), ...two.slice(dir)]);
    await expect(parse(missing)).rejects.toThrow(/is damaged \(its directory lists 2 entries, 1 were found\)/);
    await expect(parse(zipSync({ 'readme.txt': strToU8('hi') }))).rejects.toThrow(/has no conversations\.json/);
  });
});
