// Ways to attach files, all feeding the attachments store: the "Attach files" button (a labelled
// file input), paste into the message box, and drag and drop onto the chat (with an overlay).
import { createSignal, Show, type JSX } from 'solid-js';
import { useStores } from '../stores';
import { AttachmentList } from './AttachmentChip';
import { Icon } from './icons';
import './attachments.css';

export function AttachButton() {
  const { attachments } = useStores();
  return (
    <label class="icon-btn attach-btn" title="Attach files">
      <input
        type="file"
        multiple
        class="visually-hidden"
        aria-label="Attach files"
        onChange={(e) => {
          const input = e.currentTarget;
          attachments.add(Array.from(input.files ?? []));
          input.value = '';
        }}
      />
      <Icon name="clip" size={18} />
    </label>
  );
}

/** The files waiting to be sent, each with "Remove <name>". */
export function PendingAttachments() {
  const { attachments } = useStores();
  return (
    <AttachmentList
      label="Files to send"
      items={attachments.pending().map((p) => ({
        key: p.key,
        file: { ...p, ...p.extracted },
        reading: !p.extracted,
        onRemove: () => attachments.remove(p.key),
      }))}
    />
  );
}

/** Files pasted into the message box are attached (their text is not pasted). */
export function pasteFiles(e: ClipboardEvent, add: (files: File[]) => void): void {
  const files = Array.from(e.clipboardData?.files ?? []);
  if (!files.length) return;
  e.preventDefault();
  add(files);
}

const hasFiles = (e: DragEvent) => Array.from(e.dataTransfer?.types ?? []).includes('Files');

/** Drag-and-drop handlers for an element, and whether files are being dragged over it. */
export function useFileDrop(add: (files: File[]) => void): { dragging: () => boolean; handlers: JSX.HTMLAttributes<HTMLElement> } {
  const [depth, setDepth] = createSignal(0);
  return {
    dragging: () => depth() > 0,
    handlers: {
      onDragEnter: (e) => {
        if (!hasFiles(e)) return;
        e.preventDefault();
        setDepth((d) => d + 1);
      },
      onDragOver: (e) => {
        if (!hasFiles(e)) return;
        e.preventDefault();
        if (e.dataTransfer) e.dataTransfer.dropEffect = 'copy';
      },
      onDragLeave: (e) => {
        if (hasFiles(e)) setDepth((d) => Math.max(0, d - 1));
      },
      onDrop: (e) => {
        setDepth(0);
        const files = Array.from(e.dataTransfer?.files ?? []);
        if (!files.length) return;
        e.preventDefault();
        add(files);
      },
    },
  };
}

export function DropOverlay(props: { show: boolean }) {
  return (
    <Show when={props.show}>
      <div class="drop-overlay" aria-hidden="true">
        <Icon name="clip" size={28} />
        <p>Drop files to attach</p>
      </div>
    </Show>
  );
}
