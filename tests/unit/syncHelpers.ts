// Test helper: a "device" (its own fake-indexeddb database, sync client and account deps) talking
// to a given fetch function (the fake server or the real one in-process).
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { openStorage, type Storage } from '../../src/db';
import { KDF_LIMITS } from '../../src/shared/sync/protocol';
import type { AccountDeps } from '../../src/sync/account';
import { SyncClient } from '../../src/sync/client';
import { deriveSecret } from '../../src/sync/kdfCore';
import { httpTransport } from '../../src/sync/transport';

export const SERVER = 'http://sync.test';
export const PASSWORD = 'correct horse battery';

export interface Device {
  storage: Storage;
  deps: AccountDeps;
  client: SyncClient;
  creds(email?: string, password?: string): { serverUrl: string; email: string; password: string };
}

let n = 0;

export function device(fetchFn: typeof fetch, opts: { chunkBytes?: number; pageSize?: number; batchSize?: number } = {}): Device {
  const storage = openStorage(`sync-device-${++n}`, { indexedDB: new IDBFactory(), IDBKeyRange });
  const transport = (serverUrl: string, token?: () => string | null | undefined) => httpTransport({ serverUrl, token, fetch: fetchFn });
  const deps: AccountDeps = { storage, transport, derive: deriveSecret, kdfMemoryKiB: KDF_LIMITS.memoryKiB.min };
  const client = new SyncClient({ storage, transport, ...opts });
  return {
    storage,
    deps,
    client,
    creds: (email = 'ann@example.org', password = PASSWORD) => ({ serverUrl: SERVER, email, password }),
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
