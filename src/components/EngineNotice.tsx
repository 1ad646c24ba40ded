// Model problems shown above the chat: a load failure (alert with Retry; the conversation is
// untouched) and, separately, the reason the engine fell back from WebGPU to WASM.
import { createSignal, Show } from 'solid-js';
import { engineErrorDetail } from '../lib/errorText';
import { useStores } from '../stores';
import { Icon } from './icons';

export function EngineNotice() {
  const { engine, pwa } = useStores();
  // Another tab runs the model: TabNotice says so (with "Use the model here"), not a load failure.
  const otherTab = () => pwa.tabRole() === 'elsewhere' || pwa.tabRole() === 'lost';
  const [hiddenFallback, setHiddenFallback] = createSignal<string | null>(null);
  const [retrying, setRetrying] = createSignal(false);
  const retry = async () => {
    setRetrying(true);
    await engine.retry();
    setRetrying(false);
  };
  const fallback = () => {
    const reason = engine.fallbackReason();
    return reason && !engine.info()?.fallbackExpected && reason !== hiddenFallback() ? reason : null;
  };
  return (
    <>
      <Show when={engine.state() === 'error' && !otherTab() && engine.error()}>
        {(err) => (
          <div role="alert" class="notice notice-error">
            <Icon name="alert" />
            <div class="notice-text">
              <strong>The model could not be loaded.</strong> {engineErrorDetail(err())} Your conversations are unchanged.
            </div>
            <button type="button" class="btn btn-small" onClick={retry} disabled={retrying()}>
              Retry
            </button>
          </div>
        )}
      </Show>
      <Show when={engine.state() !== 'error' && fallback()}>
        {(reason) => (
          <div class="notice notice-info" role="note">
            <Icon name="alert" />
            <div class="notice-text">
              <strong>Running on WASM.</strong> {reason()}
            </div>
            <button type="button" class="icon-btn" aria-label="Dismiss" onClick={() => setHiddenFallback(reason())}>
              <Icon name="close" size={16} />
            </button>
          </div>
        )}
      </Show>
    </>
  );
}
