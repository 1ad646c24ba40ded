// Chatting with the real model in its real worker: load progress in the status line, streaming,
// greedy determinism across backends, stopping a reply, and a model that fails to load.
import {
  ask,
  assistantMessages,
  branchPager,
  changeSettings,
  conversationItems,
  conversationTitle,
  engineStatus,
  expect,
  messageBox,
  messageText,
  newChatButton,
  openApp,
  openConversation,
  sendAndHold,
  sendButton,
  stopButton,
  test,
  userMessages,
  waitForEngineReady,
  waitForStatus,
} from './helpers';

const PROMPT = 'Hello! What do you like to do?';

test.describe('a reply from the model', () => {
  test('streams into the assistant message and completes @webgpu', async ({ page, backend }) => {
    await openApp(page, { backend });
    await waitForEngineReady(page, backend);
    if (backend === 'webgpu') await changeSettings(page, { maxNewTokens: 6 }); // SwiftShader is slow

    const { reply, hold, heldText } = await sendAndHold(page, PROMPT);
    try {
      // Mid-stream: the user's message is shown, the reply is streaming with its first text,
      // the engine says Generating and Stop replaces Send.
      await expect(userMessages(page)).toHaveCount(1);
      await expect(userMessages(page).first()).toContainText(PROMPT);
      await expect(reply).toHaveAttribute('data-status', 'streaming');
      await expect(engineStatus(page)).toHaveAttribute('data-state', 'generating');
      await expect(stopButton(page)).toBeVisible();
      expect(heldText.length).toBeGreaterThan(0);
    } finally {
      await hold.release();
    }

    await waitForStatus(reply, 'complete');
    const finalText = await messageText(reply);
    expect(finalText.length).toBeGreaterThan(0);
    // The text grew from the first streamed piece to the whole reply.
    expect(finalText.startsWith(heldText)).toBe(true);
    expect(finalText.length).toBeGreaterThan(heldText.length);
    await expect(engineStatus(page)).toHaveAttribute('data-state', 'ready');
    await expect(engineStatus(page)).toHaveAttribute('data-backend', backend);
    await expect(engineStatus(page)).toContainText(backend === 'webgpu' ? 'WebGPU' : 'WASM');
    await expect(engineStatus(page)).toContainText('tok/s');
    await expect(sendButton(page)).toBeVisible();
    // The engine worker is the bundle for its backend (WASM-only on WASM, WebGPU's on WebGPU).
    const engineWorkers = () => page.workers().map((w) => new URL(w.url()).pathname).filter((u) => /engine[.-]/.test(u));
    await expect.poll(engineWorkers).toEqual([expect.stringMatching(backend === 'webgpu' ? /engine\.worker/ : /engine\.wasm\.worker/)]);
    await hold.dispose();
  });

  test('greedy decoding gives the same reply on WASM and WebGPU (fp32) @webgpu-only', async ({ browser }) => {
    const replies: Record<string, string> = {};
    for (const backend of ['wasm', 'webgpu'] as const) {
      const context = await browser.newContext();
      try {
        const page = await context.newPage();
        await openApp(page, { backend, dtype: 'fp32' });
        await waitForEngineReady(page, backend);
        await changeSettings(page, { maxNewTokens: 8 });
        const reply = await ask(page, PROMPT);
        replies[backend] = await messageText(reply);
        // Really on the asked backend (not a silent fallback to WASM).
        await expect(engineStatus(page)).toHaveAttribute('data-backend', backend);
      } finally {
        await context.close();
      }
    }
    expect(replies.wasm.length).toBeGreaterThan(0);
    expect(replies.webgpu).toBe(replies.wasm);
  });
});

test.describe('stopping a reply', () => {
  for (const how of ['Stop button', 'Esc key'] as const) {
    test(`with the ${how} keeps the partial reply, marked stopped`, async ({ page, backend }) => {
      await openApp(page, { backend });
      await waitForEngineReady(page, backend);
      await changeSettings(page, { maxNewTokens: 200 });

      const { reply, hold, heldText } = await sendAndHold(page, PROMPT);
      try {
        if (how === 'Stop button') await stopButton(page).click();
        else await messageBox(page).press('Escape');
      } finally {
        await hold.release();
      }

      await waitForStatus(reply, 'interrupted');
      // Stopped by the user: said in neutral words, not as a failure ("Interrupted" is for crashes).
      await expect(reply.getByText('Stopped.', { exact: true })).toBeVisible();
      await expect(reply.getByText(/Interrupted/)).toHaveCount(0);
      await expect(reply).toContainText(heldText);
      await expect(sendButton(page)).toBeVisible();
      await expect(stopButton(page)).toHaveCount(0);
      await expect(engineStatus(page)).toHaveAttribute('data-state', 'ready');

      // The model still answers afterwards.
      const next = await ask(page, 'And what else?');
      expect(await messageText(next)).not.toBe('');
      await expect(assistantMessages(page)).toHaveCount(2);
      await expect(assistantMessages(page).first()).toHaveAttribute('data-status', 'interrupted');
      await hold.dispose();
    });
  }
});

test('a reply cut at the length limit says so, and Continue extends the same reply', async ({ page, backend }) => {
  await openApp(page, { backend });
  await waitForEngineReady(page, backend);
  await changeSettings(page, { maxNewTokens: 3 });
  const reply = await ask(page, 'Tell me a long story about the sea.');
  const replyText = async () => (await messageText(reply)).replace(/\s*Cut off at the length limit\.$/, '');
  const before = await replyText();
  await expect(reply.getByText('Cut off at the length limit.')).toBeVisible();
  // Room for the rest, so the continuation ends the reply and Continue goes for good (with 3 more
  // tokens it could be cut again: Continue would be back before a check could see it gone).
  await changeSettings(page, { maxNewTokens: 64 });
  await reply.getByRole('button', { name: 'Continue', exact: true }).click();
  await expect(messageBox(page)).toBeFocused();
  await expect(reply.getByText('Cut off at the length limit.')).toHaveCount(0);
  await expect(reply.getByRole('button', { name: 'Continue', exact: true })).toHaveCount(0);
  await waitForStatus(reply, 'complete');
  await expect.poll(replyText).not.toBe(before);
  const after = await replyText();
  expect(after.startsWith(before)).toBe(true);
  expect(after.length).toBeGreaterThan(before.length);
  await expect(assistantMessages(page)).toHaveCount(1); // the same reply grew, no new branch
  await expect(branchPager(reply)).toHaveCount(0);
});

test('the status line counts the model load up, then says Ready', async ({ page, backend }) => {
  // Every label the status line shows, from the first paint on.
  await page.addInitScript(() => {
    const seen: string[] = [];
    (window as unknown as { __labels: string[] }).__labels = seen;
    new MutationObserver(() => {
      const label = document.querySelector('[role=status][data-state] .status-label')?.textContent ?? '';
      if (label && seen.at(-1) !== label) seen.push(label);
    }).observe(document, { subtree: true, childList: true, characterData: true });
  });
  // The shipped model (its q8 file is 5.7 MB, the test model's loads in one step).
  await openApp(page, { backend, model: 'hearth-chat' });
  await waitForEngineReady(page, backend);
  const labels = await page.evaluate(() => (window as unknown as { __labels: string[] }).__labels);
  const percents = labels.flatMap((l) => /^Loading (\d+)%/.exec(l)?.[1] ?? []).map(Number);
  expect(percents.some((p) => p > 0 && p < 100), labels.join(' | ')).toBe(true);
  expect(percents).toEqual([...percents].sort((a, b) => a - b)); // it never goes back
  expect(labels).toContain('Loading 100% · warming up');
  expect(labels.at(-1)).toBe('Ready');
});

test.describe('a model that fails to load', () => {
  test('shows an alert with Retry and leaves the conversations untouched', async ({ page, backend }) => {
    // A conversation made with the working model first.
    await openApp(page, { backend });
    await waitForEngineReady(page, backend);
    await ask(page, PROMPT);
    await expect(conversationItems(page)).toHaveCount(1);
    const titleBefore = (await conversationTitle(conversationItems(page).first()).innerText()).trim();

    await openApp(page, { backend, model: 'does-not-exist' });
    const alert = page.getByRole('alert').filter({ has: page.getByRole('button', { name: 'Retry' }) });
    await expect(alert).toBeVisible({ timeout: 60_000 });
    // A clear sentence, not a stack trace or an error code.
    const sentence = (await alert.innerText()).replace(/\s+/g, ' ').trim();
    expect(sentence).toMatch(/could not|couldn't|failed|cannot|can't|not found|unable/i);
    expect(sentence).toMatch(/\.\s|\.$/);
    expect(sentence).not.toMatch(/at \S+ \(|TypeError|undefined|\[object/);
    await expect(engineStatus(page)).toHaveAttribute('data-state', 'error');

    await expect(conversationItems(page)).toHaveCount(1);
    await expect(conversationTitle(conversationItems(page).first())).toHaveText(titleBefore);

    // Retry tries again (and fails again: the model still does not exist). The engine states seen
    // after the click prove a new load ran (the alert from before would pass on its own).
    await page.evaluate(() => {
      const seen: string[] = [];
      (window as unknown as { __states: string[] }).__states = seen;
      const el = document.querySelector('[role=status][data-state]')!;
      new MutationObserver(() => seen.push(el.getAttribute('data-state') ?? '')).observe(el, { attributes: true, attributeFilter: ['data-state'] });
    });
    await alert.getByRole('button', { name: 'Retry' }).click();
    await expect.poll(() => page.evaluate(() => (window as unknown as { __states: string[] }).__states), { timeout: 60_000 }).toEqual(expect.arrayContaining(['loading', 'error']));
    await expect(page.getByRole('alert').filter({ has: page.getByRole('button', { name: 'Retry' }) })).toBeVisible({ timeout: 60_000 });
    await expect(conversationItems(page)).toHaveCount(1);
    // Its messages are still there.
    await openConversation(conversationItems(page).first());
    await expect(userMessages(page)).toHaveCount(1);
    await expect(userMessages(page).first()).toContainText(PROMPT);
    await expect(assistantMessages(page)).toHaveCount(1);
  });
});

// Temperature and top-p set in Settings (no ?temperature= in the address) reach the decoder:
// temperature 0 is greedy (the same reply twice); temperature 1.5 with top-p 1 samples, and some
// reply differs from the greedy one. (Top-p's own effect is unit-tested: its smallest setting,
// 0.05, does not make sampling deterministic on every model.)
test('temperature and top-p from Settings decide how replies are sampled', async ({ page, backend }) => {
  await openApp(page, { backend, greedy: false });
  await waitForEngineReady(page, backend);
  const replyTo = async () => {
    await newChatButton(page).click();
    return (await messageText(await ask(page, 'Tell me about your favourite place to walk.'))).trim();
  };
  await changeSettings(page, { temperature: 0, topP: 1, maxNewTokens: 16 });
  const greedy = await replyTo();
  expect(greedy).not.toBe('');
  expect(await replyTo()).toBe(greedy);
  await changeSettings(page, { temperature: 1.5, topP: 1 });
  const sampled = [await replyTo(), await replyTo(), await replyTo()];
  expect(sampled.some((r) => r !== greedy)).toBe(true);
});
