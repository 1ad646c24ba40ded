// Two tabs: the second does not load a second copy of the model (it says the first runs it),
// both see the same conversations live, and "Use the model here" moves the model to the second
// tab (the first says so and stops its copy).
import type { Page } from '@playwright/test';
import { appUrl, ask, conversationItems, engineStatus, expect, messageBox, messageText, openApp, test, waitForEngineReady } from './helpers';

/** The status line of a tab without the model: "In another tab", no backend. */
async function expectInAnotherTab(page: Page): Promise<void> {
  const status = engineStatus(page);
  await expect(status).toHaveAttribute('data-state', 'error', { timeout: 30_000 });
  await expect(status).toContainText('In another tab');
  await expect(status).not.toHaveAttribute('data-backend', /./);
}

test('a second tab shares the model with the first and can take it over', async ({ page, context, backend }) => {
  await openApp(page, { backend });
  await waitForEngineReady(page, backend);

  const tab = await context.newPage();
  await tab.goto(appUrl({ backend }));
  await expect(messageBox(tab)).toBeVisible();
  const notice = tab.getByRole('alert').filter({ hasText: 'running the model in another tab' });
  await expect(notice).toBeVisible({ timeout: 30_000 });
  // The second tab settled on "in another tab": it is not loading a copy of its own (a load
  // would say Loading / Ready and name its backend).
  await expectInAnotherTab(tab);

  // Conversations are live in both tabs: the second lists the one the first creates.
  await expect(conversationItems(tab)).toHaveCount(0);
  await ask(page, 'Hello from the first tab');
  await expect(conversationItems(tab)).toHaveCount(1);
  await expect(conversationItems(tab).first()).toContainText('Hello from the first tab');

  await waitForEngineReady(page, backend);
  await notice.getByRole('button', { name: 'Use the model here' }).click();
  await waitForEngineReady(tab, backend);
  await expect(notice).toBeHidden();
  await expect(page.getByRole('alert').filter({ hasText: 'moved to another tab' })).toBeVisible({ timeout: 30_000 });
  // The first tab was ready; now it has no model and says where it went.
  await expectInAnotherTab(page);
  const reply = await ask(tab, 'Hello from the second tab');
  expect(await messageText(reply)).not.toBe('');
  await expect(conversationItems(page)).toHaveCount(2);
  await expect(conversationItems(page).filter({ hasText: 'Hello from the second tab' })).toHaveCount(1);
  await tab.close();
});
