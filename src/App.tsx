// The app shell: creates the stores, recovers replies cut off by a closed tab, loads the model
// after first paint, and lays out sidebar (drawer on phones), chat, settings and toasts.
// Global keys: Esc stops a streaming reply (or closes the drawer).
import { createSignal, onCleanup, onMount } from 'solid-js';
import { ChatView } from './components/ChatView';
import { ModelsDialog } from './components/ModelsDialog';
import { SettingsDialog } from './components/SettingsDialog';
import { Sidebar } from './components/Sidebar';
import { SyncDialog } from './components/SyncDialog';
import { Toasts } from './components/Toasts';
import { createAppStores, StoresContext, type Stores } from './stores';
import { watchStorage } from './stores/storageWatch';

export function App(props: { stores?: Stores; autoLoad?: boolean }) {
  const stores = props.stores ?? createAppStores();
  const { chat, engine, settings } = stores;
  const [drawerOpen, setDrawerOpen] = createSignal(false);
  const [settingsOpen, setSettingsOpen] = createSignal(false);
  const [modelsOpen, setModelsOpen] = createSignal(false);
  const [syncOpen, setSyncOpen] = createSignal(false);

  const onKey = (e: KeyboardEvent) => {
    if (e.key !== 'Escape' || e.defaultPrevented || document.querySelector('dialog[open]')) return;
    if (chat.streaming()) {
      e.preventDefault();
      chat.stop();
    } else if (drawerOpen()) setDrawerOpen(false);
  };
  const onPageHide = () => void chat.flush();
  const wide = window.matchMedia?.('(min-width: 721px)');
  const onWide = () => wide?.matches && setDrawerOpen(false);

  onMount(() => {
    window.addEventListener('keydown', onKey);
    window.addEventListener('pagehide', onPageHide);
    wide?.addEventListener?.('change', onWide);
    watchStorage(stores.storage, stores.toasts);
    void chat.recover();
    if (props.autoLoad !== false) {
      // Load the model after the first paint, never before it.
      requestAnimationFrame(() =>
        setTimeout(() => {
          void settings.ready.then(() => {
            if (engine.state() === 'idle') void engine.load();
          });
        }, 0),
      );
    }
  });
  onCleanup(() => {
    window.removeEventListener('keydown', onKey);
    window.removeEventListener('pagehide', onPageHide);
    wide?.removeEventListener?.('change', onWide);
  });

  return (
    <StoresContext.Provider value={stores}>
      <div class="app" classList={{ 'drawer-open': drawerOpen() }}>
        <Sidebar open={drawerOpen()} onClose={() => setDrawerOpen(false)} />
        <div class="scrim" aria-hidden="true" onClick={() => setDrawerOpen(false)} />
        <ChatView
          drawerOpen={drawerOpen()}
          onToggleDrawer={() => setDrawerOpen((v) => !v)}
          onOpenSettings={() => setSettingsOpen(true)}
          onOpenModels={() => setModelsOpen(true)}
          onOpenSync={() => setSyncOpen(true)}
        />
        <ModelsDialog
          open={modelsOpen()}
          onClose={() => setModelsOpen(false)}
          models={stores.models}
          buildId={stores.pwa.buildId}
          recommendedId={stores.recommendation.pick()?.entry.id}
          backend={engine.backend() === 'webgpu' ? 'webgpu' : 'wasm'}
        />
        <SyncDialog open={syncOpen()} onClose={() => setSyncOpen(false)} sync={stores.sync} />
        <SettingsDialog open={settingsOpen()} onClose={() => setSettingsOpen(false)} />
        <Toasts />
      </div>
    </StoresContext.Provider>
  );
}
