// Registers the service worker (production builds only) with workbox-window and reports its
// life cycle: `offlineReady` once the first version is installed, `needRefresh` when a new
// version waits. `applyUpdate()` lets the waiting version take over (SKIP_WAITING) and reloads
// once it controls the page, so the page never runs on a mix of old and new assets.
//
// Chromium can park a new version in "waiting" for good when a request from the page reaches the
// old worker just as it hands over (the update e2e caught it: the engine worker loading the model
// at the moment of the click). So the page first stops its own requests (`onBeforeUpdate`: the
// app ends its engine worker, the page reloads anyway) and waits QUIET_MS, and while the new
// version has not taken over it asks again every PARKED_MS (a parked activation is un-parked by a
// new ask). After ASKS asks it reloads as a last resort and the reloaded page asks again at once
// (at most MAX_TRIES reloads; then the prompt simply shows again). Such a reload can be served by
// the old worker with the new one taking over just after, so after loading, and on every
// controller change, the page asks the controlling worker for its build and reloads (the user
// asked) or offers the update (they did not) when it is not the page's own (src/pwa/versions.ts).
import { Workbox, messageSW } from 'workbox-window';
import { BUILD_ID, onControllerState } from './versions';

export interface SwHooks {
  onOfflineReady?: () => void;
  /** A new version is installed and waiting; `external` when it already took over (another tab, or while this page loaded). */
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
/** How long the page waits for the new version before asking it again, and how many asks. */
const PARKED_MS = 2000;
const ASKS = 5;
/** Between stopping the page's own requests and asking the new version to take over. */
const QUIET_MS = 300;
const MAX_TRIES = 3;
/** sessionStorage: `{at, tries}` of an update the user asked for that has not applied yet. */
const ASKED_KEY = 'hearth-update-asked';
/** How long the page waits for the controlling worker to say its build (an old one never answers). */
const ASK_BUILD_MS = 3000;

/** The build id the controlling worker reports ({type: 'GET_BUILD'}, src/sw.ts), or null. */
async function controllerBuild(): Promise<string | null> {
  const controller = navigator.serviceWorker.controller;
  if (!controller) return null;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const reply = await Promise.race([
    messageSW(controller, { type: 'GET_BUILD' }).catch(() => null),
    new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), ASK_BUILD_MS))),
  ]);
  clearTimeout(timer);
  const build = (reply as { build?: unknown } | null)?.build;
  return typeof build === 'string' ? build : null;
}

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
  /** Whether the controlling worker is this page's version; if not, reload or offer (versions.ts). */
  const reconcile = async () => {
    if (updating || reloaded) return;
    const reg = await navigator.serviceWorker.getRegistration().catch(() => undefined);
    // A waiting version is the 'waiting' handler's; no message to the old worker as it hands over.
    const waiting = Boolean(reg?.waiting);
    const workerBuild = waiting ? null : await controllerBuild();
    if (updating || reloaded) return;
    const action = onControllerState({ pageBuild: BUILD_ID, workerBuild, waiting, asked: readAsked() !== null });
    if (action === 'reload') finish();
    else if (action === 'offer') hooks.onNeedRefresh?.(true);
    else if (!waiting && workerBuild === BUILD_ID) writeAsked(null); // the update the user asked for is this page
  };
  navigator.serviceWorker.addEventListener('controllerchange', () => void reconcile());
  wb.register().then(
    () => void reconcile(),
    (e) => hooks.onError?.(e),
  );
  const check = () => wb.update().catch(() => undefined);
  const timer = setInterval(check, CHECK_EVERY_MS);
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible') void check();
  });
  window.addEventListener('pagehide', () => clearInterval(timer), { once: true });
  function apply(triesBefore: number): void {
    updating = true; // a second click sends the message again
    hooks.onBeforeUpdate?.();
    // Let the requests just cancelled settle in the old worker before the new one is asked: a
    // fetch event still ending as the new version activates is what parks it.
    void new Promise((resolve) => setTimeout(resolve, QUIET_MS)).then(() => navigator.serviceWorker.getRegistration()).then((reg) => {
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
      // Ask, and while it has not taken over ask again every PARKED_MS: each ask makes Chromium
      // look again whether the old worker is idle, which un-parks an activation it abandoned.
      // The page does not navigate meanwhile: a navigation that meets the old worker as it stops
      // can hang (the update e2e caught it). Only after ASKS asks does it reload as a last resort.
      let asks = 0;
      const ask = () => {
        if (reloaded) return;
        if (asks > 0) console.warn(`Hearth: the new version did not take over within ${asks * PARKED_MS} ms; ${asks === ASKS ? 'reloading' : 'asking again'}.`);
        if (asks === ASKS) {
          writeAsked({ at: Date.now(), tries: triesBefore + 1 });
          reloadOnce();
          return;
        }
        asks++;
        wb.messageSkipWaiting();
        setTimeout(ask, PARKED_MS);
      };
      ask();
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
