// Two tabs: the second does not load a second copy of the model (it says the first runs it),
// both see the same conversations live, and "Use the model here" moves the model to the second
// tab (the first says so and stops its copy).
import { appUrl, ask, conversationItems, engineStatus, expect, messageBox, messageText, openApp, test, waitForEngineReady } from './helpers';

test('a second tab shares the model with the first and can take it over', async ({ page, context, backend }) => {
  await openApp(page, { backend });
  await waitForEngineReady(page, backend);

  const tab = await context.newPage();
  await tab.goto(appUrl({ backend }));
  await expect(messageBox(tab)).toBeVisible();
  const notice = tab.getByRole('alert').filter({ hasText: 'running the model in another tab' });
  await expect(notice).toBeVisible({ timeout: 30_000 });
  await expect(engineStatus(tab)).not.toHaveAttribute('data-state', 'ready');

  // Conversations are live in both tabs.
  await ask(page, 'Hello from the first tab');
  await expect(conversationItems(tab)).toHaveCount(1);

  await notice.getByRole('button', { name: 'Use the model here' }).click();
  await waitForEngineReady(tab, backend);
  await expect(page.getByRole('alert').filter({ hasText: 'moved to another tab' })).toBeVisible({ timeout: 30_000 });
  // The first tab no longer claims a ready model.
  await expect(engineStatus(page)).not.toHaveAttribute('data-state', 'ready');
  const reply = await ask(tab, 'Hello from the second tab');
  expect(await messageText(reply)).not.toBe('');
  await expect(conversationItems(page)).toHaveCount(2);
  await tab.close();
});
