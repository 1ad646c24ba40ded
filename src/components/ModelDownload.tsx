// A model download's state inside its Models list item: the progress bar ("Downloading <name>",
// with a text beside it) while it runs, and its failure as an alert.
import { Show } from 'solid-js';
import { formatBytes } from '../models/catalog';
import type { DownloadState } from '../stores/modelDownloads';

/** Whole percent of a download (0 before its size is known). */
export function downloadPct(d: DownloadState | undefined): number {
  return d?.totalBytes ? Math.min(100, Math.floor((d.loadedBytes / d.totalBytes) * 100)) : 0;
}

/** "<bytes> of <bytes> (NN%)" beside the bar. */
export function downloadText(d: DownloadState | undefined): string {
  return `${formatBytes(d?.loadedBytes)} of ${formatBytes(d?.totalBytes)} (${downloadPct(d)}%)`;
}

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
