// The export dialog: every conversation ("Export all") or one ("Export" in its list item), as
// Hearth's JSON (with or without attachments) or, for one conversation, as Markdown.
import { createSignal, Show } from 'solid-js';
import type { IoStore } from '../stores/io';
import { Modal } from './Modal';

export function ExportDialog(props: { io: IoStore }) {
  const [withFiles, setWithFiles] = createSignal(true);
  const target = () => props.io.exportTarget();
  const one = () => !!target()?.conversationId;

  return (
    <Modal open={!!target()} onOpen={() => setWithFiles(true)} onClose={() => props.io.closeExport()} class="settings io-dialog" labelledBy="export-title">
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
    </Modal>
  );
}
