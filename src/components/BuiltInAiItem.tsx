// The Models list's entry for the browser's own model, Chrome's built-in AI (Gemini Nano), shown
// only where Chrome says it is available, downloadable or downloading: "Use" when it is ready,
// "Download" (Chrome downloads it, with its progress; "Cancel") when it is not yet.
import { Show } from 'solid-js';
import { BUILTIN_AI_MODEL_ID, BUILTIN_AI_NAME } from '../shared/builtinAi';
import type { ModelsStore } from '../stores/models';
import { ModelDownload } from './ModelDownload';

export function BuiltInAiItem(props: { models: ModelsStore }) {
  const m = () => props.models;
  const b = () => props.models.builtIn;
  const dl = () => b().download();
  const inUse = () => m().activeId() === BUILTIN_AI_MODEL_ID;
  const ready = () => b().status() === 'available';
  const pct = () => Math.floor((dl()?.progress ?? 0) * 100);
  const status = () => (inUse() ? 'In use' : dl()?.running || b().status() === 'downloading' ? 'Downloading' : ready() ? 'Built into Chrome' : 'Not downloaded');
  return (
    <li class="models-item" aria-label={BUILTIN_AI_NAME} data-status={dl()?.running ? 'downloading' : ready() ? 'installed' : 'available'}>
      <div class="models-head">
        <strong>{BUILTIN_AI_NAME}</strong>
        <span class="models-badge">{status()}</span>
      </div>
      <p class="muted models-desc">
        The model built into this Chrome. Nothing is downloaded from the Hub: Chrome keeps the model itself (see
        chrome://on-device-internals) and shares it with other sites.
      </p>
      <p class="models-meta">
        <span>Size: managed by Chrome</span>
        <span>Terms: Google’s Generative AI Prohibited Uses Policy</span>
      </p>
      <ModelDownload name={BUILTIN_AI_NAME} running={!!dl()?.running} pct={pct()} text={`${pct()}%`} error={dl()?.error} />
      <div class="models-actions">
        <Show when={dl()?.running}>
          <button type="button" class="btn btn-small" onClick={() => b().cancel()}>
            Cancel
          </button>
        </Show>
        <Show when={!dl()?.running && !ready()}>
          <button type="button" class="btn btn-small btn-primary" onClick={() => void b().start()}>
            {dl()?.error ? 'Retry' : 'Download'}
          </button>
        </Show>
        <Show when={ready() && !inUse()}>
          <button type="button" class="btn btn-small" onClick={() => void m().use(BUILTIN_AI_MODEL_ID)}>
            Use
          </button>
        </Show>
      </div>
    </li>
  );
}
