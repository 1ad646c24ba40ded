// Toasts at the bottom: errors are alerts; confirmations (e.g. "Deleted", with Undo) are polite.
import { For, Show } from 'solid-js';
import { useStores } from '../stores';
import { Icon } from './icons';

export function Toasts() {
  const { toasts } = useStores();
  return (
    <div class="toasts" aria-live="polite">
      <For each={toasts.toasts()}>
        {(t) => (
          <div class={`toast toast-${t.kind}`} role={t.kind === 'error' ? 'alert' : undefined}>
            <span class="toast-text">{t.text}</span>
            <Show when={t.action}>
              {(action) => (
                <button
                  type="button"
                  class="btn btn-small"
                  onClick={() => {
                    toasts.dismiss(t.id);
                    void action().run();
                  }}
                >
                  {action().label}
                </button>
              )}
            </Show>
            <button type="button" class="icon-btn" aria-label="Dismiss" onClick={() => toasts.dismiss(t.id)}>
              <Icon name="close" size={14} />
            </button>
          </div>
        )}
      </For>
    </div>
  );
}
