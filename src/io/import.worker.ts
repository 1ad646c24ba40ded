// The import worker: reads, unzips and checks an import file off the main thread (a large zip
// never freezes the page). Exposed with Comlink; failures come back as data (design rule 2).
import * as Comlink from 'comlink';
import type { ParsedImport } from './bundle';
import { parseImportFile, type ParseProgress } from './parseFile';
import { toFailure, type ImportFailure } from './problems';

export type ParseOutcome = { ok: true; value: ParsedImport } | { ok: false; error: ImportFailure };

const api = {
  async parse(file: Blob, fileName: string, onProgress?: (p: ParseProgress) => void): Promise<ParseOutcome> {
    try {
      return { ok: true, value: await parseImportFile(file, fileName, { onProgress }) };
    } catch (e) {
      return { ok: false, error: toFailure(e) };
    }
  },
};

export type ImportWorkerApi = typeof api;

Comlink.expose(api);
