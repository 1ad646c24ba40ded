// Copying: the "Copy code" button of a code block in a reply puts exactly that block's code on
// the clipboard (markup in it stays text), and a message's own Copy button copies the message
// as written. The tiny test model does not write code, so the test stores a reply with a code
// block straight into IndexedDB (as a synced or imported conversation would arrive) and reloads.
import { ask, assistantMessages, conversationItems, expect, openApp, openConversation, storeMessageContent, test, waitForEngineReady } from './helpers';

const CODE = 'const greeting = "<b>hi</b>";\nconsole.log(greeting);';
const REPLY = `Here is the code:\n\n\`\`\`js\n${CODE}\n\`\`\`\n\nIt prints the string.`;

test('Copy code copies the block; Copy copies the message', async ({ page, backend, baseURL }) => {
  await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: baseURL });
  await openApp(page, { backend });
  await waitForEngineReady(page, backend);
  const id = await (await ask(page, 'Show me some code')).getAttribute('data-id');
  await storeMessageContent(page, id!, REPLY);
  await page.reload();
  await openConversation(conversationItems(page).first());
  const reply = assistantMessages(page).first();
  await expect(reply.locator('pre code')).toHaveText(CODE);
  // highlight.js loads on demand, then the block is painted again, highlighted.
  await expect(reply.locator('pre code .hljs-keyword').first()).toHaveText('const');
  const clipboard = () => page.evaluate(() => navigator.clipboard.readText());
  await page.evaluate(() => navigator.clipboard.writeText('nothing copied yet'));

  // (The buttons' "Copied" feedback lasts 1.5 s, too short to assert on a loaded machine.)
  const copyCode = reply.getByRole('button', { name: 'Copy code' });
  await expect(copyCode).toHaveCount(1);
  await copyCode.click();
  await expect.poll(clipboard).toBe(CODE);
  await expect(copyCode).toHaveText('Copy code');

  await reply.getByRole('button', { name: 'Copy', exact: true }).click();
  await expect.poll(clipboard).toBe(REPLY);
});
