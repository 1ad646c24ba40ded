// PDF text with pdf.js (pdfjs-dist). In the app pdf.js parses in its own worker, served from the
// app's origin (a Vite asset, never a CDN), with eval off so the CSP `script-src 'self'` holds;
// fonts are not loaded (only text is needed). Tests pass pdf.js's Node build instead.
export interface PdfLib {
  getDocument(params: Record<string, unknown>): { promise: Promise<PdfDoc>; destroy(): Promise<void> };
}
interface PdfDoc {
  numPages: number;
  getPage(n: number): Promise<{ getTextContent(): Promise<{ items: Array<{ str?: string; hasEOL?: boolean }> }>; cleanup(): void }>;
  destroy(): Promise<void>;
}

export interface PdfText {
  pageCount: number;
  text: string;
}

/** Options that keep pdf.js from evaluating code or fetching anything. */
export const SAFE_PDF_OPTIONS = {
  isEvalSupported: false,
  disableFontFace: true,
  useSystemFonts: false,
  isOffscreenCanvasSupported: false,
  enableXfa: false,
  stopAtErrors: false,
  verbosity: 0,
} as const;

let browserLib: Promise<PdfLib> | null = null;

/** pdf.js for the page, with its worker file from the app itself (loaded on first use). */
export function browserPdfLib(): Promise<PdfLib> {
  browserLib ??= (async () => {
    const [pdfjs, worker] = await Promise.all([import('pdfjs-dist'), import('pdfjs-dist/build/pdf.worker.min.mjs?url')]);
    pdfjs.GlobalWorkerOptions.workerSrc = worker.default;
    return pdfjs as unknown as PdfLib;
  })();
  browserLib.catch(() => (browserLib = null));
  return browserLib;
}

/** The text of every page, pages separated by a blank line. Throws a sentence when it cannot. */
export async function readPdf(data: Uint8Array, lib: PdfLib): Promise<PdfText> {
  const task = lib.getDocument({ ...SAFE_PDF_OPTIONS, data });
  let doc: PdfDoc;
  try {
    doc = await task.promise;
  } catch (e) {
    await task.destroy().catch(() => undefined);
    const name = (e as { name?: string })?.name;
    throw new Error(name === 'PasswordException' ? 'This PDF is protected by a password.' : 'This PDF could not be read (damaged or not a PDF).');
  }
  try {
    const pages: string[] = [];
    for (let n = 1; n <= doc.numPages; n++) {
      const page = await doc.getPage(n);
      const content = await page.getTextContent();
      pages.push(content.items.map((it) => (it.str ?? '') + (it.hasEOL ? '\n' : '')).join('').trim());
      page.cleanup();
    }
    return { pageCount: doc.numPages, text: pages.filter(Boolean).join('\n\n') };
  } finally {
    await doc.destroy().catch(() => undefined);
  }
}
