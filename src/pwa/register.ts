// Registers the service worker (production builds only) with workbox-window and reports its
// life cycle: `offlineReady` once the first version is installed, `needRefresh` when a new
// version waits. `applyUpdate()` lets the waiting version take over (SKIP_WAITING) and reloads
// once it controls the page, so the page never runs on a mix of old and new assets.
//
// Chromium can park a new version in "waiting" for good when a request from the page reaches the
// old worker just as it hands over (the update e2e caught it: the engine worker loading the model
// at the moment of the click). So the page first stops its own requests (`onBeforeUpdate`: the
// app ends its engine worker, the page reloads anyway), and if the new version has not taken over
// after PARKED_MS it reloads all the same and the reloaded page asks again at once (at most
// MAX_TRIES times in all; then the prompt simply shows again).
import { Workbox } from 'workbox-window';

export interface SwHooks {
  onOfflineReady?: () => void;
  /** A new version is installed and waiting; `external` when another tab already switched to it. */
  onNeedRefresh?: (external: boolean) => void;
  onError?: (e: unknown) => void;
  /** Just before the new version is asked to take over: stop the page's own requests. */
  onBeforeUpdate?: () => void;
}

export interface SwHandle {
  applyUpdate(): void;
  /** Asks the server whether a new version exists. */
  checkForUpdate(): Promise<void>;
}

const CHECK_EVERY_MS = 60 * 60 * 1000;
const PARKED_MS = 4000;
const MAX_TRIES = 3;
/** sessionStorage: `{at, tries}` of an update the user asked for that has not applied yet. */
const ASKED_KEY = 'hearth-update-asked';

function readAsked(): { at: number; tries: number } | null {
  try {
    const v = JSON.parse(sessionStorage.getItem(ASKED_KEY) ?? 'null') as { at?: unknown; tries?: unknown } | null;
    if (!v || typeof v.at !== 'number' || typeof v.tries !== 'number' || Date.now() - v.at > 60_000) return null;
    return { at: v.at, tries: v.tries };
  } catch {
    return null;
  }
}

function writeAsked(v: { at: number; tries: number } | null): void {
  try {
    if (v) sessionStorage.setItem(ASKED_KEY, JSON.stringify(v));
    else sessionStorage.removeItem(ASKED_KEY);
  } catch {
    // No sessionStorage: the prompt shows again instead.
  }
}

export function registerServiceWorker(hooks: SwHooks, url = '/sw.js'): SwHandle | null {
  if (typeof navigator === 'undefined' || !('serviceWorker' in navigator) || !import.meta.env.PROD) return null;
  const wb = new Workbox(url, { scope: '/' });
  let updating = false;
  let reloaded = false;
  const reloadOnce = () => {
    if (reloaded) return;
    reloaded = true;
    window.location.reload();
  };
  /** The new version took over: reload into it. */
  const finish = () => {
    writeAsked(null);
    reloadOnce();
  };
  wb.addEventListener('waiting', () => {
    // The user asked for this version and the page reloaded without it (it parked): ask again.
    const asked = readAsked();
    if (asked && asked.tries < MAX_TRIES) apply(asked.tries);
    else {
      writeAsked(null);
      hooks.onNeedRefresh?.(false);
    }
  });
  wb.addEventListener('installed', (e) => {
    if (!e.isUpdate) hooks.onOfflineReady?.();
  });
  wb.addEventListener('controlling', (e) => {
    if (updating) finish();
    else if (e.isUpdate) hooks.onNeedRefresh?.(true); // another tab switched to the new version
  });
  wb.register().catch((e) => hooks.onError?.(e));
  const check = () => wb.update().catch(() => undefined);
  const timer = setInterval(check, CHECK_EVERY_MS);
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible') void check();
  });
  window.addEventListener('pagehide', () => clearInterval(timer), { once: true });
  function apply(triesBefore: number): void {
    updating = true; // a second click sends the message again
    hooks.onBeforeUpdate?.();
    void navigator.serviceWorker.getRegistration().then((reg) => {
      const waiting = reg?.waiting;
      // If nothing waits (another tab already activated it), the new version controls: reload.
      if (!waiting) return finish();
      // Reload once the new version controls this page ("controlling" above), or once it is
      // activated, whichever this page hears first: a page whose controllerchange is missed
      // would otherwise stay on the old version with the prompt gone.
      waiting.addEventListener('statechange', () => {
        if (waiting.state === 'activated') finish();
      });
      navigator.serviceWorker.addEventListener('controllerchange', finish, { once: true });
      wb.messageSkipWaiting();
      setTimeout(() => {
        if (reloaded) return;
        console.warn(`Hearth: the new version did not take over within ${PARKED_MS} ms; reloading to ask again.`);
        writeAsked({ at: Date.now(), tries: triesBefore + 1 });
        reloadOnce();
      }, PARKED_MS);
    });
  }
  return {
    applyUpdate() {
      apply(0);
    },
    checkForUpdate: async () => {
      await check();
    },
  };
}
