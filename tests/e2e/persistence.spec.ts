// Everything lives in IndexedDB: a reload keeps conversations, messages and the branch on
// screen, and a reply cut off by a reload comes back as an interrupted partial reply.
import {
  ask,
  assistantMessages,
  branchPager,
  changeSettings,
  conversationItem,
  conversationItems,
  conversationTitle,
  expect,
  expectBranch,
  messageText,
  newChatButton,
  openConversation,
  persistedStreamingText,
  sendAndHold,
  test,
  openApp,
  userMessages,
  waitForEngineReady,
  waitForStatus,
} from './helpers';

const PROMPT = 'Hello! What do you like to do?';

test('a reload keeps conversations, messages and the branch on screen', async ({ page, backend }) => {
  await openApp(page, { backend });
  await waitForEngineReady(page, backend);

  // Conversation 1 with two branches of its reply, left on branch 1/2.
  const reply = await ask(page, PROMPT);
  const first = await messageText(reply);
  await changeSettings(page, { maxNewTokens: 2 });
  await reply.getByRole('button', { name: 'Regenerate' }).click();
  await expectBranch(assistantMessages(page).first(), 2, 2); // the new branch, then its end
  await waitForStatus(assistantMessages(page).first(), 'complete');
  const second = await messageText(assistantMessages(page).first());
  await branchPager(assistantMessages(page).first()).getByRole('button', { name: 'Previous branch' }).click();
  await expectBranch(assistantMessages(page).first(), 1, 2);
  const title1 = (await conversationTitle(conversationItems(page).first()).innerText()).trim();

  // Conversation 2.
  await newChatButton(page).click();
  await expect(userMessages(page)).toHaveCount(0);
  await ask(page, 'What is the capital of France?');
  await expect(conversationItems(page)).toHaveCount(2);

  await page.reload();
  await expect(conversationItems(page)).toHaveCount(2);
  const item1 = conversationItem(page, title1);
  await expect(item1).toHaveCount(1);
  await openConversation(item1);
  await expect(userMessages(page)).toHaveCount(1);
  await expect(userMessages(page).first()).toContainText(PROMPT);
  await expect(assistantMessages(page)).toHaveCount(1);
  const shown = assistantMessages(page).first();
  await expect(shown).toHaveAttribute('data-status', 'complete');
  await expectBranch(shown, 1, 2);
  await expect.poll(() => messageText(shown)).toBe(first);
  await branchPager(shown).getByRole('button', { name: 'Next branch' }).click();
  await expectBranch(shown, 2, 2);
  await expect.poll(() => messageText(shown)).toBe(second);

  // And the other conversation.
  await openConversation(conversationItems(page).filter({ hasNot: page.getByText(title1, { exact: true }) }).first());
  await expect(userMessages(page).first()).toContainText('What is the capital of France?');
  await expect(assistantMessages(page).first()).toHaveAttribute('data-status', 'complete');
});

test('a reload in the middle of a reply shows the partial reply as interrupted, and Regenerate works', async ({ page, backend }) => {
  await openApp(page, { backend });
  await waitForEngineReady(page, backend);
  await changeSettings(page, { maxNewTokens: 200 });

  const { hold, heldText } = await sendAndHold(page, PROMPT);
  let saved = '';
  try {
    // Wait until the streaming reply has been written to IndexedDB (the app saves it periodically).
    await expect
      .poll(async () => (saved = await persistedStreamingText(page)), {
        timeout: 30_000,
        message: 'the streaming reply is saved to IndexedDB (database "hearth", store "messages", status "streaming")',
      })
      .not.toBe('');
    await page.reload();
  } finally {
    await hold.dispose();
  }
  expect(heldText).not.toBe('');

  await expect(conversationItems(page)).toHaveCount(1);
  await openConversation(conversationItems(page).first());
  const reply = assistantMessages(page).first();
  await expect(reply).toHaveAttribute('data-status', 'interrupted');
  await expect(reply.getByText('Interrupted')).toBeVisible();
  await expect(reply).toContainText(saved.trim());
  await expect(userMessages(page).first()).toContainText(PROMPT);

  await waitForEngineReady(page, backend);
  await reply.getByRole('button', { name: 'Regenerate' }).click();
  await expectBranch(assistantMessages(page).first(), 2, 2); // the new branch, then its end
  await waitForStatus(assistantMessages(page).first(), 'complete');
  expect(await messageText(assistantMessages(page).first())).not.toBe('');
  // The interrupted partial reply is kept as branch 1.
  await branchPager(assistantMessages(page).first()).getByRole('button', { name: 'Previous branch' }).click();
  await expect(assistantMessages(page).first()).toHaveAttribute('data-status', 'interrupted');
  await expect(assistantMessages(page).first()).toContainText(saved.trim());
});
