// What an attachment chip and its preview both show: the file as the UI holds it (stored or still
// pending), its display kind, and a blob: URL for it that lives as long as the component using it.
// Shared by AttachmentChip.tsx and AttachmentPreview.tsx, so neither imports the other's internals.
import { createMemo, onCleanup } from 'solid-js';
import { kindOf, type AttachmentKind } from '../attachments/kinds';
import type { FileUsage } from '../shared/engine';

export interface ChipFile {
  name: string;
  type: string;
  size: number;
  data: Blob;
  kind?: AttachmentKind;
  text?: string;
  pageCount?: number;
  note?: string;
}

export interface ChipItem {
  key: string | number;
  file: ChipFile;
  /** Still being read (pending files). */
  reading?: boolean;
  usage?: FileUsage;
  onRemove?: () => void;
}

export const chipKind = (f: ChipFile): AttachmentKind => {
  const k = f.kind ?? kindOf(f.name, f.type);
  return k === 'unknown' ? 'other' : k;
};

/** A blob: URL for `data` that lives as long as the calling component. */
export function useObjectUrl(data: () => Blob): () => string {
  const url = createMemo<string>((prev) => {
    if (prev) URL.revokeObjectURL(prev);
    return URL.createObjectURL(data());
  });
  onCleanup(() => URL.revokeObjectURL(url()));
  return url;
}
