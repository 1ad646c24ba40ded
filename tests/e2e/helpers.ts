// Shared helpers for the end-to-end tests. Everything is found by role and accessible name as
// docs/ui-contract.md specifies; the only other hooks used are the contract's `data-status`
// (articles) and `data-state` / `data-backend` (engine status) attributes, plus a read-only
// peek at IndexedDB to know when a streaming reply has been persisted.
import AxeBuilder from '@axe-core/playwright';
import { test as base, expect, type CDPSession, type Locator, type Page } from '@playwright/test';

export type TestBackend = 'wasm' | 'webgpu';

/** Options set per Playwright project (see playwright.config.ts). */
export interface HearthOptions {
  backend: TestBackend;
}

export const test = base.extend<HearthOptions>({
  backend: ['wasm', { option: true }],
});
export { expect };

/** The tiny test model (models/hearth-test-tiny); override with HEARTH_E2E_MODEL. */
export const TEST_MODEL = process.env.HEARTH_E2E_MODEL ?? 'hearth-test-tiny';

/** Model load + warm-up + a short reply, generously (2 shared cores, SwiftShader for WebGPU). */
export const LOAD_TIMEOUT = 150_000;
export const REPLY_TIMEOUT = 150_000;

export interface AppParams {
  backend?: TestBackend;
  model?: string;
  dtype?: 'fp32' | 'q8' | 'q4';
  /** Greedy decoding unless set to false. */
  greedy?: boolean;
  extra?: Record<string, string>;
}

export function appUrl({ backend = 'wasm', model = TEST_MODEL, dtype, greedy = true, extra = {} }: AppParams = {}): string {
  const q = new URLSearchParams({ model, backend });
  if (greedy) q.set('temperature', '0');
  if (dtype) q.set('dtype', dtype);
  for (const [k, v] of Object.entries(extra)) q.set(k, v);
  return `/?${q.toString()}`;
}

// ---- locators ------------------------------------------------------------------------------

export const messageBox = (page: Page) => page.getByRole('textbox', { name: 'Message', exact: true });
export const sendButton = (page: Page) => page.getByRole('button', { name: 'Send', exact: true });
export const stopButton = (page: Page) => page.getByRole('button', { name: 'Stop', exact: true });
export const newChatButton = (page: Page) => // The sidebar's own button comes first; a conversation still titled "New chat" has that name too.
  page.getByRole('button', { name: 'New chat', exact: true }).first();
export const messageLog = (page: Page) => page.getByRole('log');
export const articles = (page: Page) => messageLog(page).getByRole('article');
export const userMessages = (page: Page) => messageLog(page).getByRole('article', { name: /^You/ });
export const assistantMessages = (page: Page) => messageLog(page).getByRole('article', { name: /^Assistant/ });
export const conversationNav = (page: Page) => page.getByRole('navigation', { name: 'Conversations' });
export const conversationItems = (page: Page) => conversationNav(page).getByRole('listitem');
export const searchBox = (page: Page) => page.getByRole('searchbox', { name: 'Search conversations' });
/** The engine status element (role status carrying `data-state`). */
export const engineStatus = (page: Page) => page.getByRole('status').and(page.locator('[data-state]'));

/** The list item of the conversation whose title matches `title`. */
export function conversationItem(page: Page, title: string | RegExp): Locator {
  return conversationItems(page).filter({ has: page.getByRole('button', { name: title }).or(page.getByRole('link', { name: title })) });
}

/** The "Conversation actions" menu button of a conversation's list item. */
export const conversationMenuButton = (item: Locator) => item.getByRole('button', { name: 'Conversation actions', exact: true });

/** Chooses an action from a conversation's "Conversation actions" menu. */
export async function clickConversationAction(item: Locator, name: 'Rename' | 'Delete' | 'Pin' | 'Unpin' | 'Export'): Promise<void> {
  await conversationMenuButton(item).click();
  await item.getByRole('menu', { name: 'Conversation actions' }).getByRole('menuitem', { name, exact: true }).click();
}

/** The control holding a conversation's title (its link or the row's button). */
export function conversationTitle(item: Locator): Locator {
  return item.getByRole('link').or(item.getByRole('button', { name: /^(?!Conversation actions$)/ })).first();
}

/** Opens the conversation of a list item (a click on its title, anywhere along it). */
export async function openConversation(item: Locator): Promise<void> {
  await conversationTitle(item).click();
}

// ---- app lifecycle ---------------------------------------------------------------------------

/** Opens the app with the test model and waits for the message box. */
export async function openApp(page: Page, params: AppParams = {}): Promise<void> {
  await page.goto(appUrl(params));
  await expect(messageBox(page)).toBeVisible();
}

/** Waits until the engine reports `ready` (model loaded and warmed up). */
export async function waitForEngineReady(page: Page, backend?: TestBackend): Promise<void> {
  const status = engineStatus(page);
  await expect(status).toHaveAttribute('data-state', 'ready', { timeout: LOAD_TIMEOUT });
  if (backend) await expect(status).toHaveAttribute('data-backend', backend);
}

/**
 * Types `text` into the message box and presses Enter. Returns the assistant article created for
 * the reply (the next one after those already on screen).
 */
export async function sendMessage(page: Page, text: string): Promise<Locator> {
  const before = await assistantMessages(page).count();
  const box = messageBox(page);
  await box.fill(text);
  await box.press('Enter');
  const reply = assistantMessages(page).nth(before);
  await expect(reply).toBeVisible({ timeout: REPLY_TIMEOUT });
  return reply;
}

/** Waits for `article` to reach a final `data-status` (complete by default). */
export async function waitForStatus(article: Locator, status: 'complete' | 'interrupted' | 'error' | 'streaming' = 'complete'): Promise<void> {
  await expect(article).toHaveAttribute('data-status', status, { timeout: REPLY_TIMEOUT });
}

/** Sends `text` and waits for the reply to complete; returns the reply article. */
export async function ask(page: Page, text: string): Promise<Locator> {
  const reply = await sendMessage(page, text);
  await waitForStatus(reply, 'complete');
  return reply;
}

/**
 * The message text of an article: its text without the chrome the contract puts in it (action
 * buttons, the branch pager, the "Interrupted" marker, the "left out" notice, the model label).
 */
export async function messageText(article: Locator): Promise<string> {
  return article.evaluate((el) => {
    const clone = el.cloneNode(true) as HTMLElement;
    clone
      .querySelectorAll('button, [role="group"], [role="toolbar"], [role="status"], [role="alert"], [role="note"], time, [aria-hidden="true"], .sr-only, .visually-hidden')
      .forEach((n) => n.remove());
    // A visible role label ("You" / "Assistant") is not message text.
    const text = (clone.textContent ?? '').replace(/\s+/g, ' ').trim().replace(/^(You|Assistant)\b:?\s*/, '');
    return text;
  });
}

/** The branch pager of an article and its `n/m` text. */
export const branchPager = (article: Locator) => article.getByRole('group', { name: 'Branches' });
export async function expectBranch(article: Locator, current: number, total: number): Promise<void> {
  await expect(branchPager(article)).toContainText(`${current}/${total}`);
}

// ---- settings ------------------------------------------------------------------------------

/** Opens Settings, changes the given fields, closes the dialog. */
export async function changeSettings(page: Page, values: { maxNewTokens?: number; temperature?: number; topP?: number; backend?: 'Auto' | 'WebGPU' | 'WASM' }): Promise<void> {
  await page.getByRole('button', { name: 'Settings', exact: true }).click();
  const dialog = page.getByRole('dialog', { name: 'Settings' });
  await expect(dialog).toBeVisible();
  if (values.maxNewTokens !== undefined) await setNumber(dialog, 'Max new tokens', values.maxNewTokens);
  if (values.temperature !== undefined) await setNumber(dialog, 'Temperature', values.temperature);
  if (values.topP !== undefined) await setNumber(dialog, 'Top-p', values.topP);
  if (values.backend) await dialog.getByRole('combobox', { name: 'Backend' }).selectOption({ label: values.backend });
  await dialog.getByRole('button', { name: 'Close', exact: true }).click();
  await expect(dialog).toBeHidden();
}

/** Sets a numeric setting exposed as a spinbutton (typed) or a slider (range input). */
async function setNumber(scope: Locator, name: string, value: number): Promise<void> {
  const spin = scope.getByRole('spinbutton', { name });
  if ((await spin.count()) > 0) {
    await spin.first().fill(String(value));
    await spin.first().press('Tab'); // commit on change/blur
    await expect(spin.first()).toHaveValue(String(value));
    return;
  }
  const slider = scope.getByRole('slider', { name });
  await expect(slider).toHaveCount(1);
  await slider.evaluate((el, v) => {
    const input = el as HTMLInputElement;
    const setter = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value')!.set!;
    setter.call(input, String(v));
    input.dispatchEvent(new Event('input', { bubbles: true }));
    input.dispatchEvent(new Event('change', { bubbles: true }));
  }, value);
  await expect(slider).toHaveValue(String(value));
}

// ---- IndexedDB peek --------------------------------------------------------------------------

/** Content of the newest assistant message stored with status 'streaming' (raw IndexedDB read). */
export async function persistedStreamingText(page: Page): Promise<string> {
  return page.evaluate(
    () =>
      new Promise<string>((resolve) => {
        const open = indexedDB.open('hearth');
        open.onerror = () => resolve('');
        open.onsuccess = () => {
          const db = open.result;
          if (!db.objectStoreNames.contains('messages')) {
            db.close();
            return resolve('');
          }
          const req = db.transaction('messages', 'readonly').objectStore('messages').getAll();
          req.onerror = () => {
            db.close();
            resolve('');
          };
          req.onsuccess = () => {
            db.close();
            const rows = (req.result as Array<{ role: string; status: string; content: string; createdAt: number }>)
              .filter((m) => m.role === 'assistant' && m.status === 'streaming')
              .sort((a, b) => b.createdAt - a.createdAt);
            resolve(rows[0]?.content ?? '');
          };
        };
      }),
  );
}

/**
 * Replaces a stored message's content straight in IndexedDB (as a synced or imported conversation
 * would arrive); reload and open the conversation to see it rendered.
 */
export async function storeMessageContent(page: Page, id: string, content: string): Promise<void> {
  await page.evaluate(
    ({ id, content }) =>
      new Promise<void>((resolve, reject) => {
        const open = indexedDB.open('hearth');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const tx = open.result.transaction('messages', 'readwrite');
          const store = tx.objectStore('messages');
          const get = store.get(id);
          get.onsuccess = () => store.put({ ...get.result, content, updatedAt: Date.now() });
          tx.oncomplete = () => (open.result.close(), resolve());
          tx.onerror = () => reject(tx.error);
        };
      }),
    { id, content },
  );
}

// ---- holding a reply mid-stream ---------------------------------------------------------------
//
// The tiny test model answers in a handful of tokens within a few milliseconds, so "mid-reply"
// cannot be reached by waiting. Instead the test pauses the inference worker in the debugger
// right after it has posted the first streamed piece: the reply is then really streaming (the
// page shows its first text, the UI's Stop is live) for as long as the test needs, with no test
// hooks in the app. The worker's outgoing postMessage (Comlink's APPLY of the onToken callback
// with a string argument) is patched through CDP (Runtime.evaluate in the worker target) to run
// `debugger;` once; Debugger.resume lets the generation continue.

interface Pending {
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
}

const HOLD_PATCH = `(() => {
  if (self.__hearthHold) { self.__hearthHold.armed = true; return 'rearmed'; }
  const st = (self.__hearthHold = { armed: true, held: 0 });
  const isToken = (msg) =>
    !!msg && typeof msg === 'object' && msg.type === 'APPLY' && Array.isArray(msg.argumentList) &&
    msg.argumentList.some((a) => a && typeof a.value === 'string' && a.value.length > 0);
  const wrap = (obj) => {
    const original = obj.postMessage;
    obj.postMessage = function (msg, ...rest) {
      const r = original.call(this, msg, ...rest);
      if (st.armed && isToken(msg)) { st.armed = false; st.held++; debugger; }
      return r;
    };
  };
  wrap(MessagePort.prototype);
  wrap(self);
  return 'patched';
})()`;

export class WorkerHold {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly workers = new Set<string>();
  private readonly ready: Promise<unknown>[] = [];
  private pausedSession: string | null = null;
  private pausedWaiters: Array<(sessionId: string) => void> = [];

  private constructor(private readonly cdp: CDPSession) {}

  /** Arms the hold: the first streamed piece of the next reply pauses the engine worker. */
  static async arm(page: Page): Promise<WorkerHold> {
    const cdp = await page.context().newCDPSession(page);
    const hold = new WorkerHold(cdp);
    cdp.on('Target.receivedMessageFromTarget', (e) => hold.onMessage(e.sessionId, e.message));
    cdp.on('Target.attachedToTarget', (e) => {
      if (e.targetInfo.type !== 'worker') return;
      hold.workers.add(e.sessionId);
      const patched = hold
        .call(e.sessionId, 'Debugger.enable')
        .then(() => hold.call(e.sessionId, 'Runtime.evaluate', { expression: HOLD_PATCH }));
      // A worker that attaches while the CDP session closes must not become an unhandled
      // rejection; failures while arming still surface through `Promise.all(hold.ready)`.
      patched.catch(() => undefined);
      hold.ready.push(patched);
    });
    cdp.on('Target.detachedFromTarget', (e) => hold.workers.delete(e.sessionId));
    // Attaches to the running workers (the engine worker exists once the model loads) and new ones.
    await cdp.send('Target.setAutoAttach', { autoAttach: true, waitForDebuggerOnStart: false, flatten: false });
    await expect.poll(() => hold.workers.size, { message: 'no worker to hold (is the engine worker running?)' }).toBeGreaterThan(0);
    await Promise.all(hold.ready);
    return hold;
  }

  /** Resolves once the worker is paused after posting the first piece of a reply. */
  async waitUntilHeld(timeout = REPLY_TIMEOUT): Promise<void> {
    if (this.pausedSession) return;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('the engine worker never streamed a piece to hold')), timeout);
      this.pausedWaiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  /** Lets the worker continue (the reply goes on or, after Stop, ends). */
  async release(): Promise<void> {
    const session = this.pausedSession;
    this.pausedSession = null;
    if (session) await this.call(session, 'Debugger.resume').catch(() => undefined);
  }

  /** Releases a held worker and detaches (safe to call after the page navigated or closed). */
  async dispose(): Promise<void> {
    await this.release().catch(() => undefined);
    await this.cdp.detach().catch(() => undefined);
  }

  private call(sessionId: string, method: string, params: Record<string, unknown> = {}): Promise<unknown> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.cdp
        .send('Target.sendMessageToTarget', { sessionId, message: JSON.stringify({ id, method, params }) })
        .catch((e: Error) => {
          this.pending.delete(id);
          reject(e);
        });
    });
  }

  private onMessage(sessionId: string, raw: string): void {
    const msg = JSON.parse(raw) as { id?: number; method?: string; error?: { message: string }; result?: unknown };
    if (msg.id !== undefined) {
      const p = this.pending.get(msg.id);
      if (!p) return;
      this.pending.delete(msg.id);
      if (msg.error) p.reject(new Error(msg.error.message));
      else p.resolve(msg.result);
    } else if (msg.method === 'Debugger.paused') {
      this.pausedSession = sessionId;
      for (const w of this.pausedWaiters.splice(0)) w(sessionId);
    }
  }
}

/**
 * Sends `prompt` and holds the reply mid-stream: it is `streaming` with its first piece on screen.
 * Returns the reply article and the hold (release it or dispose it).
 */
export async function sendAndHold(page: Page, prompt: string): Promise<{ reply: Locator; hold: WorkerHold; heldText: string }> {
  const hold = await WorkerHold.arm(page);
  const reply = await sendMessage(page, prompt);
  await hold.waitUntilHeld();
  await expect(reply).toHaveAttribute('data-status', 'streaming');
  await expect.poll(() => messageText(reply), { message: 'the first streamed piece is shown' }).not.toBe('');
  return { reply, hold, heldText: await messageText(reply) };
}

/** Records every dialog and marks the page as compromised if one opens. */
export function trapDialogs(page: Page): string[] {
  const opened: string[] = [];
  page.on('dialog', (d) => {
    opened.push(`${d.type()}: ${d.message()}`);
    void d.dismiss().catch(() => undefined);
  });
  return opened;
}

/** axe-core's serious and critical violations on the page as it is now, each named after `screen`. */
export async function axeAudit(page: Page, screen: string): Promise<string[]> {
  const { violations } = await new AxeBuilder({ page }).analyze();
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${screen}: ${v.id} (${v.impact}) ${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(', ')}`);
}
