// The sync client against an in-memory server that follows the protocol (tests/unit/syncFakeServer.ts):
// two devices converge, the server only ever holds ciphertext, retries resend the same persisted
// batch, pulled records are never re-queued, a pending local change wins, and anything the server
// tampers with is refused without touching local data.
import { beforeEach, describe, expect, it } from 'vitest';
import { changePassword, createAccount, deleteAccount, signIn, signOut, type AccountDeps } from '../../src/sync/account';
import { downloadFile } from '../../src/sync/files';
import type { KdfParams } from '../../src/shared/sync/protocol';
import { deriveSecret } from '../../src/sync/kdfCore';
import { FakeSyncServer } from './syncFakeServer';
import { device, snapshot, type Device } from './syncHelpers';

let server: FakeSyncServer;
let a: Device;
let b: Device;

beforeEach(async () => {
  server = new FakeSyncServer();
  a = device(server.fetch, { chunkBytes: 1000 });
  b = device(server.fetch, { chunkBytes: 1000 });
});

async function twoDevices() {
  await createAccount(a.deps, a.creds());
  await signIn(b.deps, b.creds());
}

async function seed(d: Device) {
  const c = await d.storage.conversations.create({ title: 'Trip to Lisbon' });
  const m1 = await d.storage.messages.add({ conversationId: c.id, parentId: null, role: 'user', content: 'Where to eat?' });
  const m2 = await d.storage.messages.add({ conversationId: c.id, parentId: m1.id, role: 'assistant', content: 'Try the pastries.' });
  const bytes = new Uint8Array(2500).map((_, i) => (i * 7) % 256);
  const att = await d.storage.attachments.add(c.id, { name: 'map.bin', type: 'application/octet-stream', data: new Blob([bytes]) });
  return { c, m1, m2, att, bytes };
}

/** Every string in `records`, as is and decoded from base64 / base64url, as one text. */
function readableIn(records: unknown[]): string {
  const out: string[] = [];
  const walk = (v: unknown) => {
    if (typeof v === 'string') out.push(v, Buffer.from(v, 'base64url').toString('utf8'), Buffer.from(v, 'base64').toString('utf8'));
    else if (v && typeof v === 'object') Object.values(v).forEach(walk);
  };
  walk(records);
  return out.join('\n');
}

function containsRun(haystack: Uint8Array, run: Uint8Array): boolean {
  return Buffer.from(haystack).indexOf(Buffer.from(run)) >= 0;
}

describe('sync client', () => {
  it('two devices converge: create on one, sign in on the other, records arrive decrypted, attachments byte for byte', async () => {
    await twoDevices();
    const { c, m1, m2, att, bytes } = await seed(a);
    const report = await a.client.syncOnce();
    expect(report.pushed).toBe(4);
    expect(await a.storage.outbox.count()).toBe(0);

    // The server holds ciphertext only: no plaintext in any record, as stored or decoded from
    // base64, and no run of the attachment's bytes in any chunk.
    const records = [...server.userRecords(server.onlyUser).values()];
    expect(records).toHaveLength(4);
    for (const text of ['Trip to Lisbon', 'Where to eat?', 'Try the pastries.', 'map.bin']) {
      expect(readableIn(records), text).not.toContain(text);
    }
    const chunks = [...server.userChunks(server.onlyUser).values()];
    expect(chunks).toHaveLength(3); // 2500 bytes in 1000-byte chunks
    for (const chunk of chunks) expect(containsRun(chunk, bytes.subarray(0, 16)) || containsRun(chunk, bytes.subarray(1000, 1016))).toBe(false);

    await b.client.syncOnce();
    expect((await b.storage.conversations.get(c.id))?.title).toBe('Trip to Lisbon');
    expect((await b.storage.messages.listByConversation(c.id)).map((m) => [m.id, m.content])).toEqual([
      [m1.id, 'Where to eat?'],
      [m2.id, 'Try the pastries.'],
    ]);
    const got = await b.storage.attachments.get(att.id);
    expect(got?.name).toBe('map.bin');
    expect(new Uint8Array(await got!.data.arrayBuffer())).toEqual(bytes);
    // Applying pulled records queued nothing.
    expect(await b.storage.outbox.count()).toBe(0);

    // An edit and a delete on B reach A.
    await b.storage.conversations.rename(c.id, 'Lisbon, May');
    await b.storage.conversations.remove(c.id);
    await b.client.syncOnce();
    await a.client.syncOnce();
    // The delete came as a content-free tombstone: A hides the conversation, and B's rename (made
    // before the delete, in the same batch) never reached it.
    const onA = await a.storage.db.conversations.get(c.id);
    expect(onA?.deletedAt).not.toBeNull();
    expect(onA?.title).not.toBe('Lisbon, May');
    expect(await a.storage.conversations.list()).toEqual([]);
    expect(await a.storage.outbox.count()).toBe(0);
  });

  it('a lost answer: the persisted batch is resent exactly, the server skips it, later changes follow in a new batch', async () => {
    await twoDevices();
    const c = await a.storage.conversations.create({ title: 'One' });
    server.loseAnswers = 1;
    await expect(a.client.syncOnce()).rejects.toMatchObject({ code: 'network', retryable: true });
    const pending = await a.storage.sync.pendingBatch();
    expect(pending?.mutations).toHaveLength(1);
    expect(await a.storage.outbox.count()).toBe(1); // not acknowledged yet

    await a.storage.conversations.rename(c.id, 'Two'); // re-queued while the batch waits
    await a.client.syncOnce();
    const batch = ({ clientId, mutations }: (typeof server.pushes)[number]) => ({ clientId, mutations });
    expect(batch(server.pushes[1])).toEqual(batch(server.pushes[0])); // the same batch again (`seen` moved: the run pulled first)
    expect(server.pushes[2].mutations[0].mutationId).toBe(pending!.mutations[0].mutationId + 1);
    expect(await a.storage.sync.pendingBatch()).toBeUndefined();
    expect(await a.storage.outbox.count()).toBe(0);

    await b.client.syncOnce();
    expect((await b.storage.conversations.get(c.id))?.title).toBe('Two');
  });

  it('offline: errors come back as retryable data and nothing is lost', async () => {
    await twoDevices();
    await a.storage.conversations.create({ title: 'Offline note' });
    server.down = true;
    await expect(a.client.syncOnce()).rejects.toMatchObject({ code: 'network', retryable: true });
    server.down = false;
    await a.client.syncOnce();
    await b.client.syncOnce();
    expect((await b.storage.conversations.list()).map((c) => c.title)).toEqual(['Offline note']);
  });

  it('a streaming reply waits in the outbox until it ends', async () => {
    await twoDevices();
    const c = await a.storage.conversations.create();
    const m = await a.storage.messages.add({ conversationId: c.id, parentId: null, role: 'assistant', content: 'Hal', status: 'streaming' });
    await a.client.syncOnce();
    expect(await a.storage.sync.readForPush([{ key: `message:${m.id}`, kind: 'message', id: m.id, seq: 0 }])).toHaveLength(1);
    expect((await a.storage.outbox.list()).map((e) => e.id)).toEqual([m.id]);
    await b.client.syncOnce();
    expect(await b.storage.messages.get(m.id)).toBeUndefined();

    await a.storage.messages.update(m.id, { content: 'Hello there', status: 'complete' });
    await a.client.syncOnce();
    await b.client.syncOnce();
    expect((await b.storage.messages.get(m.id))?.content).toBe('Hello there');
  });

  it('a pending local change is not overwritten by a pull; it is pushed after and wins on both devices', async () => {
    await twoDevices();
    const c = await a.storage.conversations.create({ title: 'Start' });
    await a.client.syncOnce();
    await b.client.syncOnce();
    await a.storage.conversations.rename(c.id, 'From A');
    await a.client.syncOnce();
    await b.storage.conversations.rename(c.id, 'From B'); // B has not seen A's change yet
    server.rejectPushes = true; // B's push fails, its pull still runs
    await expect(b.client.syncOnce()).rejects.toMatchObject({ code: 'server', retryable: true });
    expect((await b.storage.conversations.get(c.id))?.title).toBe('From B'); // not overwritten by 'From A'
    expect(await b.storage.outbox.count()).toBe(1);
    server.rejectPushes = false;
    await b.client.syncOnce();
    expect((await b.storage.conversations.get(c.id))?.title).toBe('From B');
    await a.client.syncOnce();
    expect((await a.storage.conversations.get(c.id))?.title).toBe('From B');
  });

  it('concurrent replies to the same message on two devices both survive as branches', async () => {
    await twoDevices();
    const c = await a.storage.conversations.create();
    const q = await a.storage.messages.add({ conversationId: c.id, parentId: null, role: 'user', content: 'Hi' });
    await a.client.syncOnce();
    await b.client.syncOnce();
    await a.storage.messages.add({ conversationId: c.id, parentId: q.id, role: 'assistant', content: 'Reply A' });
    await b.storage.messages.add({ conversationId: c.id, parentId: q.id, role: 'assistant', content: 'Reply B' });
    await a.client.syncOnce();
    await b.client.syncOnce();
    await a.client.syncOnce();
    for (const d of [a, b]) {
      const replies = (await d.storage.messages.listByConversation(c.id)).filter((m) => m.parentId === q.id).map((m) => m.content);
      expect(replies.sort()).toEqual(['Reply A', 'Reply B']);
    }
  });

  it('pages through many changes and pushes in several batches', async () => {
    const small = () => device(server.fetch, { pageSize: 3, batchSize: 4 });
    a = small();
    b = small();
    await twoDevices();
    const c = await a.storage.conversations.create();
    let parent: string | null = null;
    for (let i = 0; i < 10; i++) parent = (await a.storage.messages.add({ conversationId: c.id, parentId: parent, role: 'user', content: `m${i}` })).id;
    await a.client.syncOnce();
    expect(server.pushes.length).toBe(3);
    await b.client.syncOnce();
    expect((await b.storage.messages.listByConversation(c.id)).map((m) => m.content)).toEqual(Array.from({ length: 10 }, (_, i) => `m${i}`));
  });
});

describe('tampering', () => {
  async function seeded() {
    await twoDevices();
    const s = await seed(a);
    await a.client.syncOnce();
    // B already holds an older copy of everything, so "overwrites nothing" is meaningful.
    await b.client.syncOnce();
    await a.storage.conversations.rename(s.c.id, 'Renamed on A');
    await a.storage.messages.update(s.m2.id, { content: 'Edited on A' });
    await a.client.syncOnce();
    return s;
  }

  const records = () => server.userRecords(server.onlyUser);

  it('a tampered record is refused and set aside with why; B keeps what it had and the cursor goes on', async () => {
    const { c } = await seeded();
    const before = await snapshot(b.storage);
    const rec = records().get(c.id)!;
    rec.ciphertext = rec.ciphertext.slice(0, -4) + (rec.ciphertext.endsWith('AAAA') ? 'BAAA' : 'AAAA');
    expect((await b.client.syncOnce()).setAside).toBe(1);
    const after = await snapshot(b.storage);
    expect(after.conversations).toEqual(before.conversations);
    expect(after.cursor).toBeGreaterThanOrEqual(rec.seq);
    expect(await b.storage.sync.aside()).toEqual([expect.objectContaining({ recordId: c.id, seq: rec.seq, reason: expect.stringMatching(/Refused record/) })]);
    expect(await b.storage.outbox.count()).toBe(0);
  });

  it('two records with swapped ciphertexts are refused', async () => {
    const { c, m2 } = await seeded();
    const before = await snapshot(b.storage);
    const x = records().get(c.id)!;
    const y = records().get(m2.id)!;
    [x.ciphertext, y.ciphertext] = [y.ciphertext, x.ciphertext];
    expect((await b.client.syncOnce()).setAside).toBe(2);
    const after = await snapshot(b.storage);
    expect(after.conversations).toEqual(before.conversations);
    expect(after.messages).toEqual(before.messages);
  });

  describe('attachment chunks', () => {
    async function attachmentOnly() {
      await twoDevices();
      const s = await seed(a);
      await a.client.syncOnce();
      return s;
    }
    const chunks = () => server.userChunks(server.onlyUser);

    async function refusedAndNothingWritten(attId: string) {
      expect((await b.client.syncOnce()).setAside).toBe(1);
      expect(await b.storage.sync.aside()).toEqual([expect.objectContaining({ recordId: attId, reason: expect.stringMatching(/attachment/) })]);
      expect(await b.storage.db.attachments.get(attId)).toBeUndefined();
    }

    it('dropped: refused', async () => {
      const { att } = await attachmentOnly();
      chunks().delete(`${att.id}/1`);
      await refusedAndNothingWritten(att.id);
    });

    it('reordered: refused', async () => {
      const { att } = await attachmentOnly();
      const c0 = chunks().get(`${att.id}/0`)!;
      chunks().set(`${att.id}/0`, chunks().get(`${att.id}/1`)!);
      chunks().set(`${att.id}/1`, c0);
      await refusedAndNothingWritten(att.id);
    });

    it('truncated (the last chunk replaced by an earlier one): refused', async () => {
      const { att } = await attachmentOnly();
      chunks().set(`${att.id}/2`, chunks().get(`${att.id}/1`)!);
      await refusedAndNothingWritten(att.id);
    });

    it('a chunk of another attachment: refused', async () => {
      const { att, c } = await attachmentOnly();
      const other = await a.storage.attachments.add(c.id, { name: 'b', type: 'text/plain', data: new Blob(['other bytes']) });
      await a.client.syncOnce();
      chunks().set(`${att.id}/0`, chunks().get(`${other.id}/0`)!);
      await refusedAndNothingWritten(att.id);
    });

    it('bytes that do not match the size or sha256 in the record are refused', async () => {
      const { att } = await attachmentOnly();
      const sa = (await a.client.session())!;
      const info = (await a.storage.sync.fileInfo(att.id))!;
      expect(info.chunkCount).toBe(3);
      expect(await downloadFile(sa.transport, sa.key, att.id, info)).toHaveLength(2500);
      await expect(downloadFile(sa.transport, sa.key, att.id, { ...info, sha256: '0'.repeat(64) })).rejects.toThrow(/do not match their sha256/);
      await expect(downloadFile(sa.transport, sa.key, att.id, { ...info, size: 2400 })).rejects.toThrow(/more bytes than its size/);
      await expect(downloadFile(sa.transport, sa.key, att.id, { ...info, size: 2600 })).rejects.toThrow(/fewer bytes/);
      await expect(downloadFile(sa.transport, sa.key, att.id, { ...info, chunkCount: 2 })).rejects.toMatchObject({ code: 'refused' });
    });

    it('the records around a refused one are applied; a later good version replaces the one set aside', async () => {
      const { att, c } = await attachmentOnly();
      chunks().delete(`${att.id}/2`);
      await refusedAndNothingWritten(att.id);
      expect((await b.storage.conversations.get(c.id))?.title).toBe('Trip to Lisbon'); // pushed before the attachment
      // A deletes the attachment: the server's newest version replaces the refused one.
      await a.storage.db.transaction('rw', a.storage.db.attachments, a.storage.db.outbox, async () => {
        await a.storage.db.attachments.update(att.id, { deletedAt: Date.now(), updatedAt: Date.now() });
        await a.storage.db.outbox.put({ key: `attachment:${att.id}`, kind: 'attachment', id: att.id, seq: Date.now() });
      });
      await a.client.syncOnce();
      await b.client.syncOnce();
      expect((await b.storage.db.attachments.get(att.id))?.deletedAt).not.toBeNull();
      expect(await b.storage.sync.aside()).toEqual([]);
    });
  });
});

describe('accounts', () => {
  it('a new account derives its keys with Argon2id, 64 MiB and 3 passes, and the server keeps those parameters', async () => {
    const used: KdfParams[] = [];
    // The device's defaults (no test override of the memory), through the real Argon2id.
    const deps: AccountDeps = { ...a.deps, kdfMemoryKiB: undefined, derive: (pw, email, kdf) => (used.push(kdf), deriveSecret(pw, email, kdf)) };
    await createAccount(deps, a.creds());
    const expected = { algorithm: 'argon2id', memoryKiB: 64 * 1024, iterations: 3, parallelism: 1 };
    expect(used).toEqual([expect.objectContaining(expected)]);
    expect(server.accounts.get('ann@example.org')?.kdf).toMatchObject(expected);
  }, 120_000);

  it('a wrong password cannot sign in; sign-in needs the right one', async () => {
    await createAccount(a.deps, a.creds());
    await expect(signIn(b.deps, b.creds(undefined, 'wrong password!'))).rejects.toMatchObject({ code: 'bad-credentials' });
    expect(await b.storage.sync.account()).toBeUndefined();
    await expect(createAccount(b.deps, b.creds())).rejects.toMatchObject({ code: 'email-taken' });
  });

  it('keeps the account key as a non-extractable CryptoKey in IndexedDB, never in the sync state', async () => {
    await createAccount(a.deps, a.creds());
    const key = await a.storage.sync.accountKey();
    expect(key?.key).toBeInstanceOf(CryptoKey);
    expect(key?.key.extractable).toBe(false);
    expect(JSON.stringify(await a.storage.db.syncState.toArray())).not.toMatch(/masterKey|password/);
  });

  it('changing the password re-wraps the key: other sessions end, the new password signs in and decrypts the same data', async () => {
    await twoDevices();
    const c = await a.storage.conversations.create({ title: 'Before the change' });
    await a.client.syncOnce();
    const pushedBefore = server.pushes.length;
    await expect(changePassword(a.deps, 'not the password', 'new password 123')).rejects.toMatchObject({ code: 'bad-credentials' });
    await changePassword(a.deps, a.creds().password, 'new password 123');
    expect(server.pushes.length).toBe(pushedBefore); // nothing re-uploaded
    await expect(b.client.syncOnce()).rejects.toMatchObject({ code: 'unauthorized' });
    await a.client.syncOnce(); // A's new session works

    const c3 = device(server.fetch);
    await expect(signIn(c3.deps, c3.creds())).rejects.toMatchObject({ code: 'bad-credentials' });
    await signIn(c3.deps, c3.creds(undefined, 'new password 123'));
    await c3.client.syncOnce();
    expect((await c3.storage.conversations.get(c.id))?.title).toBe('Before the change');
  });

  it('signing out removes the key and the sync state, and keeps or removes local conversations as asked', async () => {
    await twoDevices();
    await a.storage.conversations.create({ title: 'Kept' });
    await a.client.syncOnce();
    await signOut(a.deps, true);
    expect(await a.storage.sync.accountKey()).toBeUndefined();
    expect(await a.storage.db.syncState.count()).toBe(0);
    expect((await a.storage.conversations.list()).map((c) => c.title)).toEqual(['Kept']);
    await expect(a.client.syncOnce()).rejects.toMatchObject({ code: 'not-signed-in' });

    await b.client.syncOnce();
    await signOut(b.deps, false);
    expect(await b.storage.conversations.list()).toEqual([]);
    expect(await b.storage.db.keys.count()).toBe(0);
    expect(server.sessions.size).toBe(0);
  });

  it('signing in on a device with local conversations uploads them', async () => {
    await createAccount(a.deps, a.creds());
    await b.storage.conversations.create({ title: 'Made before signing in' });
    await signIn(b.deps, b.creds());
    await b.client.syncOnce();
    await a.client.syncOnce();
    expect((await a.storage.conversations.list()).map((c) => c.title)).toEqual(['Made before signing in']);
  });

  it('deleting the account removes it from the server; the device keeps its conversations', async () => {
    await createAccount(a.deps, a.creds());
    await a.storage.conversations.create({ title: 'Mine' });
    await a.client.syncOnce();
    await expect(deleteAccount(a.deps, 'wrong password!')).rejects.toMatchObject({ code: 'bad-credentials' });
    await deleteAccount(a.deps, a.creds().password);
    expect(server.accounts.size).toBe(0);
    expect(server.records.size).toBe(0);
    expect(await a.storage.sync.account()).toBeUndefined();
    expect((await a.storage.conversations.list()).map((c) => c.title)).toEqual(['Mine']);
  });
});
