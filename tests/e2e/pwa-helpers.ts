// Helpers for the offline / install / update / models tests: the built app on a server of the
// test's own (so it can be stopped or switched), service worker readiness and Cache Storage peeks.
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from '@playwright/test';
import { expect } from './helpers';

export const ROOT = resolve(fileURLToPath(new URL('.', import.meta.url)), '..', '..');
export const DIST = resolve(ROOT, process.env.HEARTH_DIST ?? 'dist');

/** Waits until a service worker controls the page (first visit: after install + claim). */
export async function waitForServiceWorker(page: Page): Promise<void> {
  await expect
    .poll(() => page.evaluate(() => !!navigator.serviceWorker?.controller), { message: 'a service worker controls the page', timeout: 60_000 })
    .toBe(true);
}

/** Cache Storage entries (URL paths) per cache name. */
export async function cacheContents(page: Page): Promise<Record<string, string[]>> {
  return page.evaluate(async () => {
    const out: Record<string, string[]> = {};
    for (const name of await caches.keys()) {
      const keys = await (await caches.open(name)).keys();
      out[name] = keys.map((r) => new URL(r.url).pathname);
    }
    return out;
  });
}

/** True when some cache holds `path` (a URL path like /models/x/config.json). */
export async function isCached(page: Page, path: string): Promise<boolean> {
  return Object.values(await cacheContents(page)).some((list) => list.includes(path));
}
