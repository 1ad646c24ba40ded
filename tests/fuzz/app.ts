// The app as the fuzzer drives it: devices, each with its own fake-indexeddb IDBFactory, and tabs
// on a device (each its own HearthDb connection and SyncClient over that device's database), using
// the repositories of src/db, the account actions of src/sync/account.ts and SyncClient.syncOnce()
// the way the stores (src/stores/chat.ts, conversations.ts, io.ts, sync.ts) and the runner do.
// Nothing here writes to IndexedDB or the server except through that product code.
import { createHash } from 'node:crypto';
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { openStorage, type Attachment, type Conversation, type Message, type Storage } from '../../src/db';
import { buildExport, exportSourceOf } from '../../src/io/exportBuilder';
import { parseImportFile } from '../../src/io/parseFile';
import { KDF_LIMITS, type KdfParams } from '../../src/shared/sync/protocol';
import type * as account from '../../src/sync/account';
import { SyncClient, type SyncReport } from '../../src/sync/client';
import type { SyncLock } from '../../src/sync/lock';
import { toSyncError } from '../../src/sync/errors';
import { httpTransport } from '../../src/sync/transport';
import type { Net } from './net';

/** The server URL every device uses; the network routes it to a live instance. */
export const SERVER_URL = 'http://sync.fuzz';
/** Every text the fuzzer writes contains this; no server table, chunk or log may. */
export const MARKER = 'FUZZPLAIN';

/**
 * The key derivation, cheap: SHA-512 of Argon2id's inputs (the same inputs give the same 64 bytes,
 * other inputs other bytes). The fuzzer checks sync, not the KDF (tests/unit/sync-kdf.test.ts
 * does), and Argon2id at 64 MiB took about half a second a sign-in.
 */
const derive = async (password: string, email: string, kdf: KdfParams) =>
  new Uint8Array(createHash('sha512').update(JSON.stringify([password, email, kdf.salt, kdf.memoryKiB, kdf.iterations, kdf.parallelism])).digest());

export interface Activity {
  what: string;
  settled: boolean;
  /** The error as the app would show it: code and message. */
  error?: { code: string; message: string };
  report?: SyncReport;
}

let tabSerial = 0;

export class Tab {
  readonly id: string;
  readonly storage: Storage;
  readonly client: SyncClient;
  readonly deps: account.AccountDeps;
  activity: Activity | null = null;

  constructor(
    readonly device: Device,
    readonly slot: number,
  ) {
    this.id = `d${device.index}t${slot}#${++tabSerial}`;
    this.storage = openStorage('hearth', { indexedDB: device.factory, IDBKeyRange });
    const fetchFn = device.net.fetchFor(this.id, device.address);
    const transport = (serverUrl: string, token?: () => string | null | undefined) => httpTransport({ serverUrl, token, fetch: fetchFn });
    // The tabs of one device share its sync lock (the Web Lock "hearth-sync" in a browser).
    this.client = new SyncClient({ storage: this.storage, transport, chunkBytes: 1024, lock: device.lock.for(this.id) });
    this.deps = { storage: this.storage, transport, derive, kdfMemoryKiB: KDF_LIMITS.memoryKiB.min };
  }

  get busy(): boolean {
    return !!this.activity && !this.activity.settled;
  }

  /** Starts `work` in the background (its requests wait on the network); one at a time per tab. */
  start(what: string, work: () => Promise<SyncReport | void>): Activity | null {
    if (this.busy) return null;
    const a: Activity = { what, settled: false };
    this.activity = a;
    work().then(
      (report) => {
        a.settled = true;
        if (report) a.report = report;
      },
      (e) => {
        a.settled = true;
        const err = toSyncError(e);
        a.error = { code: err.code, message: err.message };
      },
    );
    return a;
  }
}

/**
 * The device's Web Lock "hearth-sync": one holder at a time, in request order. As in a browser, a
 * closed tab's hold ends and its queued requests are dropped (its work never runs).
 */
class DeviceLock {
  private tail: Promise<void> = Promise.resolve();
  private readonly held = new Map<string, () => void>();
  private readonly gone = new Set<string>();
  /** Tabs waiting for the lock (their work has not started). */
  private readonly queued = new Set<string>();

  /** The tab holding the lock, if any. */
  get holder(): string | undefined {
    return this.held.keys().next().value;
  }

  /** The tab waits for the lock (not for the network or its own work). */
  waits(tabId: string): boolean {
    return this.queued.has(tabId);
  }

  for(tabId: string): SyncLock {
    return <T>(work: () => Promise<T>): Promise<T> => {
      const before = this.tail;
      let release!: () => void;
      const hold = new Promise<void>((r) => (release = r));
      this.tail = before.then(() => hold);
      this.queued.add(tabId);
      return before.then(async () => {
        this.queued.delete(tabId);
        if (this.gone.has(tabId)) {
          release();
          throw new Error(`tab ${tabId} is closed`);
        }
        this.held.set(tabId, release);
        try {
          return await work();
        } finally {
          this.held.delete(tabId);
          release();
        }
      });
    };
  }

  closed(tabId: string): void {
    this.gone.add(tabId);
    this.queued.delete(tabId);
    this.held.get(tabId)?.();
    this.held.delete(tabId);
  }
}

export class Device {
  readonly factory = new IDBFactory();
  /** One lock per device, as the browser's Web Locks are per origin and profile. */
  readonly lock = new DeviceLock();
  tabs: Tab[];
  /** The last account action or sync on this device ended with "session ended" (401). */
  sessionEnded = false;
  /** The conversation the last delete on this device removed (the Undo toast). */
  lastDeleted: string | null = null;

  constructor(
    readonly index: number,
    readonly net: Net,
    readonly address: string,
    tabCount: number,
  ) {
    this.tabs = Array.from({ length: tabCount }, (_, slot) => new Tab(this, slot));
  }

  /** The tab is closed (its pending work abandoned) and opened again. */
  reopen(slot: number): Tab {
    const old = this.tabs[slot];
    this.net.forget(old.id);
    this.lock.closed(old.id);
    old.storage.close();
    this.tabs[slot] = new Tab(this, slot);
    return this.tabs[slot];
  }

  async signedIn(): Promise<boolean> {
    return !!(await this.tabs[0].storage.sync.account());
  }
}

// ---- what the user does (as the stores do it) ----------------------------------------------------

const pick = <T>(list: T[], p: number): T | undefined => list[Math.floor(p * list.length)];
const byAge = <T extends { createdAt: number; id: string }>(a: T, b: T) => a.createdAt - b.createdAt || a.id.localeCompare(b.id);

export async function liveConversations(s: Storage): Promise<Conversation[]> {
  return (await s.conversations.list()).sort(byAge);
}

async function messagesOf(s: Storage, conversationId: string, role: Message['role']): Promise<Message[]> {
  return (await s.messages.listByConversation(conversationId)).filter((m) => m.role === role).sort(byAge);
}

/** A reply as chat.ts streams it: added as 'streaming', then its final text and status. */
async function reply(s: Storage, conv: Conversation, user: Message, text: string): Promise<void> {
  const a = await s.messages.add({ conversationId: conv.id, parentId: user.id, role: 'assistant', content: '', status: 'streaming' });
  await s.messages.update(a.id, { content: text, status: 'complete', metadata: { finishReason: 'stop' } });
}

/** chat.send() on a new chat (conversations.ensureActive creates it). */
export async function createConversation(s: Storage, text: (what: string) => string): Promise<void> {
  const conv = await s.conversations.create({ systemPrompt: '' });
  const user = await s.messages.add({ conversationId: conv.id, parentId: conv.currentLeafId, role: 'user', content: text('question') });
  await reply(s, conv, user, text('answer'));
}

/** chat.send() in an existing conversation, at the end of the branch on screen; optionally with a file. */
export async function send(s: Storage, p: number, text: (what: string) => string, withFile: boolean): Promise<boolean> {
  const conv = pick(await liveConversations(s), p);
  if (!conv) return false;
  const input = { conversationId: conv.id, parentId: conv.currentLeafId, role: 'user' as const, content: text('question') };
  const user = withFile
    ? (await s.attachments.addMessageWithFiles(s.messages, input, [{ name: `${text('file')}.txt`, type: 'text/plain', data: new Blob([`${text('file bytes')}\n`.repeat(60)]) }])).message
    : await s.messages.add(input);
  await reply(s, conv, user, text('answer'));
  return true;
}

export async function rename(s: Storage, p: number, title: string): Promise<boolean> {
  const conv = pick(await liveConversations(s), p);
  if (!conv) return false;
  await s.conversations.rename(conv.id, title);
  return true;
}

export async function togglePin(s: Storage, p: number): Promise<boolean> {
  const conv = pick(await liveConversations(s), p);
  if (!conv) return false;
  await s.conversations.setPinned(conv.id, !conv.pinned);
  return true;
}

export async function setSystemPrompt(s: Storage, p: number, prompt: string): Promise<boolean> {
  const conv = pick(await liveConversations(s), p);
  if (!conv) return false;
  await s.conversations.setSystemPrompt(conv.id, prompt);
  return true;
}

export async function remove(s: Storage, p: number): Promise<string | null> {
  const conv = pick(await liveConversations(s), p);
  if (!conv) return null;
  await s.conversations.remove(conv.id);
  return conv.id;
}

/** The Undo of the delete toast. */
export async function undo(s: Storage, id: string): Promise<boolean> {
  const c = await s.db.conversations.get(id);
  if (!c || c.deletedAt === null) return false;
  await s.conversations.restore(id);
  return true;
}

/** chat.regenerate(): a new reply beside an existing one. */
export async function regenerate(s: Storage, p: number, q: number, text: (what: string) => string): Promise<boolean> {
  const conv = pick(await liveConversations(s), p);
  const old = conv && pick(await messagesOf(s, conv.id, 'assistant'), q);
  const user = old?.parentId ? await s.messages.get(old.parentId) : undefined;
  if (!conv || !user) return false;
  await reply(s, conv, user, text('regenerated answer'));
  return true;
}

/** chat.editAndResend(): an edited question beside the original (keeping its files), then a reply. */
export async function edit(s: Storage, p: number, q: number, text: (what: string) => string): Promise<boolean> {
  const conv = pick(await liveConversations(s), p);
  const old = conv && pick(await messagesOf(s, conv.id, 'user'), q);
  if (!conv || !old) return false;
  const user = await s.messages.add({ conversationId: conv.id, parentId: old.parentId, role: 'user', content: text('edited question'), attachmentIds: old.attachmentIds });
  await reply(s, conv, user, text('answer'));
  return true;
}

/** The attachments store's periodic purge, once the undo window of every delete has passed. */
export async function purge(s: Storage): Promise<number> {
  return s.attachments.purgeDeleted(Date.now() + 1);
}

/**
 * Export one conversation of `from` (the export dialog) and import the file on `to` (the import
 * dialog): as it is (same ids: importing it twice adds nothing), or as a file from elsewhere with
 * new ids, written upper-case when `upper` (the export format's schema accepts them).
 */
export async function exportImport(from: Storage, to: Storage, p: number, fresh: boolean, upper: boolean, newId: () => string): Promise<boolean> {
  const conv = pick(await liveConversations(from), p);
  if (!conv) return false;
  let json = await (await buildExport(exportSourceOf(from), { includeAttachments: true, conversationIds: [conv.id] })).text();
  if (fresh) {
    const ids = new Map<string, string>();
    json = json.replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi, (id) => {
      if (!ids.has(id)) ids.set(id, upper ? newId().toUpperCase() : newId());
      return ids.get(id)!;
    });
  }
  const parsed = await parseImportFile(new Blob([json], { type: 'application/json' }), 'fuzz-export.json');
  await to.imports.write(parsed.bundles);
  return true;
}

// ---- what a device holds -------------------------------------------------------------------------

export type Snapshot = Map<string, string>;

function canonical(value: unknown): string {
  return JSON.stringify(value, (_k, v) => (v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b))) : v));
}

async function sha256(blob: Blob): Promise<string> {
  return Buffer.from(await crypto.subtle.digest('SHA-256', await blob.arrayBuffer())).toString('hex');
}

/** Every synced record of a device, `kind:id` -> canonical JSON (a live attachment's bytes as a hash). */
export async function snapshot(s: Storage): Promise<Snapshot> {
  const out: Snapshot = new Map();
  for (const c of await s.db.conversations.toArray()) out.set(`conversation:${c.id}`, canonical(c));
  for (const m of await s.db.messages.toArray()) out.set(`message:${m.id}`, canonical(m));
  for (const { data, ...a } of await s.db.attachments.toArray()) {
    out.set(`attachment:${a.id}`, canonical({ ...a, bytes: a.deletedAt === null ? await sha256(data) : null } satisfies Omit<Attachment, 'data'> & { bytes: string | null }));
  }
  return out;
}
