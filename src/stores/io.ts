// Import and export: the export dialog's target (all conversations or one), building and saving
// the file, and the import's steps: reading the file in the import worker (with progress), the
// confirmation of what it holds, the one-transaction write, and the report (or what was wrong).
import { createSignal } from 'solid-js';
import type { ImportWriteResult, Storage } from '../db';
import { countRecords, type ParsedImport } from '../io/bundle';
import { downloadBlob } from '../io/download';
import { parseInWorker, type ParseFn } from '../io/importClient';
import { errorText } from '../lib/errorText';
import type { ParseProgress } from '../io/parseFile';
import type { ToastStore } from './toasts';

export type ImportState =
  | { step: 'idle' }
  | { step: 'reading'; fileName: string; progress: ParseProgress | null }
  | { step: 'confirm'; parsed: ParsedImport; counts: ReturnType<typeof countRecords> }
  | { step: 'writing'; fileName: string }
  | { step: 'done'; parsed: ParsedImport; result: ImportWriteResult }
  | { step: 'error'; fileName: string; message: string };

/** What the export dialog exports: every conversation, or one. */
export interface ExportTarget {
  conversationId: string | null;
  title: string | null;
}

export interface IoStore {
  importState: () => ImportState;
  chooseFile(file: File): Promise<void>;
  confirmImport(): Promise<void>;
  /** Cancels a running read or closes the import dialog. */
  closeImport(): void;
  exportTarget: () => ExportTarget | null;
  openExport(conversationId?: string, title?: string): void;
  closeExport(): void;
  busy: () => boolean;
  exportJson(includeAttachments: boolean): Promise<void>;
  exportMarkdown(): Promise<void>;
}

export interface IoDeps {
  storage: Storage;
  toasts: ToastStore;
  parse?: ParseFn;
  download?: (blob: Blob, fileName: string) => void;
  now?: () => Date;
}

export function createIoStore(deps: IoDeps): IoStore {
  const { storage, toasts } = deps;
  const parse = deps.parse ?? parseInWorker;
  const download = deps.download ?? downloadBlob;
  const now = deps.now ?? (() => new Date());
  const [importState, setImportState] = createSignal<ImportState>({ step: 'idle' });
  const [exportTarget, setExportTarget] = createSignal<ExportTarget | null>(null);
  const [busy, setBusy] = createSignal(false);
  let reading: AbortController | null = null;

  const exporting = async (work: () => Promise<void>) => {
    setBusy(true);
    try {
      await work();
      setExportTarget(null);
    } catch (e) {
      toasts.error(e, 'The export failed.');
    } finally {
      setBusy(false);
    }
  };

  return {
    importState,
    async chooseFile(file) {
      reading?.abort();
      const control = (reading = new AbortController());
      setImportState({ step: 'reading', fileName: file.name, progress: null });
      const outcome = await parse(file, file.name, (progress) => {
        if (reading === control) setImportState({ step: 'reading', fileName: file.name, progress });
      }, control.signal);
      if (reading !== control) return; // cancelled or replaced by another file
      reading = null;
      if (!outcome.ok) setImportState({ step: 'error', fileName: file.name, message: outcome.error.message });
      else setImportState({ step: 'confirm', parsed: outcome.value, counts: countRecords(outcome.value.bundles) });
    },
    async confirmImport() {
      const state = importState();
      if (state.step !== 'confirm') return;
      setImportState({ step: 'writing', fileName: state.parsed.fileName });
      try {
        const result = await storage.imports.write(state.parsed.bundles);
        setImportState({ step: 'done', parsed: state.parsed, result });
      } catch (e) {
        setImportState({ step: 'error', fileName: state.parsed.fileName, message: `Nothing was imported. ${errorText(e)}` });
      }
    },
    closeImport() {
      if (importState().step === 'writing') return; // the transaction finishes on its own
      reading?.abort();
      reading = null;
      setImportState({ step: 'idle' });
    },
    exportTarget,
    openExport: (conversationId, title) => setExportTarget({ conversationId: conversationId ?? null, title: title ?? null }),
    closeExport: () => setExportTarget(null),
    busy,
    exportJson: (includeAttachments) =>
      exporting(async () => {
        const target = exportTarget();
        const at = now();
        // The export code (and its SHA-256 for attachments) loads when the user exports.
        const { buildExport, exportFileName, exportSourceOf } = await import('../io/exportBuilder');
        const blob = await buildExport(exportSourceOf(storage), {
          includeAttachments,
          now: at,
          conversationIds: target?.conversationId ? [target.conversationId] : undefined,
        });
        download(blob, exportFileName(at, target?.conversationId ? (target.title ?? 'conversation') : undefined));
      }),
    exportMarkdown: () =>
      exporting(async () => {
        const id = exportTarget()?.conversationId;
        const conversation = id ? await storage.conversations.get(id) : undefined;
        if (!id || !conversation) throw new Error('That conversation no longer exists.');
        const at = now();
        const [{ conversationMarkdown }, { exportFileName }] = await Promise.all([import('../io/markdown'), import('../io/exportBuilder')]);
        const text = conversationMarkdown(conversation, await storage.messages.listByConversation(id), await storage.attachments.listByConversation(id), at);
        download(new Blob([text], { type: 'text/markdown' }), exportFileName(at, conversation.title, 'md'));
      }),
  };
}
