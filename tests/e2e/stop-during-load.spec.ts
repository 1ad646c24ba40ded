// Stop while the model loads (issue 29): a reply sent before the model is ready can be stopped
// (button and Esc); it ends at once as "Stopped before the reply started" while the load goes on,
// and the next message is answered. The model's ONNX file is held back by the test until the
// reply has been stopped, so the load is slow for as long as the test needs (no sleeps).
import { assistantMessages, engineStatus, expect, messageBox, openApp, sendMessage, stopButton, test, waitForStatus } from './helpers';

// The engine worker fetches the model; a service worker would fetch it out of the test's sight.
test.use({ serviceWorkers: 'block' });

test('Stop (button, then Esc) during the model load ends the waiting reply; the next message is answered', async ({ page, context, backend }) => {
  test.skip(backend !== 'wasm', 'one backend is enough: the wait is the same');
  let release!: () => void;
  const held = new Promise<void>((r) => (release = r));
  let seen = false;
  await context.route('**/models/**/*.onnx', async (route) => {
    seen = true;
    await held;
    await route.continue();
  });

  await openApp(page, { backend });
  await expect(engineStatus(page)).toHaveAttribute('data-state', 'loading');
  await expect.poll(() => seen).toBe(true);

  // Button: the waiting reply offers Stop and ends as Stopped, with the load still running.
  const first = await sendMessage(page, 'Hello?');
  await expect(first).toHaveAttribute('data-status', 'streaming');
  await expect(first).toContainText(/Loading the model|Preparing the model/);
  await stopButton(page).click();
  await waitForStatus(first, 'interrupted');
  await expect(first).toContainText('Stopped before the reply started.');
  await expect(engineStatus(page)).toHaveAttribute('data-state', 'loading');

  // Esc does the same.
  const second = await sendMessage(page, 'Are you there?');
  await expect(stopButton(page)).toBeVisible();
  await messageBox(page).press('Escape');
  await waitForStatus(second, 'interrupted');
  await expect(second).toContainText('Stopped before the reply started.');
  await expect(engineStatus(page)).toHaveAttribute('data-state', 'loading');

  // The load finishes and the next message gets a real reply.
  const third = await sendMessage(page, 'Tell me about tea.');
  release();
  await waitForStatus(third, 'complete');
  await expect(engineStatus(page)).toHaveAttribute('data-state', 'ready');
  expect((await third.textContent())?.trim().length).toBeGreaterThan(0);
  await expect(assistantMessages(page)).toHaveCount(3);
});
