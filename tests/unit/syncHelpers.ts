// Test helper: a "device" (its own fake-indexeddb database, sync client and account deps) talking
// to a given fetch function (the fake server or the real one in-process).
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { openStorage, type Storage } from '../../src/db';
import { buildExport, exportSourceOf } from '../../src/io/exportBuilder';
import { parseImportFile } from '../../src/io/parseFile';
import { KDF_LIMITS } from '../../src/shared/sync/protocol';
import type { AccountDeps } from '../../src/sync/account';
import { SyncClient, type SyncClientOptions } from '../../src/sync/client';
import { deriveSecret } from '../../src/sync/kdfCore';
import { httpTransport } from '../../src/sync/transport';

export const SERVER = 'http://sync.test';
export const PASSWORD = 'correct horse battery';

export interface Device {
  storage: Storage;
  deps: AccountDeps;
  client: SyncClient;
  creds(email?: string, password?: string): { serverUrl: string; email: string; password: string };
  /** Another tab of this device: the same IndexedDB database, its own connection and client. */
  tab(fetchFn?: typeof fetch, opts?: DeviceOptions): Device;
}

export type DeviceOptions = Partial<Pick<SyncClientOptions, 'chunkBytes' | 'pageSize' | 'batchSize' | 'lock' | 'appVersion'>>;

let n = 0;

export function device(fetchFn: typeof fetch, opts: DeviceOptions = {}, db?: { name: string; indexedDB: IDBFactory }): Device {
  const where = db ?? { name: `sync-device-${++n}`, indexedDB: new IDBFactory() };
  const storage = openStorage(where.name, { indexedDB: where.indexedDB, IDBKeyRange });
  const transport = (serverUrl: string, token?: () => string | null | undefined) => httpTransport({ serverUrl, token, fetch: fetchFn });
  const deps: AccountDeps = { storage, transport, derive: deriveSecret, kdfMemoryKiB: KDF_LIMITS.memoryKiB.min };
  const client = new SyncClient({ storage, transport, ...opts });
  return {
    storage,
    deps,
    client,
    creds: (email = 'ann@example.org', password = PASSWORD) => ({ serverUrl: SERVER, email, password }),
    tab: (otherFetch = fetchFn, otherOpts = opts) => device(otherFetch, otherOpts, where),
  };
}

/** Everything a device holds that syncs, for before/after comparisons. */
export async function snapshot(s: Storage) {
  const db = s.db;
  const attachments = await Promise.all(
    (await db.attachments.toArray()).map(async ({ data, ...a }) => ({ ...a, bytes: Array.from(new Uint8Array(await data.arrayBuffer())) })),
  );
  return {
    conversations: await db.conversations.orderBy('id').toArray(),
    messages: await db.messages.orderBy('id').toArray(),
    attachments: attachments.sort((a, b) => a.id.localeCompare(b.id)),
    cursor: await s.sync.cursor(),
  };
}

/** The export dialog's file of everything on a device, and the import dialog writing one. */
export const exportOf = async (d: Device) => (await buildExport(exportSourceOf(d.storage), { includeAttachments: true })).text();
export const importInto = async (d: Device, json: string) =>
  d.storage.imports.write((await parseImportFile(new Blob([json], { type: 'application/json' }), 'export.json')).bundles);
