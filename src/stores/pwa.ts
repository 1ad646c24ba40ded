// App-level PWA state: service worker life cycle (offline ready, a new version waiting, reload
// into it), the browser's install offer, cross-origin isolation (multithreaded WASM) and the
// browser tab that runs the model (Web Locks, see src/engine/tabEngine.ts).
import { createSignal } from 'solid-js';
import { canInstall, isInstalled, promptInstall } from '../pwa/install';
import { registerServiceWorker, type SwHandle } from '../pwa/register';
import { BUILD_ID } from '../pwa/versions';
import type { TabRole } from '../engine/tabEngine';

export interface PwaStore {
  offlineReady: () => boolean;
  needRefresh: () => boolean;
  /** True when the new version already took over (another tab, or while this page loaded). */
  refreshExternal: () => boolean;
  applyUpdate(): void;
  /** What to stop before the new version takes over (the app ends its engine worker). */
  setBeforeUpdate(fn: () => void): void;
  dismissUpdate(): void;
  canInstall: () => boolean;
  installed: () => boolean;
  install(): Promise<boolean>;
  /** Why WASM runs on one thread, or null when it may use several. */
  singleThreadReason: () => string | null;
  tabRole: () => TabRole;
  setTabRole(role: TabRole): void;
  swError: () => string | null;
  /** This build's id (package version, or HEARTH_BUILD_ID at build time). */
  buildId: string;
}

export function createPwaStore(opts: { register?: boolean } = {}): PwaStore {
  const [offlineReady, setOfflineReady] = createSignal(false);
  const [needRefresh, setNeedRefresh] = createSignal(false);
  const [refreshExternal, setRefreshExternal] = createSignal(false);
  const [tabRole, setTabRole] = createSignal<TabRole>('unknown');
  const [swError, setSwError] = createSignal<string | null>(null);
  let handle: SwHandle | null = null;
  let beforeUpdate: () => void = () => undefined;
  if (opts.register !== false) {
    handle = registerServiceWorker({
      onBeforeUpdate: () => beforeUpdate(),
      onOfflineReady: () => setOfflineReady(true),
      onNeedRefresh: (external) => {
        setRefreshExternal(external);
        setNeedRefresh(true);
      },
      onError: () => setSwError('Hearth could not set itself up for offline use in this browser.'),
    });
  }
  const isolated = typeof crossOriginIsolated !== 'undefined' && crossOriginIsolated;
  return {
    offlineReady,
    needRefresh,
    refreshExternal,
    applyUpdate: () => (handle ? handle.applyUpdate() : window.location.reload()),
    setBeforeUpdate: (fn) => {
      beforeUpdate = fn;
    },
    dismissUpdate: () => setNeedRefresh(false),
    canInstall,
    installed: isInstalled,
    install: promptInstall,
    singleThreadReason: () =>
      isolated
        ? null
        : 'Hearth runs the model on one CPU thread: this page is not cross-origin isolated (the server does not send the COOP/COEP headers), so multithreaded WebAssembly is not allowed.',
    tabRole,
    setTabRole,
    swError,
    buildId: BUILD_ID,
  };
}
