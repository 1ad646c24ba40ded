// Import failures as data: which file, which conversation, which field, and what is wrong.
// `ImportProblem` is thrown inside src/io and crosses the worker boundary as `ImportFailure`.

export type ImportProblemCode = 'invalid-file' | 'unsafe-zip' | 'too-large' | 'unsupported' | 'read-failed';

export interface ImportFailure {
  code: ImportProblemCode;
  message: string;
  retryable: boolean;
}

export class ImportProblem extends Error {
  constructor(
    readonly code: ImportProblemCode,
    message: string,
  ) {
    super(message);
    this.name = 'ImportProblem';
  }
}

/** "file.json: conversation 3 “Title”: messages[2].parentId: refers to …" */
export function problemText(parts: { file: string; conversation?: { index: number; title?: unknown }; field?: string; message: string }): string {
  const where = [parts.file];
  if (parts.conversation) {
    const t = typeof parts.conversation.title === 'string' && parts.conversation.title.trim() ? ` “${parts.conversation.title.trim().slice(0, 80)}”` : '';
    where.push(`conversation ${parts.conversation.index + 1}${t}`);
  }
  if (parts.field) where.push(parts.field);
  return `${where.join(': ')}: ${parts.message}`;
}

/** `['messages', 2, 'parentId']` → `messages[2].parentId` */
export function fieldPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((s, k) => (typeof k === 'number' ? `${s}[${k}]` : s ? `${s}.${String(k)}` : String(k)), '');
}

export function toFailure(e: unknown): ImportFailure {
  if (e instanceof ImportProblem) return { code: e.code, message: e.message, retryable: e.code === 'read-failed' };
  const message = e instanceof Error ? e.message : String(e);
  return { code: 'read-failed', message: `The file could not be read: ${message}`, retryable: true };
}
