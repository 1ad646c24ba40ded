// A model download's state inside its Models list item: the progress bar ("Downloading <name>",
// with a text beside it) while it runs, and its failure as an alert.
import { Show } from 'solid-js';

export function ModelDownload(props: { name: string; running: boolean; pct: number; text: string; error?: string }) {
  return (
    <>
      <Show when={props.running}>
        <div class="models-progress">
          <progress max={100} value={props.pct} aria-label={`Downloading ${props.name}`} aria-valuetext={`${props.pct}%`} />
          <span class="models-bytes">{props.text}</span>
        </div>
      </Show>
      <Show when={props.error}>
        <p role="alert" class="models-error">{props.error}</p>
      </Show>
    </>
  );
}
