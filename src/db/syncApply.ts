// Applies pages pulled from the sync server, without putting them in the outbox (they came from
// the server; queueing them would echo every pull back as a push), in one transaction with the
// cursor update, so a crash leaves either the whole page applied with its cursor or nothing.
// Also keeps the records set aside (pulled but not applicable here) and marks local records for
// reconciling.
//
// Rules (documented in docs/architecture.md "Sync"):
// - A page at or below the stored cursor is skipped (another tab applied it, or a newer one):
//   compared in the same transaction that applies it. Only a retry of a record set aside at that
//   very seq passes.
// - Last writer wins by server order: a pulled version replaces the local one...
// - ...unless the version held here is newer by `updatedAt`: then it is kept and queued again, so
//   a stale version pushed late (by a device that had not seen the newer one) never wins;
// - ...and unless the record has a pending local change (an outbox entry) at least as new by
//   `updatedAt` (every write stamps a record later than the version it changed, src/db/ids.ts):
//   then the local version is kept, and since it is pushed after this pull (a sync pulls first)
//   it gets a later server seq and wins everywhere. A pending change OLDER than the pulled
//   version (a record another device changed after this one, e.g. on top of an imported copy of
//   it) gives way: the pulled version is applied and the entry dropped.
//   An entry queued to reconcile (`reconcile`: an import, a sign-in, a restore) is no local change:
//   the pulled version wins unless the local one is newer (then the entry becomes an ordinary one
//   and is pushed). A version that gives way also leaves the unanswered push batch, if in it.
// - A record that cannot be applied (it fails to decrypt or validate, comes from a newer app,
//   misses chunks, or does not fit what this device knows: same id but another kind, a message
//   moved to another conversation) is SET ASIDE: kept opaque in syncState (`aside:<id>`), counted
//   in the Sync dialog, and the cursor moves past it. A newer version of it that applies replaces
//   it; the client retries set-aside records when the app version changes.
// - A record pulled as gone (`record: null`, a tombstone) is kept locally as a deleted row without
//   content (unless a local change waits), so a stale copy pulled later is compared with it and
//   loses. A conversation tombstone marks the local conversation deleted (hidden; its
//   messages and attachments stay until their own tombstones come, when the delete is final), so a
//   concurrent edit that brings the conversation back finds them; a conversation this device
//   already holds as deleted is left as it is (its own delete, which it may still undo: the undo
//   pushes the conversation with all its messages and attachments again).
import { guard } from './errors';
import { after } from './ids';
import { enqueueMany, outboxKey } from './outbox';
import type { HearthDb } from './schema';
import type { Attachment, Conversation, Message, SyncKind } from './types';

export type ApplyRecord = (
  | { kind: 'conversation'; record: Conversation | null }
  | { kind: 'message'; record: Message | null }
  /** `record.data` undefined keeps the local bytes (the attachment's content never changes). */
  | { kind: 'attachment'; record: (Omit<Attachment, 'data'> & { data?: Blob }) | null }
) & {
  seq: number;
  id: string;
  /** As pulled, to set it aside if it does not fit. */
  ciphertext: string;
  /** A tombstone's time (the deleted record's `updatedAt`), compared with pending local changes. */
  stamp?: number;
};

/** A pulled record kept opaque because this device cannot apply it. */
export interface AsideRecord {
  seq: number;
  recordId: string;
  ciphertext: string;
  reason: string;
  /** The app version that set it aside (retried when it changes). */
  appVersion: string;
}

/** Where the pull cursor stands: the seq, the record pulled at it and its push's mark (null when none). */
export interface PullCursor {
  seq: number;
  at: string | null;
  mark?: string | null;
}

export interface ApplyResult {
  applied: number;
  /** Records not overwritten because a local change waits to be pushed. */
  keptLocal: number;
  /** Records set aside by this page. */
  setAside: number;
  /** Records skipped because the stored cursor was already past them. */
  stale: number;
  cursor: number;
}

/** The syncState keys of the pull cursor and of the record at it. */
export const SYNC_CURSOR_KEY = 'cursor';
export const SYNC_CURSOR_AT_KEY = 'cursorAt';
export const SYNC_CURSOR_MARK_KEY = 'cursorMark';
export const asideKey = (recordId: string) => `aside:${recordId}`;
/** The syncState key of the push batch waiting for the server's answer (src/db/sync.ts). */
export const SYNC_PENDING_KEY = 'pendingBatch';

/** What this module reads of a pending batch. */
interface PendingShape {
  mutations: { recordId: string }[];
  entries: { key: string }[];
}

const KINDS: SyncKind[] = ['conversation', 'message', 'attachment'];
type Table = HearthDb['messages'];

const tableOf = (db: HearthDb, kind: SyncKind) =>
  (kind === 'conversation' ? db.conversations : kind === 'message' ? db.messages : db.attachments) as unknown as Table;

export function applyPulled(db: HearthDb, records: ApplyRecord[], aside: Omit<AsideRecord, 'appVersion'>[], cursor: PullCursor, appVersion: string): Promise<ApplyResult> {
  const table = (kind: SyncKind) => tableOf(db, kind);
  return guard(() =>
    db.transaction('rw', [db.conversations, db.messages, db.attachments, db.outbox, db.syncState], async () => {
      const before = ((await db.syncState.get(SYNC_CURSOR_KEY))?.value as number | undefined) ?? 0;
      const result: ApplyResult = { applied: 0, keptLocal: 0, setAside: 0, stale: 0, cursor: Math.max(before, cursor.seq) };
      const setAside = async (a: Omit<AsideRecord, 'appVersion'>) => {
        await db.syncState.put({ key: asideKey(a.recordId), value: { ...a, appVersion } satisfies AsideRecord });
        // Not comparable here: a local copy queued to reconcile stays unpushed (the server holds a
        // version) until this record applies (an app update), when the usual comparison decides.
        const keys = KINDS.map((kind) => outboxKey(kind, a.recordId));
        const queued = (await db.outbox.bulkGet(keys)).filter((e) => e?.reconcile);
        await db.outbox.bulkDelete(queued.map((e) => e!.key));
        result.setAside++;
      };
      for (const a of aside) {
        if (a.seq <= before && !(await isRetry(a.recordId, a.seq))) result.stale++;
        else await setAside(a);
      }
      for (const r of records) {
        if (r.seq <= before && !(await isRetry(r.id, r.seq))) {
          result.stale++;
          continue;
        }
        const reason = await conflict(r);
        if (reason) {
          await setAside({ seq: r.seq, recordId: r.id, ciphertext: r.ciphertext, reason: `it does not fit this device's data: ${reason}` });
          continue;
        }
        const prior = (await db.syncState.get(asideKey(r.id)))?.value as AsideRecord | undefined;
        if (prior && prior.seq <= r.seq) await db.syncState.delete(asideKey(r.id));
        const key = outboxKey(r.kind, r.id);
        const entry = await db.outbox.get(key);
        const local = (await table(r.kind).get(r.id)) as { updatedAt: number } | undefined;
        const theirs = r.record ? r.record.updatedAt : r.stamp;
        if (!entry && local && theirs !== undefined && local.updatedAt > theirs) {
          // An older version came after the one held here (pushed by a device that had not seen
          // this one): keep this one and push it again, so every device ends with the newer.
          await enqueueMany(db, [{ kind: r.kind, id: r.id }]);
          result.keptLocal++;
          continue;
        }
        if (entry) {
          const keep = entry.reconcile ? !!local && theirs !== undefined && local.updatedAt > theirs : !(local && theirs !== undefined && theirs > local.updatedAt);
          if (keep) {
            // Over an OLDER pulled version: queued anew (an ordinary change now), so it is pushed
            // after this pull even if a batch that carried it was applied before that version
            // overwrote it. (An equal one is this device's own push coming back.)
            if (local && theirs !== undefined && theirs < local.updatedAt) await enqueueMany(db, [{ kind: r.kind, id: r.id }]);
            result.keptLocal++;
            continue;
          }
          await db.outbox.delete(key);
          await dropFromPending(r.id, key);
        }
        const t = table(r.kind);
        if (!r.record) await (r.kind === 'conversation' ? removeConversation(r.id, r.stamp) : keepAsDeleted(r.kind, r.id, r.stamp));
        else if (r.kind === 'attachment') {
          const local = (await db.attachments.get(r.id))?.data;
          await db.attachments.put({ ...r.record, data: r.record.data ?? local ?? new Blob([]) });
        } else await t.put(r.record as Message);
        result.applied++;
      }
      // A version waiting in the unanswered push batch that a newer pulled one replaced: dropped
      // from the batch, so the resend cannot put it back over the newer one. (If the server did
      // apply it, the pulled version came after it anyway; mutation ids need only increase.)
      async function dropFromPending(recordId: string, key: string) {
        const row = await db.syncState.get(SYNC_PENDING_KEY);
        const batch = row?.value as PendingShape | undefined;
        if (!batch?.mutations.some((m) => m.recordId === recordId)) return;
        const mutations = batch.mutations.filter((m) => m.recordId !== recordId);
        if (!mutations.length) await db.syncState.delete(SYNC_PENDING_KEY);
        else await db.syncState.put({ key: SYNC_PENDING_KEY, value: { ...batch, mutations, entries: batch.entries.filter((e) => e.key !== key) } });
      }
      if (cursor.seq > before) {
        await db.syncState.bulkPut([
          { key: SYNC_CURSOR_KEY, value: cursor.seq },
          { key: SYNC_CURSOR_AT_KEY, value: cursor.at },
          { key: SYNC_CURSOR_MARK_KEY, value: cursor.mark ?? null },
        ]);
      }
      return result;
    }),
  );

  async function isRetry(recordId: string, seq: number): Promise<boolean> {
    const prior = (await db.syncState.get(asideKey(recordId)))?.value as AsideRecord | undefined;
    return prior?.seq === seq;
  }

  /**
   * A conversation tombstone: the conversation is marked deleted here as on the deleting device
   * (hidden, kept for its undo window; its messages and attachments follow as tombstones once the
   * delete is final). Removing them at once would lose them for good if a concurrent edit (a rename
   * pushed after the delete) brings the conversation back: nothing would send its messages again.
   */
  /** Marks a conversation deleted by a pulled tombstone, stamped as the tombstone (its delete's time). */
  async function removeConversation(id: string, stamp: number | undefined): Promise<void> {
    const local = await db.conversations.get(id);
    if (!local || local.deletedAt !== null) return;
    const at = stamp ?? Date.now();
    await db.conversations.put({ ...local, deletedAt: at, updatedAt: Math.max(at, local.updatedAt) });
  }

  /**
   * A message or attachment tombstone: the local row stays as a deleted one without text, file name
   * or bytes (as the final delete leaves it on the deleting device), stamped as the tombstone. Removing
   * the row would leave nothing to compare with: a stale live copy pushed later (by a device
   * reconciling after a server restore) would then come back here and spread.
   */
  async function keepAsDeleted(kind: 'message' | 'attachment', id: string, stamp: number | undefined): Promise<void> {
    const local = await table(kind).get(id);
    if (!local || local.deletedAt !== null) return;
    const at = stamp ?? after(local.updatedAt);
    const updatedAt = Math.max(at, local.updatedAt);
    if (kind === 'message') await db.messages.put({ ...local, content: '', deletedAt: at, updatedAt });
    else {
      const { text: _text, ...a } = local as unknown as Attachment;
      await db.attachments.put({ ...a, name: '', data: new Blob([], { type: a.type }), deletedAt: at, updatedAt });
    }
  }

  async function conflict(r: ApplyRecord): Promise<string | null> {
    for (const other of KINDS) {
      if (other !== r.kind && (await table(other).get(r.id))) return `it claims to be a ${r.kind} but this device has it as a ${other}`;
    }
    if (r.kind === 'conversation' || !r.record) return null;
    const local = (await table(r.kind).get(r.id)) as Message | Attachment | undefined;
    if (local && local.conversationId !== r.record.conversationId) return `it would move a ${r.kind} to another conversation`;
    return null;
  }
}

/** How many records are set aside (without reading them). */
export function asideCount(db: HearthDb): Promise<number> {
  return guard(() => db.syncState.where('key').startsWith('aside:').count());
}

/** The records set aside, oldest first. */
export function asideRecords(db: HearthDb): Promise<AsideRecord[]> {
  return guard(async () =>
    ((await db.syncState.where('key').startsWith('aside:').toArray()).map((r) => r.value) as AsideRecord[]).sort((a, b) => a.seq - b.seq),
  );
}

/**
 * Queues every local record to reconcile with the server (call inside a transaction over the
 * record tables and the outbox). With `keepPending`, records with a real local change waiting keep
 * their ordinary entry (pushed after the pull, so they win as usual); without, those become
 * reconcile entries too (a sign-in cannot tell them apart): the newer by `updatedAt` wins.
 */
export async function queueAllForReconcile(db: HearthDb, keepPending: boolean): Promise<void> {
  const pending = keepPending ? new Set((await db.outbox.toArray()).filter((e) => !e.reconcile).map((e) => e.key)) : new Set<string>();
  for (const kind of KINDS) {
    const ids = (await tableOf(db, kind).toCollection().primaryKeys()).map(String).filter((id) => !pending.has(outboxKey(kind, id)));
    await enqueueMany(db, ids.map((id) => ({ kind, id })), true);
  }
}
