// The sync engine: one `syncOnce()` pushes what the outbox holds, then pulls what the server has.
//
// Push: a batch is built from the outbox (oldest first; a message still streaming waits until its
// reply ends), encrypted, given consecutive mutation ids, and PERSISTED (syncState pendingBatch)
// before it is sent. Until the server acknowledges it, every retry resends exactly that batch (the
// server skips mutation ids it already applied), then the outbox entries are acknowledged (an
// entry re-queued meanwhile stays) and the batch is dropped. Attachment bytes go up as encrypted
// chunks before the record that describes them.
// Pull: pages after the stored cursor; each change is decrypted and validated, attachment bytes
// downloaded and verified, then the page is applied in one transaction with the cursor (see
// src/db/syncApply.ts for the conflict rules). A change that fails is refused: the changes before
// it are applied, the cursor stops before it, nothing local is overwritten, and the error is
// reported; the next sync tries it again (a newer version of that record replaces it on the server).
import type { ApplyRecord, LocalRecord, OutboxEntry, PendingBatch, Storage, SyncAccount } from '../db';
import type { Attachment, Conversation, Message } from '../db';
import { MAX_CIPHERTEXT_BYTES, MAX_MUTATIONS_PER_PUSH, PULL_DEFAULT_LIMIT, Uuid, type Mutation } from '../shared/sync/protocol';
import type { AccountKey } from './crypto';
import { refused, SyncError } from './errors';
import { CHUNK_BYTES, downloadFile, must, uploadFile } from './files';
import { openRecord, sealRecord, type FileInfo, type PulledRecord, type SyncRecord } from './records';
import type { SyncTransport } from './transport';

export type TransportFactory = (serverUrl: string, token?: () => string | null | undefined) => SyncTransport;

export interface SyncClientOptions {
  storage: Storage;
  transport: TransportFactory;
  /** Attachment chunk size (tests use small ones). */
  chunkBytes?: number;
  pageSize?: number;
  /** Push batch size (at most MAX_MUTATIONS_PER_PUSH). */
  batchSize?: number;
  now?: () => number;
}

export interface SyncReport {
  pushed: number;
  pulled: number;
  keptLocal: number;
  /** Records left in the outbox because they cannot be sent (e.g. too large), with why. */
  skipped: string[];
}

interface Session {
  account: SyncAccount;
  key: AccountKey;
  transport: SyncTransport;
}

/** Keep JSON push bodies well under the server's 8 MiB limit. */
const PUSH_BODY_BUDGET = 6 * 1024 * 1024;

export class SyncClient {
  private readonly storage: Storage;
  private readonly now: () => number;

  constructor(private readonly opts: SyncClientOptions) {
    this.storage = opts.storage;
    this.now = opts.now ?? Date.now;
  }

  /** The signed-in account with its key and an authenticated transport; null when signed out. */
  async session(): Promise<Session | null> {
    const [account, key] = await Promise.all([this.storage.sync.account(), this.storage.sync.accountKey()]);
    if (!account || !key) return null;
    return { account, key, transport: this.opts.transport(account.serverUrl, () => account.token) };
  }

  async syncOnce(): Promise<SyncReport> {
    const s = await this.session();
    if (!s) throw new SyncError('not-signed-in', 'Not signed in to a sync server.', false);
    const report: SyncReport = { pushed: 0, pulled: 0, keptLocal: 0, skipped: [] };
    // A failed push does not stop the pull (unless the network is gone): the device still
    // receives what others wrote; the push error is reported after.
    let pushError: unknown = null;
    try {
      await this.pushAll(s, report);
    } catch (e) {
      const err = e instanceof SyncError ? e : null;
      if (!err || err.code === 'network' || err.code === 'offline' || err.code === 'unauthorized') throw e;
      pushError = e;
    }
    await this.pullAll(s, report);
    if (pushError) throw pushError;
    await this.storage.sync.setLastSyncedAt(this.now());
    return report;
  }

  // ---- push --------------------------------------------------------------------------------------

  private async pushAll(s: Session, report: SyncReport): Promise<void> {
    for (let round = 0; round < 1000; round++) {
      let batch: PendingBatch | null = (await this.storage.sync.pendingBatch()) ?? null;
      if (!batch) {
        batch = await this.buildBatch(s, report);
        if (!batch) return;
        await this.storage.sync.savePending(batch);
      }
      const res = await s.transport.push({ clientId: batch.clientId, mutations: batch.mutations });
      // Refused whole for quota: rebuild next time (deletes made meanwhile may make it fit).
      if (!res.ok && res.error.code === 'quota-exceeded') await this.storage.sync.dropPending(batch);
      must(res);
      await this.storage.sync.finishPending(batch, this.now());
      report.pushed += batch.mutations.length;
    }
  }

  private async buildBatch(s: Session, report: SyncReport): Promise<PendingBatch | null> {
    const clientId = await this.storage.sync.clientId();
    if (!clientId) throw new SyncError('not-signed-in', 'This device has no sync client id; sign in again.', false);
    const limit = Math.min(this.opts.batchSize ?? MAX_MUTATIONS_PER_PUSH, MAX_MUTATIONS_PER_PUSH);
    // Read past entries that must wait (streaming replies), but never more than a few batches.
    const entries = await this.storage.outbox.list(limit * 4);
    const records = await this.storage.sync.readForPush(entries);
    let next = await this.storage.sync.nextMutationId();
    const mutations: Mutation[] = [];
    const used: OutboxEntry[] = [];
    let bytes = 0;
    for (let i = 0; i < entries.length && mutations.length < limit; i++) {
      const entry = entries[i];
      const rec = records[i];
      if (entry.kind === 'message' && (rec as Message | undefined)?.status === 'streaming') continue;
      if (!Uuid.safeParse(entry.id).success) {
        report.skipped.push(`${entry.kind} ${entry.id}: its id is not a UUID`);
        continue;
      }
      const ciphertext = await sealRecord(s.key, await this.toSyncRecord(s, entry, rec));
      if ((ciphertext.length * 3) / 4 > MAX_CIPHERTEXT_BYTES) {
        report.skipped.push(`${entry.kind} ${entry.id}: too large to sync`);
        continue;
      }
      if (bytes + ciphertext.length > PUSH_BODY_BUDGET && mutations.length > 0) break;
      bytes += ciphertext.length + 100;
      mutations.push({ mutationId: next++, recordId: entry.id, ciphertext });
      used.push(entry);
    }
    return mutations.length ? { clientId, mutations, entries: used } : null;
  }

  private async toSyncRecord(s: Session, entry: OutboxEntry, rec: LocalRecord | undefined): Promise<SyncRecord> {
    const { kind, id } = entry;
    if (kind === 'conversation') return { kind, id, conversationId: null, record: (rec as Conversation | undefined) ?? null };
    if (kind === 'message') {
      const m = rec as Message | undefined;
      return { kind, id, conversationId: m?.conversationId ?? null, record: m ?? null };
    }
    const a = rec as Attachment | undefined;
    if (!a) return { kind, id, conversationId: null, record: null, file: null };
    const { data, ...meta } = a;
    let file: FileInfo | null = (await this.storage.sync.fileInfo(id)) ?? null;
    if (a.deletedAt !== null) {
      // A deleted attachment's bytes are no longer needed anywhere.
      if (file) await s.transport.deleteChunks(id);
      file = null;
    } else if (!file || file.size !== a.size) {
      file = await uploadFile(s.transport, s.key, id, data, this.opts.chunkBytes ?? CHUNK_BYTES);
      await this.storage.sync.setFileInfo(id, file);
    }
    return { kind, id, conversationId: a.conversationId, record: meta, file };
  }

  // ---- pull --------------------------------------------------------------------------------------

  private async pullAll(s: Session, report: SyncReport): Promise<void> {
    const limit = this.opts.pageSize ?? PULL_DEFAULT_LIMIT;
    for (let page = 0; page < 100_000; page++) {
      const cursor = await this.storage.sync.cursor();
      const res = must(await s.transport.pull(cursor, limit));
      const ready: ApplyRecord[] = [];
      const files: Array<[string, FileInfo]> = [];
      let failure: SyncError | null = null;
      let last = cursor;
      for (const change of res.changes) {
        try {
          if (change.seq <= last) throw refused(`record ${change.recordId}`, 'the server sent changes out of order');
          const rec = await openRecord(s.key, change);
          ready.push(await this.toApply(s, rec, files));
          last = change.seq;
        } catch (e) {
          failure = e instanceof SyncError ? e : refused(`record ${change.recordId}`, String(e));
          break;
        }
      }
      const result = await this.storage.sync.apply(ready, failure ? last : Math.max(res.cursor, last));
      report.pulled += result.applied;
      report.keptLocal += result.keptLocal;
      for (const [id, file] of files) await this.storage.sync.setFileInfo(id, file);
      if (result.refused) throw refused(`record ${result.refused.id}`, result.refused.reason);
      if (failure) throw failure;
      if (!res.hasMore || res.cursor <= cursor) return;
    }
  }

  private async toApply(s: Session, rec: PulledRecord, files: Array<[string, FileInfo]>): Promise<ApplyRecord> {
    if (rec.kind !== 'attachment') return { seq: rec.seq, kind: rec.kind, id: rec.id, record: rec.record } as ApplyRecord;
    if (!rec.record || rec.record.deletedAt !== null || !rec.file) return { seq: rec.seq, kind: 'attachment', id: rec.id, record: rec.record };
    const file = rec.file;
    const localSize = await this.storage.sync.localFileSize(rec.id);
    files.push([rec.id, file]);
    if (localSize === file.size) return { seq: rec.seq, kind: 'attachment', id: rec.id, record: rec.record };
    const bytes = await downloadFile(s.transport, s.key, rec.id, file);
    return { seq: rec.seq, kind: 'attachment', id: rec.id, record: { ...rec.record, data: new Blob([bytes as BlobPart], { type: rec.record.type }) } };
  }
}
