// The full preview of an attachment (a modal dialog "Preview of <name>"): an image from a blob:
// URL as <img>, a voice clip as <audio controls>, text / code / HTML / SVG source as plain text (never a live document), a PDF's
// page count and extracted text; and what went to the model, with the passages sent.
import { createResource, For, onMount, Show } from 'solid-js';
import { readableText } from '../attachments/extract';
import { formatBytes } from '../attachments/kinds';
import { sentPassages, usageText } from '../attachments/prepare';
import { passageHeading } from '../shared/promptFiles';
import type { FileUsage } from '../shared/engine';
import { chipKind, useObjectUrl, type ChipFile } from './attachmentFile';

/** Characters of text shown (the rest is named, not hidden silently). */
const SHOWN_CHARS = 200_000;

export function AttachmentPreview(props: { file: ChipFile; usage?: FileUsage; onClose: () => void }) {
  let dialog!: HTMLDialogElement;
  const kind = () => chipKind(props.file);
  const url = useObjectUrl(() => props.file.data);
  const [text] = createResource(
    () => props.file,
    async (f) => (chipKind(f) === 'image' && f.type !== 'image/svg+xml' ? null : (await readableText({ ...f, kind: chipKind(f) === 'image' ? 'text' : chipKind(f) })) ?? null),
  );
  const passages = () => {
    const u = props.usage;
    const t = text();
    return u && !u.whole && t ? sentPassages(t, u) : [];
  };
  onMount(() => dialog.showModal());

  return (
    <dialog
      ref={dialog}
      class="settings att-preview"
      aria-label={`Preview of ${props.file.name}`}
      onClose={() => props.onClose()}
      onClick={(e) => {
        if (e.target === dialog) dialog.close();
      }}
    >
      <div class="settings-body">
      <header class="att-preview-head">
        <h2>{props.file.name}</h2>
        <button type="button" class="btn btn-small btn-ghost" onClick={() => dialog.close()}>
          Close
        </button>
      </header>
      <p class="att-meta">
        {formatBytes(props.file.size)}
        <Show when={kind() === 'pdf' && props.file.pageCount !== undefined}>
          {' · '}
          {props.file.pageCount} page{props.file.pageCount === 1 ? '' : 's'}
        </Show>
        <Show when={props.file.note}>
          {' · '}
          {props.file.note}
        </Show>
      </p>
      <Show when={props.usage}>
        {(u) => (
          <section class="att-sent" aria-label="Sent to the model">
            <p>{usageText(u())}</p>
            <For each={passages()}>
              {(p) => (
                <div class="att-passage">
                  <p class="att-passage-head">{passageHeading(p.index, u().totalPassages)}</p>
                  <pre>{p.text}</pre>
                </div>
              )}
            </For>
          </section>
        )}
      </Show>
      <Show when={kind() === 'image'}>
        <img class="att-image" src={url()} alt={props.file.name} />
      </Show>
      <Show when={props.file.type.startsWith('audio/')}>
        <audio class="att-audio" controls src={url()} aria-label={props.file.name} />
      </Show>
      <Show when={text()}>
        {(t) => (
          <>
            <Show when={t().length > SHOWN_CHARS}>
              <p class="att-meta">Showing the first {Math.round(SHOWN_CHARS / 1000)} k of {Math.round(t().length / 1000)} k characters.</p>
            </Show>
            <pre class="att-body">{t().slice(0, SHOWN_CHARS)}</pre>
          </>
        )}
      </Show>
      </div>
    </dialog>
  );
}
