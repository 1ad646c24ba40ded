// The outbox is written in the same transaction as every synced change, holds one entry per
// record, and an acknowledgement never drops a change made after the push read it.
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { describe, expect, it } from 'vitest';
import { openStorage } from '../../src/db';

const fresh = () => openStorage(`outbox-${Math.random()}`, { indexedDB: new IDBFactory(), IDBKeyRange });

describe('outbox', () => {
  it('queues conversations, messages and attachments as they change, one entry per record', async () => {
    const s = fresh();
    const c = await s.conversations.create();
    const m = await s.messages.add({ conversationId: c.id, parentId: null, role: 'user', content: 'Hi' });
    await s.messages.update(m.id, { content: 'Hi there' });
    await s.conversations.rename(c.id, 'Greeting');
    const a = await s.attachments.add(c.id, { name: 'a.txt', type: 'text/plain', data: new Blob(['a']) });
    const keys = (await s.outbox.list()).map((e) => e.key).sort();
    expect(keys).toEqual([`attachment:${a.id}`, `conversation:${c.id}`, `message:${m.id}`].sort());
    s.close();
  });

  it('queues nothing when the change itself fails', async () => {
    const s = fresh();
    await expect(s.messages.update('missing', { content: 'x' })).rejects.toMatchObject({ code: 'not-found' });
    await expect(s.conversations.rename('missing', 'x')).rejects.toMatchObject({ code: 'not-found' });
    expect(await s.outbox.count()).toBe(0);
    s.close();
  });

  it('ack removes what was pushed but keeps a record changed again after it was read', async () => {
    const s = fresh();
    const c = await s.conversations.create();
    const m = await s.messages.add({ conversationId: c.id, parentId: null, role: 'user', content: 'Hi' });
    const read = await s.outbox.list();
    await s.messages.update(m.id, { content: 'changed during the push' });
    await s.outbox.ack(read);
    expect((await s.outbox.list()).map((e) => e.key)).toEqual([`message:${m.id}`]);
    s.close();
  });

  it('enqueueAll queues every record, including tombstones', async () => {
    const s = fresh();
    const c = await s.conversations.create();
    await s.messages.add({ conversationId: c.id, parentId: null, role: 'user', content: 'Hi' });
    await s.conversations.remove(c.id);
    await s.outbox.clear();
    await s.outbox.enqueueAll();
    expect(await s.outbox.count()).toBe(2);
    s.close();
  });
});
