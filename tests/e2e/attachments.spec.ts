// Attachments end to end with the tiny model: files attached by the button, by drop and by
// paste; chips (name, first lines / page count / thumbnail, what went to the model); the prompt
// the model received (kept in the reply's metadata with ?debug=prompt) holds the files' text.
import type { Page } from '@playwright/test';
import { tinyPdf } from '../fixtures/tinyPdf';
import { ask, axeAudit, expect, messageBox, openApp, sendButton, test, userMessages, waitForEngineReady } from './helpers';

/** The prompt the model received for the newest reply (its metadata, ?debug=prompt). */
async function lastPrompt(page: Page): Promise<string> {
  return page.evaluate(
    () =>
      new Promise<string>((resolve, reject) => {
        const open = indexedDB.open('hearth');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const req = open.result.transaction('messages').objectStore('messages').getAll();
          req.onsuccess = () => {
            open.result.close();
            const replies = (req.result as Array<{ role: string; createdAt: number; metadata: { prompt?: string } }>).filter((m) => m.role === 'assistant');
            resolve(replies.sort((a, b) => b.createdAt - a.createdAt)[0]?.metadata.prompt ?? '');
          };
        };
      }),
  );
}

/** Dispatches `type` (drop on the chat, paste into the message box) carrying one file. */
async function dispatchFile(page: Page, type: 'drop' | 'paste', file: { name: string; mime: string; bytes: number[] }) {
  await page.evaluate(({ type, file }) => {
    const dt = new DataTransfer();
    dt.items.add(new File([new Uint8Array(file.bytes)], file.name, { type: file.mime }));
    if (type === 'paste') {
      document.querySelector('textarea[aria-label="Message"]')!.dispatchEvent(new ClipboardEvent('paste', { clipboardData: dt, bubbles: true, cancelable: true }));
      return;
    }
    const main = document.querySelector('main')!;
    for (const t of ['dragenter', 'dragover', 'drop']) main.dispatchEvent(new DragEvent(t, { dataTransfer: dt, bubbles: true, cancelable: true }));
  }, { type, file });
}

// The first page load parses the app on 2 shared cores: give it time (not an assertion on timing).
test.use({ navigationTimeout: 120_000 });

const pending = (page: Page) => page.getByRole('list', { name: 'Files to send' }).getByRole('listitem');

test('a text file: chip with its first line, removable before sending, its text in the prompt', async ({ page }) => {
  await openApp(page, { extra: { debug: 'prompt' } });
  await waitForEngineReady(page);
  await page.getByLabel('Attach files').setInputFiles([
    { name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('The secret word is marmalade.\nSecond line.') },
    { name: 'other.txt', mimeType: 'text/plain', buffer: Buffer.from('not wanted') },
  ]);
  await expect(pending(page)).toHaveCount(2);
  await expect(pending(page).first()).toContainText('The secret word is marmalade.');
  await page.getByRole('button', { name: 'Remove other.txt' }).click();
  await expect(pending(page)).toHaveCount(1);

  await ask(page, 'What is the secret word?');
  const chip = userMessages(page).first().getByRole('listitem');
  await expect(chip).toContainText('notes.txt');
  await expect(chip).toContainText('sent to the model: whole file');
  await expect(pending(page)).toHaveCount(0);
  const prompt = await lastPrompt(page);
  expect(prompt).toContain('<file name="notes.txt">\nThe secret word is marmalade.\nSecond line.\n</file>');
  expect(prompt).toContain('What is the secret word?');
  expect(prompt).not.toContain('not wanted');

  // After a reload the chip still says what was sent.
  await page.reload();
  await expect(userMessages(page).first().getByRole('listitem')).toContainText('sent to the model: whole file');
});

test('a PDF dropped on the chat shows its page count and its text reaches the model', async ({ page }) => {
  await openApp(page, { extra: { debug: 'prompt' } });
  await waitForEngineReady(page);
  const pdf = tinyPdf([['Otters hold hands'], ['while they sleep.']]);
  await dispatchFile(page, 'drop', { name: 'otters.pdf', mime: 'application/pdf', bytes: [...pdf] });
  await expect(pending(page).first()).toContainText('2 pages');
  await ask(page, 'What do otters do?');
  await expect(userMessages(page).first().getByRole('listitem')).toContainText('sent to the model: whole file');
  expect(await lastPrompt(page)).toContain('<file name="otters.pdf">\nOtters hold hands\n\nwhile they sleep.\n</file>');
});

test('a pasted image is shown with a thumbnail and a preview, and the UI says the model cannot read it', async ({ page }) => {
  await openApp(page);
  // A 1x1 PNG.
  const png = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');
  await dispatchFile(page, 'paste', { name: 'pixel.png', mime: 'image/png', bytes: [...png] });
  const chip = pending(page).first();
  await expect(chip).toContainText('pixel.png');
  await expect(chip).toContainText('The current model cannot read images.');
  await expect(chip.locator('img')).toHaveJSProperty('naturalWidth', 1);
  await expect(messageBox(page)).toHaveValue('');
  await expect(sendButton(page)).toBeEnabled();

  // Opened from the keyboard (a focused chip and Enter).
  await page.getByRole('button', { name: 'Open pixel.png' }).focus();
  await page.keyboard.press('Enter');
  const dialog = page.getByRole('dialog', { name: 'Preview of pixel.png' });
  await expect(dialog.getByRole('img', { name: 'pixel.png' })).toHaveJSProperty('naturalWidth', 1);
  expect(await axeAudit(page, 'Preview')).toEqual([]);
  await dialog.getByRole('button', { name: 'Close' }).click();
  await expect(dialog).toBeHidden();
});
