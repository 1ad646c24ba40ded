// An update: the app (build A, dist/) is served and its service worker installed; then the server
// switches to build B (built here with another HEARTH_BUILD_ID, which changes index.html). The
// waiting new version makes the app say "A new version of Hearth is ready"; the page keeps running
// A until the user clicks Reload (a plain reload still gets A and the offer again), and after the
// Reload click it runs B entirely (B's scripts, B's
// precache, A's precached entries gone), never a mix.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startAppServer } from '../fixtures/app-server.mjs';
import { appUrl, expect, messageBox, test } from './helpers';
import { DIST, ROOT, cacheContents, waitForServiceWorker } from './pwa-helpers';

const BUILD_B = join(ROOT, '.cache', 'e2e-update-b');
const B_ID = `update-b-${Date.now()}`;

/** The module script of a built index.html ("/assets/index-<hash>.js"). */
function entryScript(dir: string): string {
  const html = readFileSync(join(dir, 'index.html'), 'utf8');
  return /<script type="module"[^>]*src="([^"]+)"/.exec(html)![1];
}

test.describe('an update', () => {
  test.beforeAll(async () => {
    test.setTimeout(300_000);
    const vite = join(ROOT, 'node_modules', 'vite', 'bin', 'vite.js');
    const r = spawnSync(process.execPath, [vite, 'build', '--outDir', BUILD_B, '--emptyOutDir', '--logLevel', 'error'], {
      cwd: ROOT,
      env: { ...process.env, HEARTH_BUILD_ID: B_ID, VITE_CONFIG_NATIVE_IGNORE_WARNING: 'true' },
      encoding: 'utf8',
      timeout: 280_000,
    });
    if (r.status !== 0) throw new Error(`build B failed: ${r.stderr || r.stdout}`);
  });

  // This failed in about half the runs of a fresh clone: the waiting version never activated after
  // Reload ({active: activated, waiting: installed} even after a second SKIP_WAITING), i.e. the old
  // worker never went idle. The service worker now answers a bundled model file it must download
  // from memory instead of a stream teed into its cache (src/sw.ts). The diagnostics below print the
  // registration's state should it fail again.
  test('shows the update prompt and reloads into the new version on the user\'s word', async ({ browser, backend }) => {
    const server = await startAppServer({ root: DIST });
    const context = await browser.newContext({ baseURL: server.origin });
    try {
      const page = await context.newPage();
      // How often the page had to reload to un-park the new version (src/pwa/register.ts), noted in
      // the report: the update must land either way, but the count says how often Chromium parked it.
      let parked = 0;
      page.on('console', (m) => {
        if (m.text().includes('did not take over')) parked++;
      });
      await page.goto(appUrl({ backend }));
      await expect(messageBox(page)).toBeVisible();
      await waitForServiceWorker(page);
      const buildA = await page.locator('meta[name="hearth-build"]').getAttribute('content');
      expect(buildA).not.toBe(B_ID);
      const scriptA = entryScript(DIST);
      const scriptB = entryScript(BUILD_B);
      expect(scriptB).not.toBe(scriptA);
      /** Whether the precache holds B's and A's entry scripts. */
      const precached = async () => {
        const all = Object.values(await cacheContents(page)).flat();
        return [all.includes(scriptB), all.includes(scriptA)];
      };
      await expect.poll(precached, { timeout: 30_000 }).toEqual([false, true]);
      await expect(page.getByRole('status', { name: 'Update' })).toHaveCount(0);

      // Deploy B, and let the page look for an update (as it does hourly and when shown again).
      server.setRoot(BUILD_B);
      await page.evaluate(async () => {
        await (await navigator.serviceWorker.getRegistration())?.update();
      });
      const prompt = page.getByRole('status', { name: 'Update' });
      await expect(prompt).toContainText('A new version of Hearth is ready', { timeout: 60_000 });
      // Nothing switches under the user's feet: a reload by itself keeps A (the new version waits
      // for the user's word, and is offered again).
      await page.reload();
      await expect(messageBox(page)).toBeVisible();
      await expect(page.locator('meta[name="hearth-build"]')).toHaveAttribute('content', buildA!);
      expect(await page.locator('script[type="module"]').evaluateAll((els) => els.map((e) => new URL((e as HTMLScriptElement).src).pathname))).toEqual([scriptA]);
      await expect(prompt).toContainText('A new version of Hearth is ready', { timeout: 60_000 });

      await prompt.getByRole('button', { name: 'Reload' }).click();
      try {
        await expect(page.locator('meta[name="hearth-build"]')).toHaveAttribute('content', B_ID, { timeout: 60_000 });
      } catch (e) {
        // Say where the update stood (this step failed once in CI and passed in every rerun).
        const state = await page
          .evaluate(async () => {
            const reg = await navigator.serviceWorker.getRegistration();
            return {
              controller: navigator.serviceWorker.controller?.state,
              waiting: reg?.waiting?.state ?? null,
              active: reg?.active?.state ?? null,
              installing: reg?.installing?.state ?? null,
              prompt: document.querySelector('[aria-label="Update"]')?.textContent ?? null,
            };
          })
          .catch((err: Error) => ({ error: err.message }));
        throw new Error(`${(e as Error).message}\nservice worker state: ${JSON.stringify(state)}`);
      }
      await expect(messageBox(page)).toBeVisible();
      await expect(page.getByRole('status', { name: 'Update' })).toHaveCount(0);
      const scripts = await page.locator('script[type="module"]').evaluateAll((els) => els.map((e) => new URL((e as HTMLScriptElement).src).pathname));
      expect(scripts).toEqual([scriptB]);
      // The precache now holds B's entry script and no longer A's.
      await expect.poll(precached, { timeout: 30_000 }).toEqual([true, false]);
      test.info().annotations.push({ type: 'parked reloads', description: String(parked) });
      console.log(`update e2e: ${parked} reload(s) to un-park the new version`);
    } finally {
      await context.close();
      await server.close();
    }
  });
});
