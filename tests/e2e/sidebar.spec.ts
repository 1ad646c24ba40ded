// The conversation list: rename (Enter saves, Esc cancels, focus stays), delete with Undo, search
// by title and by message text, full-width titles and the "Pinned" group, a click anywhere on a
// title opens its conversation, and the "Conversation actions" menu by keyboard.
import {
  ask,
  clickConversationAction,
  conversationItem,
  conversationItems,
  conversationMenuButton,
  conversationNav,
  conversationTitle,
  expect,
  newChatButton,
  openApp,
  openConversation,
  searchBox,
  sendMessage,
  test,
  userMessages,
  waitForEngineReady,
  waitForStatus,
  type TestBackend,
} from './helpers';
import type { Page } from '@playwright/test';

/** Makes one conversation per prompt (each answered by the model) and returns their titles. */
async function makeConversations(page: Page, backend: TestBackend, prompts: string[]): Promise<string[]> {
  await openApp(page, { backend });
  await waitForEngineReady(page, backend);
  const titles: string[] = [];
  const listTitles = async () => {
    const out: string[] = [];
    for (const item of await conversationItems(page).all()) out.push((await conversationTitle(item).innerText()).trim());
    return out;
  };
  for (const [i, prompt] of prompts.entries()) {
    if (i > 0) {
      await newChatButton(page).click();
      await expect(userMessages(page)).toHaveCount(0);
    }
    await ask(page, prompt);
    await expect(conversationItems(page)).toHaveCount(i + 1);
    // The title that just appeared belongs to this prompt (the list order is the app's choice).
    const fresh = (await listTitles()).filter((t) => !titles.includes(t));
    expect(fresh).toHaveLength(1);
    titles.push(fresh[0]);
  }
  expect(new Set(titles).size).toBe(prompts.length);
  return titles;
}

/**
 * One conversation per prompt without a model: a message is saved (and titles its conversation)
 * even when no model loads. The reply waits for the model, and only one reply runs at a time: the
 * next message is sent once this one has ended (with an error, as the model never loads).
 */
async function makeUnanswered(page: Page, backend: TestBackend, prompts: string[]): Promise<void> {
  await openApp(page, { backend, model: 'does-not-exist' });
  for (const [i, prompt] of prompts.entries()) {
    if (i > 0) await newChatButton(page).click();
    await waitForStatus(await sendMessage(page, prompt), 'error');
    await expect(conversationItems(page)).toHaveCount(i + 1);
  }
}

test('rename: Enter saves the title, Esc cancels, and the title survives a reload', async ({ page, backend }) => {
  // Two conversations: the older one is renamed, which moves it to the top of the list.
  const [title, newer] = await makeConversations(page, backend, ['Hello! What do you like to do?', 'What is the capital of France?']);
  await expect(conversationTitle(conversationItems(page).first())).toHaveText(newer);
  const item = conversationItem(page, title);

  await clickConversationAction(item, 'Rename');
  const field = page.getByRole('textbox', { name: 'Title' });
  await expect(field).toBeVisible();
  await field.fill('Hobbies and fun');
  await field.press('Enter');
  await expect(field).toHaveCount(0);
  const renamed = conversationItem(page, 'Hobbies and fun');
  await expect(renamed).toHaveCount(1);
  await expect(conversationTitle(renamed)).toHaveText('Hobbies and fun');
  await expect(conversationTitle(conversationItems(page).first())).toHaveText('Hobbies and fun');
  await expect(conversationTitle(renamed)).toBeFocused(); // focus stays on the conversation, moved or not

  await clickConversationAction(renamed, 'Rename');
  await page.getByRole('textbox', { name: 'Title' }).fill('Something else entirely');
  await page.getByRole('textbox', { name: 'Title' }).press('Escape');
  await expect(page.getByRole('textbox', { name: 'Title' })).toHaveCount(0);
  await expect(conversationTitle(conversationItems(page).first())).toHaveText('Hobbies and fun');
  await expect(conversationItem(page, 'Something else entirely')).toHaveCount(0);

  await expect(conversationTitle(renamed)).toBeFocused(); // Esc too

  await page.reload();
  await expect(conversationItems(page)).toHaveCount(2);
  await expect(conversationTitle(conversationItems(page).first())).toHaveText('Hobbies and fun');
});

test('delete removes a conversation; Undo brings it back with its messages', async ({ page, backend }) => {
  const [a, b] = await makeConversations(page, backend, ['Hello! What do you like to do?', 'What is the capital of France?']);

  await clickConversationAction(conversationItem(page, a), 'Delete');
  await expect(conversationItem(page, a)).toHaveCount(0);
  await expect(conversationItems(page)).toHaveCount(1);
  await expect(conversationItem(page, b)).toHaveCount(1);

  await page.getByRole('button', { name: 'Undo', exact: true }).click();
  await expect(conversationItems(page)).toHaveCount(2);
  await expect(conversationItem(page, a)).toHaveCount(1);
  await openConversation(conversationItem(page, a));
  await expect(userMessages(page).first()).toContainText('Hello! What do you like to do?');

  // Deleted without Undo: gone, also after a reload.
  await clickConversationAction(conversationItem(page, b), 'Delete');
  await expect(conversationItem(page, b)).toHaveCount(0);
  await page.reload();
  await expect(conversationItems(page)).toHaveCount(1);
  await expect(conversationItem(page, a)).toHaveCount(1);
  await expect(conversationItem(page, b)).toHaveCount(0);
});

test('search finds conversations by title and by message text', async ({ page, backend }) => {
  const [zebraTitle, franceTitle] = await makeConversations(page, backend, [
    'Tell me about zebras please',
    'What is the capital of France?',
  ]);
  // Rename the first, so "zebras" is only in its message text and "Animal facts" only in its title.
  await clickConversationAction(conversationItem(page, zebraTitle), 'Rename');
  await page.getByRole('textbox', { name: 'Title' }).fill('Animal facts');
  await page.getByRole('textbox', { name: 'Title' }).press('Enter');
  await expect(conversationItem(page, 'Animal facts')).toHaveCount(1);

  const search = searchBox(page);
  await search.fill('animal');
  await expect(conversationItems(page)).toHaveCount(1);
  await expect(conversationItem(page, 'Animal facts')).toHaveCount(1);

  await search.fill('zebras');
  await expect(conversationItems(page)).toHaveCount(1);
  await expect(conversationItem(page, 'Animal facts')).toHaveCount(1);

  await search.fill('capital of france');
  await expect(conversationItems(page)).toHaveCount(1);
  await expect(conversationItem(page, franceTitle)).toHaveCount(1);

  await search.fill('xylophone-quokka');
  await expect(conversationItems(page)).toHaveCount(0);

  await search.fill('');
  await expect(conversationItems(page)).toHaveCount(2);
});

test('titles use the row width (the menu button shows on hover/focus); pinned conversations are under "Pinned"', async ({ page, backend }) => {
  await makeUnanswered(page, backend, ['A rather long question about gardening in a small city flat', 'Another long question about cooking dinner for friends']);
  await page.mouse.move(700, 500); // away from the list
  const widths = await conversationItems(page).first().evaluate((li) => ({
    row: li.getBoundingClientRect().width,
    title: li.querySelector('.conv-title')!.getBoundingClientRect().width,
  }));
  expect(widths.title).toBeGreaterThan(widths.row - 24); // only the row's padding, no reserved action space

  await expect(conversationNav(page).getByRole('heading', { name: 'Pinned' })).toHaveCount(0);
  const gardening = conversationItem(page, /gardening/);
  await clickConversationAction(gardening, 'Pin');
  const heading = conversationNav(page).getByRole('heading', { name: 'Pinned' });
  await expect(heading).toBeVisible();
  // The pinned one comes first, in the list right after the heading.
  await expect(conversationNav(page).locator('h2 + ul').first().getByRole('listitem')).toHaveCount(1);
  await expect(conversationTitle(conversationNav(page).locator('h2 + ul').first().getByRole('listitem'))).toContainText('gardening');
  await clickConversationAction(gardening, 'Unpin');
  await expect(heading).toHaveCount(0);
});

test('a click in the middle of a title opens the conversation; its "..." menu works from the keyboard', async ({ page, backend }) => {
  await makeUnanswered(page, backend, ['A question about gardening in a small city flat', 'Another question about cooking dinner for friends']);
  await expect(userMessages(page).first()).toContainText('cooking');
  const gardening = conversationItem(page, /gardening/);
  // A plain click on the title's text (Playwright clicks its middle) while the row is hovered.
  await gardening.getByText(/gardening/).click();
  await expect(userMessages(page).first()).toContainText('gardening');
  await expect(conversationTitle(gardening)).toHaveAttribute('aria-current', 'page');

  // Keyboard: Tab from the row to its menu button; Enter opens on the first item, arrows move,
  // Esc closes and gives focus back; Space opens it too, and Enter chooses.
  await conversationTitle(gardening).focus();
  await page.keyboard.press('Tab');
  const button = conversationMenuButton(gardening);
  await expect(button).toBeFocused();
  await page.keyboard.press('Enter');
  const menu = gardening.getByRole('menu', { name: 'Conversation actions' });
  await expect(menu.getByRole('menuitem', { name: 'Pin', exact: true })).toBeFocused();
  await page.keyboard.press('ArrowDown');
  await expect(menu.getByRole('menuitem', { name: 'Rename', exact: true })).toBeFocused();
  await page.keyboard.press('ArrowUp');
  await page.keyboard.press('ArrowUp');
  await expect(menu.getByRole('menuitem', { name: 'Delete', exact: true })).toBeFocused();
  await page.keyboard.press('Escape');
  await expect(menu).toHaveCount(0);
  await expect(button).toBeFocused();
  await expect(userMessages(page).first()).toContainText('gardening'); // Esc closed the menu only
  await page.keyboard.press('Space');
  await expect(menu.getByRole('menuitem', { name: 'Pin', exact: true })).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(conversationNav(page).getByRole('heading', { name: 'Pinned' })).toBeVisible();
  await expect(menu).toHaveCount(0);
});
