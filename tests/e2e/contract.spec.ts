// The rest of docs/ui-contract.md that the feature tests do not already exercise: the engine
// status text, the Settings dialog's fields, Pin / Unpin, and Copy.
import {
  ask,
  clickConversationAction,
  conversationMenuButton,
  conversationItems,
  engineStatus,
  expect,
  messageText,
  openApp,
  test,
  userMessages,
  waitForEngineReady,
} from './helpers';

test('status, settings fields, pin and copy are where the contract says', async ({ page, context, backend, baseURL }) => {
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: baseURL });
  await openApp(page, { backend });
  await waitForEngineReady(page, backend);
  await expect(engineStatus(page)).toContainText('Ready');
  await expect(engineStatus(page)).toContainText('WASM');

  // Settings dialog.
  await page.getByRole('button', { name: 'Settings', exact: true }).click();
  const dialog = page.getByRole('dialog', { name: 'Settings' });
  await expect(dialog).toBeVisible();
  for (const name of ['Temperature', 'Top-p', 'Max new tokens']) {
    await expect(dialog.getByRole('spinbutton', { name }).or(dialog.getByRole('slider', { name })).first(), name).toBeVisible();
  }
  const backendBox = dialog.getByRole('combobox', { name: 'Backend' });
  await expect(backendBox).toBeVisible();
  for (const option of ['Auto', 'WebGPU', 'WASM']) await expect(backendBox.getByRole('option', { name: option, exact: true })).toHaveCount(1);
  await expect(dialog.getByRole('textbox', { name: 'System prompt' })).toBeVisible();
  await dialog.getByRole('button', { name: 'Close', exact: true }).click();
  await expect(dialog).toBeHidden();

  const reply = await ask(page, 'Hello! What do you like to do?');
  await expect(engineStatus(page)).toContainText('tok/s');

  // Pin / Unpin.
  const item = conversationItems(page).first();
  await clickConversationAction(item, 'Pin');
  await conversationMenuButton(item).click();
  const menu = item.getByRole('menu', { name: 'Conversation actions' });
  for (const name of ['Unpin', 'Rename', 'Export', 'Delete']) await expect(menu.getByRole('menuitem', { name, exact: true })).toHaveCount(1);
  await menu.getByRole('menuitem', { name: 'Unpin', exact: true }).click();
  await conversationMenuButton(item).click();
  await expect(menu.getByRole('menuitem', { name: 'Pin', exact: true })).toHaveCount(1);
  await page.keyboard.press('Escape');
  await expect(menu).toBeHidden();

  // Copy puts the message text on the clipboard.
  await userMessages(page).first().getByRole('button', { name: 'Copy', exact: true }).click();
  await expect.poll(() => page.evaluate(() => navigator.clipboard.readText())).toBe('Hello! What do you like to do?');
  const text = await messageText(reply);
  await reply.getByRole('button', { name: 'Copy', exact: true }).click();
  await expect.poll(async () => (await page.evaluate(() => navigator.clipboard.readText())).replace(/\s+/g, ' ').trim()).toBe(text);
});
