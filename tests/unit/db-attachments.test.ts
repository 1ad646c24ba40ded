// Attachment storage on fake-indexeddb: a message and its files are saved together (all or
// nothing, outbox included), a full disk keeps what was saved, and a final conversation delete
// purges the Blobs (tombstones that sync) while an undoable one keeps them.
import { beforeEach, describe, expect, it } from 'vitest';
import { StorageError, type Storage } from '../../src/db';
import { outboxKey } from '../../src/db/outbox';
import { freshStorage } from './dbHelpers';

let s: Storage;
beforeEach(() => {
  s = freshStorage();
});

const txt = (name: string, body: string) => ({ name, type: 'text/plain', data: new Blob([body], { type: 'text/plain' }), kind: 'text' as const });

describe('attachments with their message', () => {
  it('saves the message and its Blobs in one go, with outbox entries', async () => {
    const c = await s.conversations.create();
    const pdf = { name: 'p.pdf', type: 'application/pdf', data: new Blob(['%PDF-1.4']), kind: 'pdf' as const, text: 'page text', pageCount: 3 };
    const { message, attachments } = await s.attachments.addMessageWithFiles(s.messages, { conversationId: c.id, parentId: null, role: 'user', content: 'see files' }, [txt('a.txt', 'alpha'), pdf]);
    expect(message.attachmentIds).toEqual(attachments.map((a) => a.id));
    const stored = await s.attachments.getMany(message.attachmentIds);
    expect(stored.map((a) => [a.name, a.messageId, a.conversationId, a.size, a.kind])).toEqual([
      ['a.txt', message.id, c.id, 5, 'text'],
      ['p.pdf', message.id, c.id, 8, 'pdf'],
    ]);
    expect(await stored[0].data.text()).toBe('alpha');
    expect(stored[1]).toMatchObject({ text: 'page text', pageCount: 3 });
    const keys = (await s.outbox.list()).map((e) => e.key);
    for (const a of attachments) expect(keys).toContain(outboxKey('attachment', a.id));
    expect(keys).toContain(outboxKey('message', message.id));
  });

  it('titles a new conversation by the file names when the first message has no text', async () => {
    const c = await s.conversations.create();
    await s.attachments.addMessageWithFiles(s.messages, { conversationId: c.id, parentId: null, role: 'user', content: ' ' }, [txt('plan.md', '# Plan'), txt('budget.csv', 'a,b')]);
    expect((await s.conversations.get(c.id))?.title).toBe('plan.md, budget.csv');
  });

  it('on a full disk saves neither the message nor its files, and loses nothing saved before', async () => {
    const c = await s.conversations.create();
    const first = await s.attachments.addMessageWithFiles(s.messages, { conversationId: c.id, parentId: null, role: 'user', content: 'first' }, [txt('keep.txt', 'kept')]);
    const full = () => {
      throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
    };
    s.db.attachments.hook('creating', full);
    const err = await s.attachments
      .addMessageWithFiles(s.messages, { conversationId: c.id, parentId: first.message.id, role: 'user', content: 'second' }, [txt('big.txt', 'x'.repeat(1000))])
      .catch((e) => e);
    s.db.attachments.hook('creating').unsubscribe(full);
    expect(err).toBeInstanceOf(StorageError);
    expect(err.code).toBe('quota');
    expect((await s.messages.listByConversation(c.id)).map((m) => m.content)).toEqual(['first']);
    const atts = await s.attachments.listByConversation(c.id);
    expect(atts.map((a) => a.name)).toEqual(['keep.txt']);
    expect(await atts[0].data.text()).toBe('kept');
    expect((await s.conversations.get(c.id))?.currentLeafId).toBe(first.message.id);
  });
});

describe('deleting a conversation', () => {
  it('keeps Blobs while the delete can be undone and purges them once it is final', async () => {
    const gone = await s.conversations.create();
    const undone = await s.conversations.create();
    const kept = await s.conversations.create();
    const ids: Record<string, string> = {};
    for (const [name, c] of [['gone', gone], ['undone', undone], ['kept', kept]] as const) {
      const r = await s.attachments.addMessageWithFiles(s.messages, { conversationId: c.id, parentId: null, role: 'user', content: name }, [txt(`${name}.txt`, name)]);
      ids[name] = r.attachments[0].id;
    }
    await s.conversations.remove(gone.id);
    await s.conversations.remove(undone.id);
    // Within the undo window nothing is purged.
    expect(await s.attachments.purgeDeleted(Date.now() - 60_000)).toBe(0);
    await s.conversations.restore(undone.id);
    await s.outbox.clear();
    // The gone conversation's attachment and message.
    expect(await s.attachments.purgeDeleted(Date.now() + 1000)).toBe(2);
    const raw = await s.db.attachments.get(ids.gone);
    expect(raw?.deletedAt).not.toBeNull();
    expect(raw?.data.size).toBe(0);
    expect(await s.attachments.get(ids.gone)).toBeUndefined();
    const goneMessage = (await s.db.messages.where('conversationId').equals(gone.id).toArray())[0];
    expect(goneMessage).toMatchObject({ content: '' });
    expect(goneMessage.deletedAt).not.toBeNull();
    expect((await s.outbox.list()).map((e) => e.key).sort()).toEqual([outboxKey('attachment', ids.gone), outboxKey('message', goneMessage.id)].sort());
    expect(await (await s.attachments.get(ids.undone))!.data.text()).toBe('undone');
    expect(await (await s.attachments.get(ids.kept))!.data.text()).toBe('kept');
    // Purging again finds nothing new.
    expect(await s.attachments.purgeDeleted(Date.now() + 1000)).toBe(0);
  });
});
