// Registers the service worker (production builds only) with workbox-window and reports its
// life cycle: `offlineReady` once the first version is installed, `needRefresh` when a new
// version waits. `applyUpdate()` lets the waiting version take over (SKIP_WAITING) and reloads
// once it controls the page, so the page never runs on a mix of old and new assets.
import { Workbox } from 'workbox-window';

export interface SwHooks {
  onOfflineReady?: () => void;
  /** A new version is installed and waiting; `external` when another tab already switched to it. */
  onNeedRefresh?: (external: boolean) => void;
  onError?: (e: unknown) => void;
}

export interface SwHandle {
  applyUpdate(): void;
  /** Asks the server whether a new version exists. */
  checkForUpdate(): Promise<void>;
}

const CHECK_EVERY_MS = 60 * 60 * 1000;

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
  wb.addEventListener('waiting', () => hooks.onNeedRefresh?.(false));
  wb.addEventListener('installed', (e) => {
    if (!e.isUpdate) hooks.onOfflineReady?.();
  });
  wb.addEventListener('controlling', (e) => {
    if (updating) reloadOnce();
    else if (e.isUpdate) hooks.onNeedRefresh?.(true); // another tab switched to the new version
  });
  wb.register().catch((e) => hooks.onError?.(e));
  const check = () => wb.update().catch(() => undefined);
  const timer = setInterval(check, CHECK_EVERY_MS);
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible') void check();
  });
  window.addEventListener('pagehide', () => clearInterval(timer), { once: true });
  return {
    applyUpdate() {
      updating = true; // a second click sends the message again
      void navigator.serviceWorker.getRegistration().then((reg) => {
        const waiting = reg?.waiting;
        // If nothing waits (another tab already activated it), the new version controls: reload.
        if (!waiting) return reloadOnce();
        // Reload once the new version controls this page ("controlling" above), or once it is
        // activated, whichever this page hears first: a page whose controllerchange is missed
        // would otherwise stay on the old version with the prompt gone.
        waiting.addEventListener('statechange', () => {
          if (waiting.state === 'activated') reloadOnce();
        });
        navigator.serviceWorker.addEventListener('controllerchange', reloadOnce, { once: true });
        wb.messageSkipWaiting();
      });
    },
    checkForUpdate: async () => {
      await check();
    },
  };
}
