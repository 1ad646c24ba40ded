// The Settings dialog: this conversation's system prompt and optional own generation settings,
// the app defaults (temperature, top-p, max new tokens), the backend, and what the engine runs on.
import { createEffect, createSignal, on, onCleanup, Show } from 'solid-js';
import { Modal } from './Modal';
import { LIMITS } from '../config';
import type { GenerationParams } from '../shared/engine';
import { useStores } from '../stores';
import { clampParams } from '../stores/settings';
import { backendLabel } from './StatusLine';

export function SettingsDialog(props: { open: boolean; onClose: () => void }) {
  const { settings, conversations, chat, engine, url, toasts } = useStores();
  const [prompt, setPrompt] = createSignal('');
  let promptTimer: ReturnType<typeof setTimeout> | undefined;

  // Another conversation was opened: show its prompt.
  createEffect(on(conversations.activeId, () => setPrompt(conversations.active()?.systemPrompt ?? chat.draftSystemPrompt()), { defer: true }));

  const savePrompt = async () => {
    clearTimeout(promptTimer);
    promptTimer = undefined;
    const conv = conversations.active();
    if (!conv) chat.setDraftSystemPrompt(prompt());
    else if (conv.systemPrompt !== prompt()) await conversations.setSystemPrompt(conv.id, prompt());
  };
  onCleanup(() => clearTimeout(promptTimer));

  const close = () => {
    void savePrompt();
    props.onClose();
  };

  const own = () => conversations.active()?.settings ?? null;
  const params = () => own() ?? settings.defaults();
  /** `final` (change/blur) clamps into range; while typing only in-range values are saved. */
  const setParam = async (key: keyof GenerationParams, raw: string, final: boolean) => {
    const value = Number(raw);
    if (raw.trim() === '' || !Number.isFinite(value)) return;
    if (!final && (value < LIMITS[key].min || value > LIMITS[key].max)) return;
    try {
      const conv = conversations.active();
      if (conv && own()) await conversations.setSettings(conv.id, clampParams({ ...own()!, [key]: value }, own()!));
      else await settings.setDefaults({ [key]: value });
    } catch (e) {
      toasts.error(e);
    }
  };
  const toggleOwn = async (on: boolean) => {
    const conv = conversations.active();
    if (!conv) return;
    await conversations.setSettings(conv.id, on ? { ...settings.defaults() } : null);
  };
  const setBackend = async (value: string) => {
    if (value !== 'auto' && value !== 'webgpu' && value !== 'wasm') return;
    try {
      await settings.setBackend(value);
    } catch (e) {
      toasts.error(e);
    }
    if (!url.backend && engine.state() !== 'generating' && engine.state() !== 'loading') void engine.load();
  };

  const field = (key: keyof GenerationParams, label: string, hint: string) => (
    <div class="field">
      <label for={`set-${key}`}>{label}</label>
      <input
        id={`set-${key}`}
        type="number"
        inputmode="decimal"
        min={LIMITS[key].min}
        max={LIMITS[key].max}
        step={LIMITS[key].step}
        value={params()[key]}
        aria-describedby={`set-${key}-hint`}
        onInput={(e) => void setParam(key, e.currentTarget.value, false)}
        onChange={(e) => {
          const input = e.currentTarget;
          void setParam(key, input.value, true).then(() => (input.value = String(params()[key])));
        }}
      />
      <small id={`set-${key}-hint`}>{hint}</small>
    </div>
  );

  return (
    <Modal
      open={props.open}
      onOpen={() => setPrompt(conversations.active()?.systemPrompt ?? chat.draftSystemPrompt())}
      onClose={close}
      class="settings"
      labelledBy="settings-title"
    >
      <div class="settings-body">
        <h2 id="settings-title">Settings</h2>

        <section>
          <h3>This conversation</h3>
          <div class="field">
            <label for="set-system">System prompt</label>
            <textarea
              id="set-system"
              rows={3}
              placeholder="e.g. You are a concise assistant."
              value={prompt()}
              onInput={(e) => {
                setPrompt(e.currentTarget.value);
                clearTimeout(promptTimer);
                promptTimer = setTimeout(() => void savePrompt(), 400);
              }}
              onBlur={() => void savePrompt()}
            />
          </div>
          <Show when={conversations.active()}>
            <label class="check">
              <input type="checkbox" checked={own() !== null} onChange={(e) => void toggleOwn(e.currentTarget.checked)} />
              Use its own generation settings (below) instead of the defaults
            </label>
          </Show>
        </section>

        <section>
          <h3>{own() ? 'Generation (this conversation)' : 'Generation (defaults)'}</h3>
          <div class="fields">
            {field('temperature', 'Temperature', '0 = always the most likely word; higher = more varied.')}
            {field('topP', 'Top-p', 'Sample only from the most likely words covering this share.')}
            {field('maxNewTokens', 'Max new tokens', 'Upper bound on the length of a reply.')}
          </div>
          <Show when={url.temperature !== undefined}>
            <p class="muted">The page address sets temperature to {url.temperature} (?temperature=).</p>
          </Show>
        </section>

        <section>
          <h3>Model</h3>
          <div class="field">
            <label for="set-backend">Backend</label>
            <select id="set-backend" value={settings.backendPreference()} onChange={(e) => void setBackend(e.currentTarget.value)}>
              <option value="auto">Auto</option>
              <option value="webgpu">WebGPU</option>
              <option value="wasm">WASM</option>
            </select>
            <Show when={url.backend}>
              <small>The page address forces {backendLabel(url.backend)} (?backend=).</small>
            </Show>
          </div>
          <dl class="facts">
            <dt>Model</dt>
            <dd>{engine.modelId}</dd>
            <Show when={engine.info()}>
              {(info) => (
                <>
                  <dt>Running on</dt>
                  <dd>
                    {backendLabel(info().backend)} · {info().dtype} · {info().threads} thread{info().threads === 1 ? '' : 's'} ·{' '}
                    {info().contextLength} tokens context
                  </dd>
                </>
              )}
            </Show>
            <Show when={engine.fallbackReason()}>
              <dt>WebGPU</dt>
              <dd>{engine.fallbackReason()}</dd>
            </Show>
            <Show when={engine.capabilities()?.singleThreadReason}>
              <dt>Threads</dt>
              <dd>{engine.capabilities()?.singleThreadReason}</dd>
            </Show>
          </dl>
        </section>

        <div class="settings-actions">
          <button type="button" class="btn btn-primary" onClick={close}>
            Close
          </button>
        </div>
      </div>
    </Modal>
  );
}
