// Installability: the Web App Manifest has what an installable app needs (name, short name,
// icons 192/512 and a maskable one, start URL, standalone display, theme colour) and Chromium
// reports no installability errors for the page (CDP Page.getInstallabilityErrors, which needs a
// persistent context), with the service worker in control.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from '@playwright/test';
import { startAppServer } from '../fixtures/app-server.mjs';
import { appUrl, expect, messageBox, test } from './helpers';
import { DIST, waitForServiceWorker } from './pwa-helpers';

interface Manifest {
  name: string;
  short_name: string;
  start_url: string;
  display: string;
  theme_color: string;
  icons: Array<{ src: string; sizes: string; type: string; purpose?: string }>;
}

test('the manifest is complete and Chromium finds no installability errors', async ({ backend }, testInfo) => {
  const server = await startAppServer({ root: DIST });
  const dir = mkdtempSync(join(tmpdir(), 'hearth-install-'));
  const launch = (testInfo.project.use.launchOptions ?? {}) as { executablePath?: string; args?: string[] };
  const context = await chromium.launchPersistentContext(dir, {
    headless: true,
    executablePath: launch.executablePath,
    args: launch.args,
    baseURL: server.origin,
  });
  try {
    const page = context.pages()[0] ?? (await context.newPage());
    await page.goto(appUrl({ backend }));
    await expect(messageBox(page)).toBeVisible();
    await expect(page.locator('link[rel="manifest"]')).toHaveAttribute('href', '/manifest.webmanifest');
    await expect(page.locator('meta[name="theme-color"]')).toHaveAttribute('content', /^#[0-9a-f]{6}$/i);

    const res = await page.request.get(`${server.origin}/manifest.webmanifest`);
    expect(res.ok()).toBe(true);
    expect(res.headers()['content-type']).toContain('application/manifest+json');
    const manifest = (await res.json()) as Manifest;
    expect(manifest).toMatchObject({ name: 'Hearth', short_name: 'Hearth', start_url: '/', display: 'standalone' });
    expect(manifest.theme_color).toMatch(/^#[0-9a-f]{6}$/i);
    const icon = (size: string, purpose: string) => manifest.icons.find((i) => i.sizes === size && (i.purpose ?? 'any').split(' ').includes(purpose));
    for (const i of [icon('192x192', 'any'), icon('512x512', 'any'), icon('512x512', 'maskable')]) {
      expect(i, 'icon in the manifest').toBeTruthy();
      const png = await page.request.get(`${server.origin}${i!.src}`);
      expect(png.ok()).toBe(true);
      const bytes = await png.body();
      // PNG signature, then IHDR width/height.
      expect(bytes.subarray(1, 4).toString('ascii')).toBe('PNG');
      const [w, h] = i!.sizes.split('x').map(Number);
      expect([bytes.readUInt32BE(16), bytes.readUInt32BE(20)]).toEqual([w, h]);
    }

    await waitForServiceWorker(page);
    const cdp = await context.newCDPSession(page);
    await expect
      .poll(async () => {
        const { installabilityErrors } = (await cdp.send('Page.getInstallabilityErrors')) as {
          installabilityErrors: Array<{ errorId: string }>;
        };
        return installabilityErrors.map((e) => e.errorId);
      }, { timeout: 30_000 })
      .toEqual([]);
    const { url, errors } = (await cdp.send('Page.getAppManifest')) as { url: string; errors: unknown[] };
    expect(url).toBe(`${server.origin}/manifest.webmanifest`);
    expect(errors).toEqual([]);
  } finally {
    await context.close();
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
