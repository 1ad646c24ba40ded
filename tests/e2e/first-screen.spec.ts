// The first screen: suggested prompts that suit the model, and the header's model picker, which
// switches to the shipped default model (hearth-chat) without the Models dialog; that model then
// answers in the browser (a few tokens), and its context length shows in the Models dialog.
import { assistantMessages, changeSettings, engineStatus, expect, openApp, test, userMessages, waitForEngineReady, waitForStatus } from './helpers';

test('the model picker switches to the shipped model, which answers a suggested prompt', async ({ page, backend }) => {
  await openApp(page, { backend });
  await waitForEngineReady(page, backend);
  await changeSettings(page, { maxNewTokens: 4 });
  const picker = page.getByRole('combobox', { name: 'Model' });
  await picker.selectOption({ label: 'Hearth Chat (built in)' });
  await expect(engineStatus(page)).toHaveAttribute('title', /hearth-chat/, { timeout: 150_000 });
  await waitForEngineReady(page, backend);

  const suggestions = page.getByRole('list', { name: 'Suggestions' }).getByRole('button');
  expect(await suggestions.count()).toBeGreaterThanOrEqual(3);
  const prompt = (await suggestions.first().innerText()).trim();
  await suggestions.first().click();
  await expect(userMessages(page).first()).toHaveText(prompt);
  await waitForStatus(assistantMessages(page).first(), 'complete');
  await expect(engineStatus(page)).toHaveAttribute('title', /hearth-chat/);

  await page.getByRole('button', { name: 'Models', exact: true }).click();
  const builtIn = page.getByRole('dialog', { name: 'Models' }).getByRole('listitem').filter({ hasText: 'Hearth Chat (built in)' });
  await expect(builtIn).toContainText(/Context \d+ tokens/);
});
