// Import and export, model-free: a ChatGPT data export (.zip, built here with fflate) comes in with
// its branches and its image; "Export all" downloads Hearth's file; a fresh browser imports it and
// has the same conversations, branches and attachment bytes; a second import adds nothing. Each
// file is read in the import worker; the Import and Export dialogs pass axe. A realistic 2026
// ChatGPT export shows each conversation's turns as ChatGPT does, plumbing hidden.
import { readFile } from 'node:fs/promises';
import AxeBuilder from '@axe-core/playwright';
import type { Page } from '@playwright/test';
import { chatgptZip, PNG } from '../unit/io-fixtures';
import { realisticZip } from '../unit/io-fixtures-chatgpt';
import { articles, assistantMessages, axeAudit, branchPager, clickConversationAction, conversationItem, conversationItems, expect, expectBranch, messageLog, openApp, openConversation, test, userMessages } from './helpers';

const importInput = (page: Page) => page.getByLabel('Import conversations');
const importDialog = (page: Page) => page.getByRole('dialog', { name: 'Import' });

async function importFile(page: Page, file: { name: string; mimeType: string; buffer: Buffer }, holds: RegExp, report: RegExp, opts: { audit?: boolean } = {}) {
  // The file is read in the import worker (src/io/import.worker.ts), not on the page's thread.
  const workers: string[] = [];
  const onWorker = (w: { url(): string }) => workers.push(w.url());
  page.on('worker', onWorker);
  await importInput(page).setInputFiles(file);
  const dialog = importDialog(page);
  await expect(dialog).toContainText(holds);
  page.off('worker', onWorker);
  expect(workers.filter((u) => /import[.-]worker/.test(u))).toHaveLength(1);
  if (opts.audit) expect(await axeAudit(page, 'Import')).toEqual([]);
  await dialog.getByRole('button', { name: 'Import', exact: true }).click();
  await expect(dialog.getByRole('status')).toContainText(report);
  await dialog.getByRole('button', { name: 'Close', exact: true }).click();
  await expect(dialog).toBeHidden();
}

/** Attachments as stored in IndexedDB (a read-only peek): name, type and bytes. */
function storedAttachments(page: Page) {
  return page.evaluate(
    () =>
      new Promise<{ name: string; type: string; bytes: number[] }[]>((resolve, reject) => {
        const open = indexedDB.open('hearth');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const req = open.result.transaction('attachments').objectStore('attachments').getAll();
          req.onsuccess = async () => {
            const rows = req.result as { name: string; type: string; data: Blob }[];
            resolve(await Promise.all(rows.map(async (a) => ({ name: a.name, type: a.type, bytes: [...new Uint8Array(await a.data.arrayBuffer())] }))));
            open.result.close();
          };
        };
      }),
  );
}

async function expectLisbonBranches(page: Page) {
  await openConversation(conversationItem(page, 'Trip to Lisbon'));
  await expect(articles(page)).toHaveCount(6);
  const first = assistantMessages(page).first();
  await expectBranch(first, 2, 2);
  await expect(first).toContainText('Begin in Alfama.');
  await branchPager(first).getByRole('button', { name: 'Previous branch' }).click();
  await expect(first).toContainText('Start at Belém.');
  await expect(articles(page)).toHaveCount(2);
  await branchPager(first).getByRole('button', { name: 'Next branch' }).click();
  await expect(articles(page)).toHaveCount(6);
}

test('import a ChatGPT zip, export all, import into a fresh browser: all back, a second import adds nothing', async ({ page, browser, backend }) => {
  await openApp(page, { backend });
  await importFile(
    page,
    { name: 'chatgpt-export.zip', mimeType: 'application/zip', buffer: Buffer.from(chatgptZip()) },
    /holds 2 conversations, 9 messages and 1 attachment/,
    /Imported 2 conversations; skipped 1/,
    { audit: true },
  );
  await expect(conversationItems(page)).toHaveCount(2);
  await expectLisbonBranches(page);
  expect(await storedAttachments(page)).toEqual([{ name: 'tower.png', type: 'image/png', bytes: [...PNG] }]);

  // Export all (with attachments), and one conversation as Markdown.
  await page.getByRole('button', { name: 'Export all', exact: true }).click();
  const exportDialog = page.getByRole('dialog', { name: 'Export all conversations' });
  await expect(exportDialog.getByRole('checkbox', { name: 'Include attachments' })).toBeChecked();
  expect(await axeAudit(page, 'Export')).toEqual([]);
  const [download] = await Promise.all([page.waitForEvent('download'), exportDialog.getByRole('button', { name: 'Export', exact: true }).click()]);
  expect(download.suggestedFilename()).toMatch(/^hearth-export-\d{4}-\d{2}-\d{2}\.json$/);
  const exported = await readFile((await download.path())!);
  expect(JSON.parse(exported.toString('utf8'))).toMatchObject({ format: 'hearth-export', version: 1, includesAttachments: true });

  await clickConversationAction(conversationItem(page, 'Trip to Lisbon'), 'Export');
  const oneDialog = page.getByRole('dialog', { name: 'Export “Trip to Lisbon”' });
  const [md] = await Promise.all([page.waitForEvent('download'), oneDialog.getByRole('button', { name: 'Export as Markdown' }).click()]);
  expect(md.suggestedFilename()).toMatch(/^hearth-trip-to-lisbon-\d{4}-\d{2}-\d{2}\.md$/);
  const markdown = (await readFile((await md.path())!)).toString('utf8');
  expect(markdown).toContain('# Trip to Lisbon');
  expect(markdown).toContain('Begin in Alfama.');
  expect(markdown).not.toContain('Start at Belém.');

  // A fresh browser profile: import Hearth's file.
  const fresh = await browser.newContext();
  const other = await fresh.newPage();
  await openApp(other, { backend });
  const file = { name: download.suggestedFilename(), mimeType: 'application/json', buffer: exported };
  await importFile(other, file, /Hearth export\) holds 2 conversations, 9 messages and 1 attachment/, /Imported 2 conversations\./);
  await expect(conversationItems(other)).toHaveCount(2);
  await expectLisbonBranches(other);
  expect(await storedAttachments(other)).toEqual([{ name: 'tower.png', type: 'image/png', bytes: [...PNG] }]);

  // The same file again adds nothing.
  await importFile(other, file, /holds 2 conversations/, /Imported 0 conversations; skipped 2/);
  await expect(importInput(other)).toBeAttached();
  await expect(conversationItems(other)).toHaveCount(2);
  await fresh.close();
});

test('a damaged file is refused with the reason, and nothing is imported', async ({ page, backend }) => {
  await openApp(page, { backend });
  await importInput(page).setInputFiles({ name: 'hearth-export.json', mimeType: 'application/json', buffer: Buffer.from('{"format":"hearth-export","version":1,"conversa') });
  const dialog = importDialog(page);
  await expect(dialog.getByRole('alert')).toContainText('Nothing was imported from hearth-export.json. hearth-export.json: is not valid JSON');
  await dialog.getByRole('button', { name: 'Close', exact: true }).click();
  await expect(conversationItems(page)).toHaveCount(0);
});

test('a realistic ChatGPT export shows the turns ChatGPT shows; steps stay closed until opened; files keep their names', async ({ page, backend }) => {
  await openApp(page, { backend });
  await importFile(page, { name: 'chatgpt-2026.zip', mimeType: 'application/zip', buffer: Buffer.from(realisticZip()) }, /ChatGPT export\) holds 6 conversations/, /Imported 6 conversations\./);
  const plumbing = /search_query|Model set context|textdoc_id|Successfully|DALL·E displayed|"prompt"|cite|turn0|kept as data|print\(|User likes tea|I should search/;
  const expectTurns = async (title: string, turns: string[]) => {
    await openConversation(conversationItem(page, title));
    await expect(articles(page)).toHaveCount(turns.length);
    for (const [i, text] of turns.entries()) await expect(articles(page).nth(i)).toContainText(text);
    expect(await messageLog(page).innerText()).not.toMatch(plumbing);
  };
  await expectTurns('Tea and powers', ['Remember that I like tea.', 'Noted. 2**10 is 1024.']);
  const steps = assistantMessages(page).getByRole('button', { name: 'Ran Python' });
  await expect(steps).toHaveAttribute('aria-expanded', 'false');
  await steps.click();
  await expect(steps).toHaveAttribute('aria-expanded', 'true');
  await expect(assistantMessages(page).getByRole('region', { name: 'Steps' })).toContainText('print(2**10)');
  await expect(assistantMessages(page).getByRole('region', { name: 'Steps' })).toContainText('1024');

  await expectTurns('Tallest building', ['What is the tallest building in Lisbon?', 'The tallest is Torre São Gabriel (Lisbon towers). It is 110 m tall.']);
  await expect(assistantMessages(page).getByRole('link', { name: 'Lisbon towers' })).toHaveAttribute('href', 'https://example.org/lisbon');
  await assistantMessages(page).getByRole('button', { name: 'Thought for 14s · Searched the web' }).click();
  await expect(assistantMessages(page).getByRole('region', { name: 'Steps' })).toContainText('tallest building Lisbon');
  const { violations } = await new AxeBuilder({ page }).include('[role="log"]').analyze();
  expect(violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => v.id)).toEqual([]);

  await expectTurns('Rain poem', ['Write a short poem about rain.', 'Here is a short poem about rain.', 'Make it one line.', 'Done: one line now.']);
  await expect(assistantMessages(page).last().getByRole('region', { name: 'Document: Rain' })).toContainText('Soft rain sings the street to sleep.');

  // A null title reads as the first user message; the upload and the DALL-E image keep their names.
  await expectTurns('Draw this garden at dawn.', ['Draw this garden at dawn.', 'Here is your garden at dawn.']);
  await expect(userMessages(page).getByRole('button', { name: 'Open garden.png' })).toBeVisible();
  await expect(assistantMessages(page).getByRole('button', { name: 'Open Image.webp' })).toBeVisible();

  await expectTurns('Boiling eggs', ['How long do I boil an egg?', 'About nine minutes for a hard egg.']);
  await userMessages(page).getByRole('button', { name: 'Open Voice message (0:03).wav' }).click();
  const preview = page.getByRole('dialog', { name: 'Preview of Voice message (0:03).wav' });
  await expect(preview.locator('audio[controls]')).toHaveCount(1);
  await preview.getByRole('button', { name: 'Close' }).click();

  await expectTurns('Quick hello', ['Hi there', 'Hello! How can I help?']);
  await expectBranch(assistantMessages(page).first(), 1, 2);
});
