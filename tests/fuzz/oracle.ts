// What the fuzzer knows should be true, and the checks after quiescence. Every local write is
// recorded as a version of its record (identified by its content, which includes `updatedAt`,
// unique per write) with the version the device held before it as its parent. After quiescence:
// - each device holds, for each record, a version some device wrote ("unknown-version" if not);
// - that version has no descendant: a version written on top of it would otherwise be lost
//   ("lost-write"; "resurrected" when the lost descendant was a delete);
// - every record some device wrote is on every device ("missing-record"), except what a delete
//   removed: tombstones carry no content, so other devices drop a deleted conversation with its
//   messages and attachments (the deleting device keeps its soft-deleted copy for Undo);
// - every device holds the same visible state ("diverged"; `visible` leaves out deleted records
//   and what belongs to deleted conversations), and so does a new device signing in;
// - a restore from a backup may lose what only the server held (no device held it at that moment:
//   a device removed its data on sign-out after pushing it); that alone is excused;
// - no server table, chunk or log holds a marker of the plaintext ("plaintext");
// - the server never answered 5xx ("server-error"), and every device finished syncing ("stuck");
//   tests/fuzz/run.ts adds "hang" (no progress) and "crash" (a user action threw something else
//   than the app's own errors).
import { createHash } from 'node:crypto';
import { MARKER, type Snapshot } from './app';

export interface Violation {
  invariant: string;
  detail: string;
}

interface Version {
  parent: string | null;
  deleted: boolean;
  /** The conversation a message or attachment belongs to. */
  conversationId: string | null;
  /** Which device wrote it, in which operation (index into the schedule). */
  by: string;
  /** No device held it when the server was restored from a backup: only the server did. */
  restoreLost?: string;
}

const hash = (json: string) => createHash('sha1').update(json).digest('hex').slice(0, 16);
const deletedIn = (json: string) => (JSON.parse(json) as { deletedAt?: number | null }).deletedAt != null;
const conversationOf = (json: string) => (JSON.parse(json) as { conversationId?: string }).conversationId ?? null;

/** A device's state as its user sees it: no deleted records, nothing of a deleted conversation. */
export function visible(s: Snapshot): Snapshot {
  const live = new Set<string>();
  for (const [key, json] of s) if (key.startsWith('conversation:') && !deletedIn(json)) live.add(key.slice('conversation:'.length));
  const out: Snapshot = new Map();
  for (const [key, json] of s) {
    if (deletedIn(json)) continue;
    const c = conversationOf(json);
    if (!key.startsWith('conversation:') && (!c || !live.has(c))) continue;
    out.set(key, json);
  }
  return out;
}

export class Oracle {
  private readonly versions = new Map<string, Map<string, Version>>();
  private readonly children = new Map<string, string[]>();

  /** Records the writes a local operation made: what differs between `before` and `after`. */
  record(before: Snapshot, after: Snapshot, by: string): void {
    for (const [key, json] of after) {
      const old = before.get(key);
      if (old === json) continue;
      const h = hash(json);
      let versions = this.versions.get(key);
      if (!versions) this.versions.set(key, (versions = new Map()));
      if (versions.has(h)) continue;
      const parent = old === undefined ? null : hash(old);
      versions.set(h, { parent, deleted: deletedIn(json), conversationId: conversationOf(json), by });
      if (parent) this.children.set(`${key}@${parent}`, [...(this.children.get(`${key}@${parent}`) ?? []), h]);
    }
  }

  /**
   * A restore from a backup: every version no device holds now (`held`: each device's state) was
   * only on the server (its device removed its data on sign-out after the push), so the restore
   * may lose it for good; no sync design can bring it back. Such versions, with every version
   * written on top of them (if none is held either), are excused from "missing-record" and
   * "lost-write"; anything a device still holds must survive.
   */
  restored(held: Snapshot[], at: string): void {
    const have = new Set(held.flatMap((s) => [...s].map(([key, json]) => `${key}@${hash(json)}`)));
    for (const [key, versions] of this.versions) for (const [h, v] of versions) if (!v.restoreLost && !have.has(`${key}@${h}`)) v.restoreLost = at;
  }

  /** Whether a version and every version written on top of it are excused by a restore. */
  private lostToRestore(key: string, h: string): boolean {
    return !!this.versions.get(key)?.get(h)?.restoreLost && (this.children.get(`${key}@${h}`) ?? []).every((k) => this.lostToRestore(key, k));
  }

  /** The checks on one device's final state. */
  check(name: string, final: Snapshot): Violation[] {
    const out: Violation[] = [];
    for (const [key, json] of final) {
      const h = hash(json);
      const v = this.versions.get(key)?.get(h);
      // A device that pulls a conversation's tombstone marks its own copy deleted: a version of its
      // own, standing for a delete some device wrote (whether it holds is judged by "diverged").
      if (!v && deletedIn(json) && [...(this.versions.get(key)?.values() ?? [])].some((x) => x.deleted)) continue;
      if (!v) {
        out.push({ invariant: 'unknown-version', detail: `${name} holds ${key} in a version no device wrote: ${json.slice(0, 300)}` });
        continue;
      }
      const kids = this.children.get(`${key}@${h}`)?.filter((k) => !this.lostToRestore(key, k));
      if (!kids?.length) continue;
      const lost = kids.map((k) => this.versions.get(key)!.get(k)!);
      const resurrected = !v.deleted && lost.some((l) => l.deleted);
      out.push({
        invariant: resurrected ? 'resurrected' : 'lost-write',
        detail: `${name} holds ${key} as written by ${v.by}${v.deleted ? ' (deleted)' : ''}, but ${lost.map((l) => `${l.by}${l.deleted ? ' (a delete)' : ''}`).join(', ')} wrote on top of it and that is lost`,
      });
    }
    const shown = visible(final);
    for (const [key, versions] of this.versions) {
      if (final.has(key)) continue;
      // Gone by a delete: the record's own, or its conversation is not shown on this device.
      const all = [...versions.values()];
      if (all.some((v) => v.deleted)) continue;
      if ([...versions.keys()].every((h) => this.lostToRestore(key, h))) continue;
      const c = all.find((v) => v.conversationId)?.conversationId;
      if (c && !shown.has(`conversation:${c}`) && [...(this.versions.get(`conversation:${c}`)?.values() ?? [])].some((v) => v.deleted)) continue;
      out.push({ invariant: 'missing-record', detail: `${name} does not hold ${key} (written by ${[...this.versions.get(key)!.values()].map((v) => v.by).join(', ')})` });
    }
    return out;
  }
}

/** Devices that do not hold what the first one holds, record by record (a few examples). */
export function compare(states: [string, Snapshot][], invariant = 'diverged'): Violation[] {
  const [[firstName, first], ...rest] = states.map(([name, s]): [string, Snapshot] => [name, visible(s)]);
  const out: Violation[] = [];
  for (const [name, s] of rest) {
    const keys = new Set([...first.keys(), ...s.keys()]);
    const differ = [...keys].filter((k) => first.get(k) !== s.get(k));
    if (!differ.length) continue;
    const k = differ[0];
    out.push({
      invariant,
      detail: `${name} and ${firstName} differ in ${differ.length} record(s), e.g. ${k}: ${s.get(k)?.slice(0, 200) ?? '(absent)'} vs ${first.get(k)?.slice(0, 200) ?? '(absent)'}`,
    });
  }
  return out;
}

/** Where the plaintext marker appears in server tables or logs. */
export function plaintextIn(dump: { table: string; rows: Record<string, unknown>[] }[], logs: string): Violation[] {
  const out: Violation[] = [];
  for (const { table, rows } of dump) {
    for (const row of rows) {
      for (const [col, value] of Object.entries(row)) {
        const text = value instanceof Uint8Array ? Buffer.from(value).toString('latin1') : typeof value === 'string' ? value : JSON.stringify(value) ?? '';
        if (text.includes(MARKER)) out.push({ invariant: 'plaintext', detail: `table ${table}, column ${col}: ${text.slice(Math.max(0, text.indexOf(MARKER) - 40), text.indexOf(MARKER) + 60)}` });
      }
    }
  }
  const at = logs.indexOf(MARKER);
  if (at >= 0) out.push({ invariant: 'plaintext', detail: `server log: ${logs.slice(Math.max(0, at - 80), at + 60)}` });
  return out;
}
