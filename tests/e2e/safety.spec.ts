// Hostile and awkward input: HTML/JS payloads never run, an empty message cannot be sent, and a
// 100 kB paste is sent and answered while the page stays usable.
import {
  articles,
  assistantMessages,
  conversationItems,
  expect,
  messageBox,
  openApp,
  openConversation,
  sendButton,
  sendMessage,
  test,
  trapDialogs,
  userMessages,
  waitForEngineReady,
  waitForStatus,
} from './helpers';

const PAYLOAD = [
  '# Totally harmless',
  '<script>window.__pwned = "script"; alert("script")</script>',
  '<img src="x" onerror="window.__pwned = \'img\'; alert(\'img\')">',
  '<svg onload="window.__pwned = \'svg\'"><circle r="1"/></svg>',
  '<iframe srcdoc="<script>parent.__pwned = \'iframe\'</script>"></iframe>',
  '[click me](javascript:window.__pwned=\'link\') and <a href="javascript:window.__pwned=\'a\'">this</a>',
  '<details open ontoggle="window.__pwned = \'details\'">x</details>',
  '```html\n<script>window.__pwned = "code"</script>\n```',
].join('\n\n');

test('Markdown/HTML payloads in a message never execute', async ({ page, backend }) => {
  const dialogs = trapDialogs(page);
  await openApp(page, { backend });
  await waitForEngineReady(page, backend);

  const reply = await sendMessage(page, PAYLOAD);
  await waitForStatus(reply, 'complete');
  const user = userMessages(page).first();
  await expect(user).toContainText('Totally harmless');

  const check = async () => {
    // Links, if any were rendered, must not run script either.
    for (const link of await page.getByRole('log').getByRole('link').all()) {
      const href = (await link.getAttribute('href')) ?? '';
      expect(href.trim().toLowerCase().startsWith('javascript:')).toBe(false);
    }
    const found = await page.evaluate(() => {
      const log = document.querySelector('[role="log"]');
      return {
        pwned: (window as unknown as { __pwned?: string }).__pwned ?? null,
        scripts: log?.querySelectorAll('script').length ?? -1,
        iframes: log?.querySelectorAll('iframe').length ?? -1,
        handlers: log ? [...log.querySelectorAll('*')].filter((el) => [...el.attributes].some((a) => /^on/i.test(a.name))).length : -1,
      };
    });
    expect(found).toEqual({ pwned: null, scripts: 0, iframes: 0, handlers: 0 });
    expect(dialogs).toEqual([]);
  };
  await check();
  // Rendered again from IndexedDB after a reload.
  await page.reload();
  await expect(conversationItems(page)).toHaveCount(1);
  await openConversation(conversationItems(page).first());
  await expect(userMessages(page).first()).toContainText('Totally harmless');
  await check();
});

test('an empty or blank message cannot be sent', async ({ page, backend }) => {
  await openApp(page, { backend });
  await waitForEngineReady(page, backend);
  const box = messageBox(page);

  for (const blank of ['', '   ', '\n\n  \t ']) {
    await box.fill(blank);
    await box.press('Enter');
    if (await sendButton(page).isEnabled()) await sendButton(page).click();
  }
  await expect(articles(page)).toHaveCount(0);
  await expect(conversationItems(page)).toHaveCount(0);

  // A real message still goes through afterwards.
  await box.fill('Hello! What do you like to do?');
  await expect(sendButton(page)).toBeEnabled();
  await sendButton(page).click();
  await waitForStatus(assistantMessages(page).first(), 'complete');
  await expect(userMessages(page)).toHaveCount(1);
});

test('a 100 kB paste is sent and answered without freezing the page', async ({ page, backend }) => {
  await openApp(page, { backend });
  await waitForEngineReady(page, backend);
  const words = ['river', 'stone', 'lantern', 'orchard', 'window', 'meadow', 'copper', 'harbour', 'violet', 'thunder'];
  let big = 'START-OF-PASTE ';
  for (let i = 0; big.length < 100_000; i++) big += `${words[i % words.length]}${i % 7 === 0 ? '.' : ''} `;
  big += 'END-OF-PASTE';
  expect(big.length).toBeGreaterThanOrEqual(100_000);

  const box = messageBox(page);
  await box.focus();
  await page.keyboard.insertText(big); // one input event with the whole text, like a paste
  await expect(box).toHaveValue(big);
  await box.press('Enter');

  const reply = assistantMessages(page).first();
  await expect(reply).toBeVisible();
  // The page stays usable while the model works on it.
  await box.fill('still typing');
  await expect(box).toHaveValue('still typing');
  await box.fill('');

  await waitForStatus(reply, 'complete');
  await expect(userMessages(page)).toHaveCount(1);
  await expect(userMessages(page).first()).toContainText('START-OF-PASTE');
  await expect(userMessages(page).first()).toContainText('END-OF-PASTE');
  // The model's context window is far smaller than the paste: the reply says what was left out.
  await expect(reply.getByText(/left out/)).toBeVisible();
});
