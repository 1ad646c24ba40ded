// Reading an attached file: its kind, the text the model reads (text files decoded as UTF-8,
// PDFs through pdf.js), a PDF's page count, and a sentence when there is no text to read.
import { kindOf, sniffText, type AttachmentKind } from './kinds';
import { readPdf, type PdfLib } from './pdf';

export interface Extracted {
  kind: AttachmentKind;
  /** PDFs only: the extracted text (a text file's text is its Blob). */
  text?: string;
  pageCount?: number;
  /** Why the model cannot read this file, when it cannot. */
  note?: string;
}

const SNIFF_BYTES = 64 * 1024;

export async function extract(file: { name: string; type: string; data: Blob }, pdfLib: () => Promise<PdfLib>): Promise<Extracted> {
  let kind = kindOf(file.name, file.type);
  if (kind === 'unknown') {
    kind = sniffText(new Uint8Array(await file.data.slice(0, SNIFF_BYTES).arrayBuffer())) ? 'text' : 'other';
  }
  if (kind === 'image') return { kind, note: 'The current model cannot read images.' };
  if (kind === 'other') return { kind, note: 'Hearth cannot read this kind of file.' };
  if (kind === 'text') return { kind };
  try {
    const { pageCount, text } = await readPdf(new Uint8Array(await file.data.arrayBuffer()), await pdfLib());
    return { kind, pageCount, text, ...(text.trim() ? {} : { note: 'This PDF has no text layer (scanned pages are images).' }) };
  } catch (e) {
    return { kind, note: e instanceof Error ? e.message : 'This PDF could not be read.' };
  }
}

/** The text the model reads from a stored or pending attachment, or null when it has none. */
export async function readableText(a: { kind?: AttachmentKind; name: string; type: string; data: Blob; text?: string }): Promise<string | null> {
  const kind = a.kind ?? kindOf(a.name, a.type);
  if (kind === 'pdf') return a.text?.trim() ? a.text : null;
  if (kind === 'text') return (await a.data.text()).replace(/^\uFEFF/, '');
  return null;
}
