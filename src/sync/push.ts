// Push: a batch is built from the outbox (oldest first; a message still streaming waits until its
// reply ends), encrypted, and PERSISTED (syncState pendingBatch) before it is sent; its mutation
// ids are given in the transaction that stores it, so two tabs never number two batches alike.
// Until the server acknowledges it, every retry resends exactly that batch (the server skips
// mutation ids it already applied). The answer is read: on a batch's first sending, "already
// applied" means the ids were used before (another tab, or a restored server's client state), so
// those mutations are renumbered above the server's last id and sent again. Then the outbox
// entries are acknowledged (an entry re-queued meanwhile stays) and the batch is dropped.
// Attachment bytes go up as encrypted chunks before the record that describes them, which names
// how many the server must hold; when the server lacks some (409 missing-chunks) the batch is
// rebuilt and they go up again.
import type { LocalRecord, OutboxEntry, PendingBatch } from '../db';
import type { Attachment, Conversation, Message } from '../db';
import { CanonicalUuid, canonicalId, MAX_CIPHERTEXT_BYTES, MAX_MUTATIONS_PER_PUSH, type Mutation } from '../shared/sync/protocol';
import { SyncError } from './errors';
import { CHUNK_BYTES, must, uploadFile } from './files';
import { sealRecord, type FileInfo, type SyncRecord } from './records';
import type { Session, SyncContext, SyncReport } from './context';

/** Keep JSON push bodies well under the server's 8 MiB limit. */
const PUSH_BODY_BUDGET = 6 * 1024 * 1024;

/**
 * Pushes the outbox. An entry queued to reconcile is pushed only if its key is in `compared` (a
 * pull compared it with the server's version first); the others wait for the next run.
 */
export async function pushAll(ctx: SyncContext, s: Session, report: SyncReport, compared: ReadonlySet<string> = new Set()): Promise<void> {
  const { storage } = ctx;
  let reuploads = 0;
  for (let round = 0; round < 1000; round++) {
    let batch: PendingBatch | null = (await storage.sync.pendingBatch()) ?? null;
    if (!batch) {
      const built = await buildBatch(ctx, s, report, compared);
      if (!built) return;
      batch = await storage.sync.savePending(built);
    }
    const resend = batch.sent !== false; // a batch stored by an older version (no flag) may have been sent
    if (!resend) await storage.sync.markSent(batch);
    const answer = await s.transport.push({ clientId: batch.clientId, mutations: batch.mutations, seen: await seen(ctx) });
    // Refused whole for quota: rebuild next time (deletes made meanwhile may make it fit). Refused
    // whole because a record pushed as absent reached the server meanwhile: rebuilt after the run
    // pulled and compared again (client.ts).
    if (!answer.ok && (answer.error.code === 'quota-exceeded' || answer.error.code === 'conflict')) await storage.sync.dropPending(batch);
    // Refused whole because the server lacks chunks it once took (a restore, the orphan clean-up):
    // rebuild at once, uploading the batch's attachments again (a few times at most per run).
    if (!answer.ok && answer.error.code === 'missing-chunks' && reuploads++ < 2) {
      await storage.sync.forgetFiles(batch.mutations.filter((m) => m.chunks).map((m) => m.recordId));
      await storage.sync.dropPending(batch);
      continue;
    }
    const res = must(answer);
    await ctx.checkEpoch(res.epoch);
    const results = new Map(res.results.map((r) => [r.mutationId, r.seq]));
    if (batch.mutations.some((m) => !results.has(m.mutationId))) {
      throw new SyncError('server', 'The sync server answered a push without every change in it; will retry.', true);
    }
    const reused = resend ? [] : batch.mutations.filter((m) => results.get(m.mutationId) === null).map((m) => m.mutationId);
    if (reused.length) {
      await storage.sync.renumberPending(batch, new Set(reused), res.lastMutationId);
      continue;
    }
    await storage.sync.finishPending(batch, ctx.now(), highest(batch, results, res.mark));
    report.pushed += batch.mutations.length;
  }
}

/** What the device has seen of the server's log: its cursor, or the highest seq its pushes were given. */
async function seen(ctx: SyncContext) {
  const [cursor, pushed] = await Promise.all([ctx.storage.sync.pullCursor(), ctx.storage.sync.pushedAt()]);
  return pushed.seq > cursor.seq ? pushed : cursor;
}

/** The highest seq this answer gave a mutation of the batch, its record, and the push's mark. */
function highest(batch: PendingBatch, results: Map<number, number | null>, mark: string | undefined) {
  let top = { seq: 0, at: null as string | null };
  for (const m of batch.mutations) {
    const seq = results.get(m.mutationId);
    if (seq != null && seq > top.seq) top = { seq, at: m.recordId };
  }
  return { ...top, mark: mark ?? null };
}

async function buildBatch(ctx: SyncContext, s: Session, report: SyncReport, compared: ReadonlySet<string>): Promise<PendingBatch | null> {
  const { storage, opts } = ctx;
  const clientId = await storage.sync.clientId();
  if (!clientId) throw new SyncError('not-signed-in', 'This device has no sync client id; sign in again.', false);
  const limit = Math.min(opts.batchSize ?? MAX_MUTATIONS_PER_PUSH, MAX_MUTATIONS_PER_PUSH);
  // Read past entries that must wait (streaming replies), but never more than a few batches.
  let entries = await storage.outbox.list(limit * 4);
  if (entries.some((e) => canonicalId(e.id) !== e.id) && (await storage.sync.repairIds()) > 0) entries = await storage.outbox.list(limit * 4);
  const records = await storage.sync.readForPush(entries);
  const mutations: Mutation[] = [];
  const used: OutboxEntry[] = [];
  let bytes = 0;
  for (let i = 0; i < entries.length && mutations.length < limit; i++) {
    const entry = entries[i];
    const rec = records[i];
    if (entry.kind === 'message' && (rec as Message | undefined)?.status === 'streaming') continue;
    if (entry.reconcile && !compared.has(entry.key)) continue;
    if (!CanonicalUuid.safeParse(entry.id).success) {
      report.skipped.push(`${entry.kind} ${entry.id}: its id is not a lower-case UUID`);
      continue;
    }
    const record = await toSyncRecord(ctx, s, entry, rec);
    const ciphertext = await sealRecord(s.key, record);
    if ((ciphertext.length * 3) / 4 > MAX_CIPHERTEXT_BYTES) {
      report.skipped.push(`${entry.kind} ${entry.id}: too large to sync`);
      continue;
    }
    if (bytes + ciphertext.length > PUSH_BODY_BUDGET && mutations.length > 0) break;
    bytes += ciphertext.length + 100;
    // Numbered when the batch is stored (savePending).
    const chunks = record.kind === 'attachment' && record.file ? record.file.chunkCount : undefined;
    // Still queued to reconcile after the pull: the server lacked the record then; only if it still does.
    mutations.push({ mutationId: mutations.length + 1, recordId: entry.id, ciphertext, ...(chunks ? { chunks } : {}), ...(entry.reconcile ? { ifAbsent: true as const } : {}) });
    used.push(entry);
  }
  return mutations.length ? { clientId, mutations, entries: used } : null;
}

async function toSyncRecord(ctx: SyncContext, s: Session, entry: OutboxEntry, rec: LocalRecord | undefined): Promise<SyncRecord> {
  const { kind, id } = entry;
  if (kind === 'conversation') return { kind, id, conversationId: null, record: (rec as Conversation | undefined) ?? null };
  if (kind === 'message') {
    const m = rec as Message | undefined;
    return { kind, id, conversationId: m?.conversationId ?? null, record: m ?? null };
  }
  const a = rec as Attachment | undefined;
  if (!a) return { kind, id, conversationId: null, record: null, file: null };
  const { data, ...meta } = a;
  let file: FileInfo | null = (await ctx.storage.sync.fileInfo(id)) ?? null;
  if (a.deletedAt !== null) {
    // A deleted attachment's bytes are no longer needed anywhere.
    if (file) await s.transport.deleteChunks(id);
    file = null;
  } else if (!file || file.size !== a.size) {
    file = await uploadFile(s.transport, s.key, id, data, ctx.opts.chunkBytes ?? CHUNK_BYTES);
    await ctx.storage.sync.setFileInfo(id, file);
  }
  return { kind, id, conversationId: a.conversationId, record: meta, file };
}
