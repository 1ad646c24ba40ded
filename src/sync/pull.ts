// Pull: pages after the stored cursor (sent with the record at it, so a server restored from a
// backup notices); each change is decrypted and validated, attachment bytes downloaded and
// verified, then the page is applied in one transaction with the cursor (src/db/syncApply.ts: a
// page at or below the stored cursor is skipped there). A change that cannot be applied (fails to
// decrypt or validate, comes from a newer app, misses chunks) is SET ASIDE, not a stop: kept
// opaque, shown in the Sync dialog, replaced by a newer version of that record, and retried when
// the app version changes. Only transient failures (network, server, storage, session) stop the
// pull, which the next sync redoes.
import { CanonicalUuid, PULL_DEFAULT_LIMIT, type Change } from '../shared/sync/protocol';
import type { ApplyRecord, AsideRecord, PullCursor } from '../db';
import { refused, SyncError } from './errors';
import { downloadFile, must } from './files';
import { openRecord, type FileInfo, type PulledRecord } from './records';
import type { Session, SyncContext, SyncReport } from './context';

type Opened = { ready: ApplyRecord[]; aside: Omit<AsideRecord, 'appVersion'>[]; files: Array<[string, FileInfo]> };

export async function pullAll(ctx: SyncContext, s: Session, report: SyncReport): Promise<void> {
  const { storage } = ctx;
  await retryAside(ctx, s, report);
  const limit = ctx.opts.pageSize ?? PULL_DEFAULT_LIMIT;
  for (let page = 0; page < 100_000; page++) {
    const cursor = await storage.sync.pullCursor();
    const res = must(await s.transport.pull(cursor.seq, limit, cursor, await storage.sync.pushedAt()));
    await ctx.checkEpoch(res.epoch);
    let last = cursor;
    for (const change of res.changes) {
      if (change.seq <= last.seq) throw refused(`record ${change.recordId}`, 'the server sent changes out of order');
      last = { seq: change.seq, at: CanonicalUuid.safeParse(change.recordId).success ? change.recordId : null, mark: null };
    }
    if (res.changes.length) last.mark = res.mark ?? null; // the mark of the push at the new cursor
    const opened = await openAll(ctx, s, res.changes);
    await applyOpened(ctx, opened, last, report);
    if (!res.hasMore || res.changes.length === 0) return;
  }
}

/** Records set aside by another app version get another try (a newer app may read them). */
async function retryAside(ctx: SyncContext, s: Session, report: SyncReport): Promise<void> {
  const todo = (await ctx.storage.sync.aside()).filter((a) => a.appVersion !== ctx.appVersion);
  if (!todo.length) return;
  const changes: Change[] = todo.map((a) => ({ seq: a.seq, recordId: a.recordId, ciphertext: a.ciphertext, receivedAt: 0 }));
  await applyOpened(ctx, await openAll(ctx, s, changes), await ctx.storage.sync.pullCursor(), report);
}

async function applyOpened(ctx: SyncContext, o: Opened, cursor: PullCursor, report: SyncReport) {
  const result = await ctx.storage.sync.apply(o.ready, o.aside, cursor, ctx.appVersion);
  report.pulled += result.applied;
  report.keptLocal += result.keptLocal;
  report.setAside += result.setAside;
  for (const [id, file] of o.files) await ctx.storage.sync.setFileInfo(id, file);
}

async function openAll(ctx: SyncContext, s: Session, changes: Change[]): Promise<Opened> {
  const out: Opened = { ready: [], aside: [], files: [] };
  for (const change of changes) {
    try {
      const rec = await openRecord(s.key, change);
      out.ready.push({ ...(await toApply(ctx, s, rec, out.files)), ciphertext: change.ciphertext } as ApplyRecord);
    } catch (e) {
      if (transient(e)) throw e;
      const why = e instanceof SyncError ? e.message : refused(`record ${change.recordId}`, String(e)).message;
      out.aside.push({ seq: change.seq, recordId: change.recordId, ciphertext: change.ciphertext, reason: why });
    }
  }
  return out;
}

/** Failures that say nothing about the record: the next sync tries the page again. */
function transient(e: unknown): boolean {
  if (e instanceof SyncError) return e.retryable || e.code === 'unauthorized' || e.code === 'storage';
  return (e as { name?: string } | null)?.name === 'StorageError';
}

async function toApply(ctx: SyncContext, s: Session, rec: PulledRecord, files: Array<[string, FileInfo]>): Promise<Omit<ApplyRecord, 'ciphertext'>> {
  const base = { seq: rec.seq, id: rec.id, ...(rec.stamp !== undefined ? { stamp: rec.stamp } : {}) };
  if (rec.kind !== 'attachment') return { ...base, kind: rec.kind, record: rec.record } as Omit<ApplyRecord, 'ciphertext'>;
  if (!rec.record || rec.record.deletedAt !== null || !rec.file) return { ...base, kind: 'attachment', record: rec.record };
  const file = rec.file;
  const localSize = await ctx.storage.sync.localFileSize(rec.id);
  if (localSize !== file.size) {
    const bytes = await downloadFile(s.transport, s.key, rec.id, file);
    files.push([rec.id, file]);
    return { ...base, kind: 'attachment', record: { ...rec.record, data: new Blob([bytes as BlobPart], { type: rec.record.type }) } };
  }
  files.push([rec.id, file]);
  return { ...base, kind: 'attachment', record: rec.record };
}
