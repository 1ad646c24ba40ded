// Accessibility: axe-core (through @axe-core/playwright) finds no serious or critical violation on
// the empty state, a chat (with a conversation's actions menu open), Settings, Models and Sync, in the
// light and the dark theme (the Import, Export and file preview dialogs are audited where io.spec.ts and
// attachments.spec.ts open them); on a phone every control is a 44 px touch target and the header
// leaves the title its width.
import { ask, axeAudit as audit, conversationItems, conversationMenuButton, expect, messageBox, openApp, test, waitForEngineReady } from './helpers';

for (const theme of ['light', 'dark'] as const) {
  test(`axe: no serious or critical violation in the ${theme} theme`, async ({ page, backend }) => {
    test.setTimeout(420_000); // five axe runs over the whole page on 2 shared cores
    await page.emulateMedia({ colorScheme: theme, reducedMotion: 'reduce' });
    await openApp(page, { backend });
    await waitForEngineReady(page, backend);
    const found = await audit(page, 'empty state');
    await ask(page, 'Hello! What do you like to do?');
    found.push(...(await audit(page, 'chat')));
    await conversationMenuButton(conversationItems(page).first()).click();
    await expect(page.getByRole('menu', { name: 'Conversation actions' })).toBeVisible();
    found.push(...(await audit(page, 'conversation menu')));
    await page.keyboard.press('Escape');
    for (const name of ['Settings', 'Models', 'Sync']) {
      await page.getByRole('button', { name, exact: true }).click();
      const dialog = page.getByRole('dialog', { name });
      await expect(dialog).toBeVisible();
      found.push(...(await audit(page, name)));
      await dialog.getByRole('button', { name: 'Close', exact: true }).last().click();
      await expect(dialog).toBeHidden();
    }
    expect(found).toEqual([]);
  });
}

test('on a phone: 44 px touch targets, and the header leaves the title its width', async ({ browser, backend }) => {
  const context = await browser.newContext({ viewport: { width: 375, height: 740 }, isMobile: true, hasTouch: true });
  const page = await context.newPage();
  try {
    // No model needed: the message and its (failed) reply carry the message actions.
    await openApp(page, { backend, model: 'does-not-exist' });
    await messageBox(page).fill('A question about planting tomatoes on a balcony in spring');
    await messageBox(page).press('Enter');
    await expect(page.getByRole('article', { name: /^Assistant/ }).getByRole('button', { name: 'Regenerate' })).toBeVisible({ timeout: 60_000 });
    const small = await page.evaluate(() =>
      [...document.querySelectorAll<HTMLElement>('main button, main textarea, main select')]
        .filter((el) => el.getClientRects().length > 0 && getComputedStyle(el).visibility !== 'hidden')
        .map((el) => ({ name: el.getAttribute('aria-label') ?? el.textContent?.trim(), ...el.getBoundingClientRect().toJSON() }))
        .filter((r) => r.width < 44 || r.height < 44)
        .map((r) => `${r.name} ${Math.round(r.width)}x${Math.round(r.height)}`),
    );
    expect(small).toEqual([]);
    // Every header control is still there (none was hidden to make room), by its name.
    for (const name of ['Conversations', 'Models', 'Sync', 'Settings', 'New chat']) await expect(page.getByRole('main').getByRole('button', { name, exact: true })).toBeVisible();
    await expect(page.getByRole('combobox', { name: 'Model' })).toBeVisible();
    const title = await page.getByRole('heading', { level: 1 }).evaluate((el) => el.getBoundingClientRect().width);
    expect(title).toBeGreaterThan(150);
  } finally {
    await context.close();
  }
});
