// The export dialog: every conversation ("Export all") or one ("Export" in its list item), as
// Hearth's JSON (with or without attachments) or, for one conversation, as Markdown.
import { createEffect, createSignal, Show } from 'solid-js';
import type { IoStore } from '../stores/io';

export function ExportDialog(props: { io: IoStore }) {
  let dialog!: HTMLDialogElement;
  const [withFiles, setWithFiles] = createSignal(true);
  const target = () => props.io.exportTarget();
  const one = () => !!target()?.conversationId;

  createEffect(() => {
    if (target() && !dialog.open) {
      setWithFiles(true);
      dialog.showModal();
    } else if (!target() && dialog.open) dialog.close();
  });

  return (
    <dialog
      ref={dialog}
      class="settings io-dialog"
      aria-labelledby="export-title"
      onCancel={(e) => {
        e.preventDefault();
        props.io.closeExport();
      }}
      onClick={(e) => e.target === dialog && props.io.closeExport()}
    >
      <div class="settings-body">
        <h2 id="export-title">{one() ? `Export “${target()?.title ?? 'conversation'}”` : 'Export all conversations'}</h2>
        <p class="muted">
          {one()
            ? 'Its whole message tree (every branch), system prompt and settings, as a Hearth file you can import again.'
            : 'Every conversation with its whole message tree, as one Hearth file you can import again (here or in another browser).'}
        </p>
        <label class="check">
          <input type="checkbox" checked={withFiles()} onChange={(e) => setWithFiles(e.currentTarget.checked)} />
          Include attachments
        </label>
        <div class="settings-actions io-actions">
          <button type="button" class="btn" onClick={() => props.io.closeExport()}>
            Cancel
          </button>
          <Show when={one()}>
            <button type="button" class="btn" disabled={props.io.busy()} onClick={() => void props.io.exportMarkdown()}>
              Export as Markdown
            </button>
          </Show>
          <button type="button" class="btn btn-primary" disabled={props.io.busy()} onClick={() => void props.io.exportJson(withFiles())}>
            Export
          </button>
        </div>
      </div>
    </dialog>
  );
}
