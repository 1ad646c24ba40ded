// "Install app": shown only while the browser offers to install Hearth (beforeinstallprompt).
import { Show } from 'solid-js';
import type { PwaStore } from '../stores/pwa';

export function InstallButton(props: { pwa: PwaStore; class?: string }) {
  return (
    <Show when={props.pwa.canInstall()}>
      <button type="button" class={props.class ?? 'btn btn-small'} onClick={() => void props.pwa.install()}>
        Install app
      </button>
    </Show>
  );
}
