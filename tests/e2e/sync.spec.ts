// End-to-end sync: the real sync server (server/index.ts in a child process of this test on a port
// the OS says is free, PGlite in a temp dir; always stopped afterwards) and two browser contexts
// as two devices. Create an account on one, sign in on the other; a conversation made
// on one appears decrypted on the other, a rename and a delete propagate, and an attachment
// (written straight into IndexedDB with its outbox entry, as the repositories do) arrives byte
// for byte.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { freePort, ServerProcess } from '../../server/childProcess';
import { appUrl, ask, clickConversationAction, conversationItem, expect, messageBox, openConversation, test, userMessages } from './helpers';

const EMAIL = 'e2e@example.org';
const PASSWORD = 'a long test password';

let server: ServerProcess | null = null;
let SYNC_URL = '';
let dataDir = '';

test.beforeAll(async ({ baseURL }) => {
  test.setTimeout(600_000);
  dataDir = mkdtempSync(join(tmpdir(), 'hearth-sync-e2e-'));
  // Resolves once this process's own child prints "listening on": never another server on the port.
  server = new ServerProcess(await freePort(), { DATA_DIR: dataDir, ALLOWED_ORIGINS: new URL(baseURL!).origin });
  SYNC_URL = server.url;
  // PGlite starts in seconds on an idle machine, minutes on a busy one.
  await server.start(540_000);
});

test.afterAll(async () => {
  await server?.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

const syncStatus = (page: Page) => page.getByRole('dialog', { name: 'Sync' }).getByRole('status', { name: 'Sync status' });

async function openSync(page: Page) {
  // dispatchEvent: while a model loads the header's status changes width, so the button moves.
  await page.getByRole('button', { name: 'Sync', exact: true }).dispatchEvent('click');
  await expect(page.getByRole('dialog', { name: 'Sync' })).toBeVisible();
}

async function account(page: Page, action: 'Create account' | 'Sign in') {
  await openSync(page);
  const dialog = page.getByRole('dialog', { name: 'Sync' });
  await dialog.getByRole('textbox', { name: 'Server URL' }).fill(SYNC_URL);
  await dialog.getByRole('textbox', { name: 'Email' }).fill(EMAIL);
  await dialog.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await dialog.getByRole('button', { name: action, exact: true }).click();
  await expect(syncStatus(page)).toHaveText(/^Synced\. Last synced/, { timeout: 90_000 });
}

/** Sync now, then wait until nothing waits. */
async function syncNow(page: Page) {
  const dialog = page.getByRole('dialog', { name: 'Sync' });
  if (!(await dialog.isVisible())) await openSync(page);
  await dialog.getByRole('button', { name: 'Sync now', exact: true }).click();
  await expect(syncStatus(page)).toHaveText(/^Synced\. Last synced/, { timeout: 60_000 });
}

async function closeSync(page: Page) {
  await page.getByRole('dialog', { name: 'Sync' }).getByRole('button', { name: 'Close', exact: true }).click();
}

test('two devices sync an account end to end: conversation, rename, attachment, delete', async ({ browser, backend }) => {
  test.setTimeout(900_000);
  const one = await (await browser.newContext()).newPage();
  const two = await (await browser.newContext()).newPage();
  // Generous load timeouts: the suite may share two cores with other work.
  const load = async (page: Page) => {
    await page.goto(appUrl({ backend }), { timeout: 240_000, waitUntil: 'domcontentloaded' });
    await expect(messageBox(page)).toBeVisible({ timeout: 120_000 });
  };
  await load(one);
  await expect(one.getByRole('status').and(one.locator('[data-state]'))).toHaveAttribute('data-state', 'ready', { timeout: 420_000 });
  await account(one, 'Create account');
  await closeSync(one);
  await ask(one, 'Plan a picnic in the park');
  const title = 'Plan a picnic in the park';
  await expect(conversationItem(one, title)).toBeVisible();

  // An attachment in that conversation, written as the attachment repository does.
  const bytes = await one.evaluate(async () => {
    const data = new Uint8Array(1_300_000).map((_, i) => (i * 131 + (i >> 9)) % 256); // two chunks
    const db = await new Promise<IDBDatabase>((res, rej) => {
      const r = indexedDB.open('hearth');
      r.onsuccess = () => res(r.result);
      r.onerror = () => rej(r.error);
    });
    const conv = await new Promise<{ id: string }[]>((res) => {
      const q = db.transaction('conversations').objectStore('conversations').getAll();
      q.onsuccess = () => res(q.result);
    });
    const id = crypto.randomUUID();
    const t = Date.now();
    const tx = db.transaction(['attachments', 'outbox'], 'readwrite');
    tx.objectStore('attachments').put({ id, conversationId: conv[0].id, messageId: null, name: 'picnic.bin', type: 'application/octet-stream', size: data.length, data: new Blob([data]), createdAt: t, updatedAt: t, deletedAt: null });
    tx.objectStore('outbox').put({ key: `attachment:${id}`, kind: 'attachment', id, seq: t });
    await new Promise((res) => (tx.oncomplete = res));
    db.close();
    return { id, sha: Array.from(new Uint8Array(await crypto.subtle.digest('SHA-256', data))).join(',') };
  });
  await syncNow(one);
  await closeSync(one);

  // Device two signs in and receives everything, decrypted.
  await load(two);
  await account(two, 'Sign in');
  await closeSync(two);
  const onTwo = conversationItem(two, title);
  await expect(onTwo).toBeVisible();
  await openConversation(onTwo);
  await expect(userMessages(two).first()).toContainText(title);
  const got = await two.evaluate(async (id) => {
    const db = await new Promise<IDBDatabase>((res) => {
      const r = indexedDB.open('hearth');
      r.onsuccess = () => res(r.result);
    });
    const rec = await new Promise<{ name: string; data: Blob } | undefined>((res) => {
      const q = db.transaction('attachments').objectStore('attachments').get(id);
      q.onsuccess = () => res(q.result);
    });
    db.close();
    if (!rec) return null;
    const buf = await rec.data.arrayBuffer();
    return { name: rec.name, size: buf.byteLength, sha: Array.from(new Uint8Array(await crypto.subtle.digest('SHA-256', buf))).join(',') };
  }, bytes.id);
  expect(got).toEqual({ name: 'picnic.bin', size: 1_300_000, sha: bytes.sha });

  // A rename on two reaches one.
  await clickConversationAction(onTwo, 'Rename');
  const field = two.getByRole('textbox', { name: 'Title' });
  await field.fill('Picnic, Saturday');
  await field.press('Enter');
  await expect(conversationItem(two, 'Picnic, Saturday')).toBeVisible();
  await syncNow(two);
  await closeSync(two);
  await syncNow(one);
  await closeSync(one);
  await expect(conversationItem(one, 'Picnic, Saturday')).toBeVisible();

  // A delete on one reaches two.
  await clickConversationAction(conversationItem(one, 'Picnic, Saturday'), 'Delete');
  await expect(conversationItem(one, 'Picnic, Saturday')).toHaveCount(0);
  await syncNow(one);
  await closeSync(one);
  await syncNow(two);
  await closeSync(two);
  await expect(conversationItem(two, 'Picnic, Saturday')).toHaveCount(0);
});
