// Regenerate and Edit make branches; the pager `< n/m >` in the message switches between them.
// Greedy decoding makes a regenerated reply identical, so the second branch is made with a
// smaller "Max new tokens": it is a strict prefix of the first and visibly different.
import {
  ask,
  assistantMessages,
  branchPager,
  changeSettings,
  expect,
  expectBranch,
  messageBox,
  messageText,
  openApp,
  test,
  userMessages,
  waitForEngineReady,
  waitForStatus,
} from './helpers';

const PROMPT = 'Hello! What do you like to do?';

test('Regenerate adds a branch to the reply; the pager pages through them', async ({ page, backend }) => {
  await openApp(page, { backend });
  await waitForEngineReady(page, backend);
  const reply = await ask(page, PROMPT);
  const first = await messageText(reply);
  expect(first.length).toBeGreaterThan(0);
  await expect(branchPager(reply)).toHaveCount(0); // one branch: no pager

  await changeSettings(page, { maxNewTokens: 2 });
  await reply.getByRole('button', { name: 'Regenerate' }).click();
  const shown = assistantMessages(page).first();
  // The new branch first (the old one was already complete), then its end.
  await expectBranch(shown, 2, 2);
  await waitForStatus(shown, 'complete');
  await expect(messageBox(page)).toBeFocused(); // keyboard focus did not fall to the page body
  await expect(assistantMessages(page)).toHaveCount(1);
  const second = await messageText(shown);
  expect(second.length).toBeGreaterThan(0);
  expect(second).not.toBe(first);

  await branchPager(shown).getByRole('button', { name: 'Previous branch' }).click();
  await expectBranch(shown, 1, 2);
  await expect.poll(() => messageText(shown)).toBe(first);
  await branchPager(shown).getByRole('button', { name: 'Next branch' }).click();
  await expectBranch(shown, 2, 2);
  await expect.poll(() => messageText(shown)).toBe(second);

  // A third branch: `3/3`, and paging back shows `2/3`.
  await shown.getByRole('button', { name: 'Regenerate' }).click();
  await expectBranch(shown, 3, 3);
  await waitForStatus(shown, 'complete');
  await branchPager(shown).getByRole('button', { name: 'Previous branch' }).click();
  await expectBranch(shown, 2, 3);
  await expect.poll(() => messageText(shown)).toBe(second);
  // The user's message is not branched by a regenerate.
  await expect(branchPager(userMessages(page).first())).toHaveCount(0);
});

test('Edit makes a new branch of the conversation from that message', async ({ page, backend }) => {
  await openApp(page, { backend });
  await waitForEngineReady(page, backend);
  const firstReply = await messageText(await ask(page, PROMPT));

  const user = userMessages(page).first();
  // Cancel leaves everything as it was.
  await user.getByRole('button', { name: 'Edit' }).click();
  await expect(user.getByRole('textbox', { name: 'Edit message' })).toHaveValue(PROMPT);
  await user.getByRole('button', { name: 'Cancel' }).click();
  await expect(user.getByRole('textbox', { name: 'Edit message' })).toHaveCount(0);
  await expect(branchPager(user)).toHaveCount(0);

  await user.getByRole('button', { name: 'Edit' }).click();
  await user.getByRole('textbox', { name: 'Edit message' }).fill('What is the capital of France?');
  await user.getByRole('button', { name: 'Save & send' }).click();

  await expect(userMessages(page)).toHaveCount(1);
  await expect(assistantMessages(page)).toHaveCount(1);
  await waitForStatus(assistantMessages(page).first(), 'complete');
  await expect(user).toContainText('What is the capital of France?');
  await expectBranch(user, 2, 2);
  const editedReply = await messageText(assistantMessages(page).first());
  expect(editedReply.length).toBeGreaterThan(0);

  await branchPager(user).getByRole('button', { name: 'Previous branch' }).click();
  await expectBranch(user, 1, 2);
  await expect(user).toContainText(PROMPT);
  await expect.poll(() => messageText(assistantMessages(page).first())).toBe(firstReply);

  await branchPager(user).getByRole('button', { name: 'Next branch' }).click();
  await expectBranch(user, 2, 2);
  await expect(user).toContainText('What is the capital of France?');
  await expect.poll(() => messageText(assistantMessages(page).first())).toBe(editedReply);
});
