// "A new version of Hearth is ready" with a Reload button: shown when a new service worker waits.
// Reload lets it take over and reloads once it controls the page (never a mix of old and new).
import { Show } from 'solid-js';
import type { PwaStore } from '../stores/pwa';
import './models.css';

export function UpdatePrompt(props: { pwa: PwaStore }) {
  return (
    <Show when={props.pwa.needRefresh()}>
      <div class="update-prompt" role="status" aria-label="Update">
        <span>
          {props.pwa.refreshExternal()
            ? 'Hearth was updated while this tab was open. Reload to use the new version.'
            : 'A new version of Hearth is ready.'}
        </span>
        <button type="button" class="btn btn-small btn-primary" onClick={() => props.pwa.applyUpdate()}>
          Reload
        </button>
        <button type="button" class="btn btn-small btn-ghost" onClick={() => props.pwa.dismissUpdate()}>
          Later
        </button>
      </div>
    </Show>
  );
}
