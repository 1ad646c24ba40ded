// Property tests (fast-check): random valid conversation trees survive export → import → export
// unchanged; random corruptions of a valid export are rejected and nothing is written.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Attachment, Conversation, Message } from '../../src/db';
import { ImportProblem } from '../../src/io/problems';
import { freshStorage } from './dbHelpers';
import { counts, exportText, importText, seed } from './io-helpers';

const text = (max: number) => fc.string({ unit: 'binary', maxLength: max });
const time = fc.integer({ min: 0, max: 4_000_000_000_000 });

const conversationArb = fc
  .record({
    title: fc.string({ unit: 'binary', minLength: 1, maxLength: 200 }),
    systemPrompt: text(50),
    pinned: fc.boolean(),
    settings: fc.option(fc.record({ temperature: fc.double({ min: 0, max: 2, noNaN: true }), topP: fc.double({ min: 0.05, max: 1, noNaN: true }), maxNewTokens: fc.integer({ min: 1, max: 4096 }) }), { nil: null }),
    times: fc.tuple(time, time),
    messages: fc.array(
      fc.record({
        parent: fc.nat(),
        root: fc.boolean(),
        role: fc.constantFrom('user' as const, 'assistant' as const, 'system' as const),
        content: text(80),
        status: fc.constantFrom('complete' as const, 'streaming' as const, 'interrupted' as const, 'error' as const),
        createdAt: time,
        metadata: fc.record({ modelId: text(10), droppedTurns: fc.nat(9), finishReason: fc.constantFrom('stop' as const, 'length' as const) }, { requiredKeys: [] }),
      }),
      { minLength: 1, maxLength: 10 },
    ),
    attachments: fc.array(fc.record({ name: fc.string({ unit: 'binary', minLength: 1, maxLength: 30 }), type: fc.constantFrom('image/png', 'text/plain', ''), bytes: fc.uint8Array({ maxLength: 2000 }), on: fc.nat() }), { maxLength: 3 }),
    leaf: fc.option(fc.nat(), { nil: null }),
  })
  .map((g) => {
    const cid = crypto.randomUUID();
    const messages: Message[] = g.messages.map((m) => ({
      id: crypto.randomUUID(),
      conversationId: cid,
      parentId: null,
      role: m.role,
      content: m.content,
      status: m.status,
      createdAt: m.createdAt,
      updatedAt: m.createdAt + 5,
      deletedAt: null,
      metadata: m.metadata,
      attachmentIds: [],
    }));
    g.messages.forEach((m, j) => {
      if (j > 0 && !m.root) messages[j].parentId = messages[m.parent % j].id;
    });
    const attachments: Attachment[] = g.attachments.map((a) => {
      const owner = messages[a.on % messages.length];
      const id = crypto.randomUUID();
      owner.attachmentIds.push(id);
      return { id, conversationId: cid, messageId: owner.id, name: a.name, type: a.type || 'application/octet-stream', size: a.bytes.length, data: new Blob([a.bytes]), createdAt: 1, updatedAt: 2, deletedAt: null };
    });
    const conversation: Conversation = {
      id: cid,
      title: g.title,
      createdAt: g.times[0],
      updatedAt: g.times[1],
      pinned: g.pinned,
      systemPrompt: g.systemPrompt,
      settings: g.settings,
      currentLeafId: g.leaf === null ? null : messages[g.leaf % messages.length].id,
      deletedAt: null,
    };
    return { conversation, messages, attachments };
  });

describe('property: round trip', () => {
  it('random valid trees export, import and export again to the same file', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(conversationArb, { minLength: 1, maxLength: 3 }), async (convs) => {
        const a = freshStorage();
        await a.db.conversations.bulkAdd(convs.map((c) => c.conversation));
        await a.db.messages.bulkAdd(convs.flatMap((c) => c.messages));
        await a.db.attachments.bulkAdd(convs.flatMap((c) => c.attachments));
        const first = await exportText(a);
        const b = freshStorage();
        const { written } = await importText(b, first);
        expect(written.imported).toHaveLength(convs.length);
        expect(await exportText(b)).toBe(first);
        a.close();
        b.close();
      }),
      { numRuns: 20 },
    );
  });
});

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** Ways to damage a valid export, each of which must make it invalid. */
const corruptions: Record<string, (j: Json, pick: (n: number) => number) => void> = {
  'drop a required key': (j, pick) => {
    const c = j.conversations[pick(j.conversations.length)];
    const targets: Json[] = [c, ...c.messages, ...c.attachments];
    const o = targets[pick(targets.length)];
    const keys = Object.keys(o).filter((k) => k !== 'data');
    delete o[keys[pick(keys.length)]];
  },
  'wrong type': (j, pick) => {
    const c = j.conversations[pick(j.conversations.length)];
    const m = c.messages[pick(c.messages.length)];
    const key = ['id', 'role', 'content', 'status', 'createdAt', 'metadata', 'attachmentIds'][pick(7)];
    m[key] = typeof m[key] === 'number' ? String(m[key]) : 12.5;
  },
  'dangling reference': (j, pick) => {
    const c = j.conversations[pick(j.conversations.length)];
    const m = c.messages[pick(c.messages.length)];
    const where = pick(3);
    if (where === 0) m.parentId = 'missing-id';
    else if (where === 1) c.currentLeafId = 'missing-id';
    else m.attachmentIds.push('missing-id');
  },
  'duplicate id': (j, pick) => {
    const all = j.conversations.flatMap((c: Json) => c.messages);
    const i = pick(all.length);
    all[(i + 1 + pick(all.length - 1)) % all.length].id = all[i].id;
  },
  'parent loop': (j, pick) => {
    const c = j.conversations[0];
    const m = c.messages[pick(c.messages.length)];
    m.parentId = m.id;
  },
  'damaged attachment bytes': (j, pick) => {
    const a = j.conversations[0].attachments[pick(2)];
    const at = pick(a.data.length - 4);
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
    const next = alphabet[(alphabet.indexOf(a.data[at]) + 1 + pick(63)) % 64];
    a.data = a.data.slice(0, at) + next + a.data.slice(at + 1);
  },
  'unknown key': (j, pick) => {
    const c = j.conversations[pick(j.conversations.length)];
    c.messages[pick(c.messages.length)].note = 'x';
  },
  'bad top level': (j, pick) => {
    [() => (j.version = 0), () => (j.format = 'other'), () => (j.exportedAt = 'yesterday'), () => (j.conversations = {})][pick(4)]();
  },
};

describe('property: corrupt files', () => {
  it('random corruptions of a valid export are rejected with nothing written', async () => {
    const a = freshStorage();
    await seed(a);
    const good = await exportText(a);
    const parsed = JSON.parse(good) as Json;
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.record({ kind: fc.constantFrom(...Object.keys(corruptions)), picks: fc.array(fc.nat(), { minLength: 8, maxLength: 8 }) }),
          fc.record({ kind: fc.constant('truncate'), picks: fc.tuple(fc.integer({ min: 1, max: good.length - 4 })) }),
        ),
        async ({ kind, picks }) => {
          let text: string;
          if (kind === 'truncate') text = good.slice(0, picks[0]);
          else {
            const j = structuredClone(parsed);
            let k = 0;
            corruptions[kind](j, (n) => (n <= 0 ? 0 : picks[k++ % picks.length] % n));
            text = JSON.stringify(j);
          }
          const b = freshStorage();
          const error = await importText(b, text).then(
            () => null,
            (e: unknown) => e,
          );
          expect(error, kind).toBeInstanceOf(ImportProblem);
          expect((error as Error).message).toMatch(/^hearth-export\.json: /);
          expect(await counts(b)).toEqual({ conversations: 0, messages: 0, attachments: 0, outbox: 0 });
          b.close();
        },
      ),
      { numRuns: 120 },
    );
  });
});
