// What an import produces before anything is written: one bundle per conversation (its records,
// ready to store) plus what was skipped and why. The DB writer (src/db/importer.ts) stores bundles.
import type { ImportBundle } from '../db/importer';
import type { ImportSource } from '../db/types';

export type { ImportBundle };

export interface SkippedConversation {
  title: string;
  reason: string;
}

export interface ParsedImport {
  source: 'hearth' | ImportSource;
  fileName: string;
  bundles: ImportBundle[];
  skipped: SkippedConversation[];
  /** Other things the user should know (e.g. images that were not in the export). */
  notes: string[];
}

export function countRecords(bundles: ImportBundle[]): { conversations: number; messages: number; attachments: number } {
  return bundles.reduce(
    (n, b) => ({ conversations: n.conversations + 1, messages: n.messages + b.messages.length, attachments: n.attachments + b.attachments.length }),
    { conversations: 0, messages: 0, attachments: 0 },
  );
}
