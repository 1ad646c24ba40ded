// Attachments in the UI: files waiting in the composer (read as they are added: kind, a PDF's
// text and page count), the saved attachments of the open conversation (live from IndexedDB), and
// the purge of deleted conversations' Blobs once their undo window is over (at start and every
// minute; see AttachmentRepo.purgeDeleted).
import { createEffect, createSignal, onCleanup } from 'solid-js';
import { extract, type Extracted } from '../attachments/extract';
import { rejectReason } from '../attachments/kinds';
import { browserPdfLib, type PdfLib } from '../attachments/pdf';
import { observe, type Attachment, type NewAttachment, type Storage } from '../db';
import type { ConversationsStore } from './conversations';
import type { ToastStore } from './toasts';

/** How long a deleted conversation keeps its files (its delete can be undone meanwhile). */
export const UNDO_WINDOW_MS = 60_000;

export interface PendingFile {
  key: number;
  name: string;
  type: string;
  size: number;
  data: Blob;
  /** Undefined while the file is being read. */
  extracted?: Extracted;
}

export interface AttachmentsStore {
  pending: () => PendingFile[];
  /** True while a pending file is still being read. */
  reading: () => boolean;
  add(files: Iterable<File>): void;
  remove(key: number): void;
  clear(): void;
  /** The pending files as records to save with the message. */
  toSave(): NewAttachment[];
  /** A saved attachment of the open conversation. */
  byId(id: string): Attachment | undefined;
}

export interface AttachmentsDeps {
  storage: Storage;
  conversations: ConversationsStore;
  toasts: ToastStore;
  pdfLib?: () => Promise<PdfLib>;
}

export function createAttachmentsStore(deps: AttachmentsDeps): AttachmentsStore {
  const { storage, conversations, toasts } = deps;
  const pdfLib = deps.pdfLib ?? browserPdfLib;
  const [pending, setPending] = createSignal<PendingFile[]>([]);
  const [saved, setSaved] = createSignal<ReadonlyMap<string, Attachment>>(new Map());
  let next = 1;

  createEffect(() => {
    const id = conversations.activeId();
    setSaved(new Map());
    if (!id) return;
    const sub = observe(
      () => storage.attachments.listByConversation(id),
      (list) => {
        if (conversations.activeId() === id) setSaved(new Map(list.map((a) => [a.id, a])));
      },
      (e) => toasts.error(e),
    );
    onCleanup(() => sub.unsubscribe());
  });

  const purge = () => void storage.attachments.purgeDeleted(Date.now() - UNDO_WINDOW_MS).catch(() => undefined);
  purge();
  const timer = setInterval(purge, UNDO_WINDOW_MS);
  onCleanup(() => clearInterval(timer));

  const read = async (item: PendingFile) => {
    let extracted: Extracted;
    try {
      extracted = await extract(item, pdfLib);
    } catch {
      extracted = { kind: 'other', note: 'This file could not be read.' };
    }
    setPending((list) => list.map((p) => (p.key === item.key ? { ...p, extracted } : p)));
  };

  return {
    pending,
    reading: () => pending().some((p) => !p.extracted),
    add(files) {
      for (const file of files) {
        const reason = rejectReason(file);
        if (reason) {
          toasts.push({ kind: 'error', text: reason });
          continue;
        }
        const item: PendingFile = { key: next++, name: file.name || 'file', type: file.type, size: file.size, data: file };
        setPending((list) => [...list, item]);
        void read(item);
      }
    },
    remove: (key) => setPending((list) => list.filter((p) => p.key !== key)),
    clear: () => setPending([]),
    toSave: () => pending().map(({ name, type, data, extracted }) => ({ name, type, data, ...extracted })),
    byId: (id) => saved().get(id),
  };
}
