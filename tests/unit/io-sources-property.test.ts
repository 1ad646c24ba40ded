// Properties of every import source (ChatGPT, Claude, Open WebUI) over random conversation trees:
// the same file twice adds nothing; an import is all or nothing (a failing write leaves no half
// conversation behind, a successful one stores each conversation whole); every branch survives a
// Hearth export → import round trip.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Storage } from '../../src/db';
import type { ParsedImport } from '../../src/io/bundle';
import { parseImportFile } from '../../src/io/parseFile';
import { freshStorage } from './dbHelpers';
import { counts, exportText, importText } from './io-helpers';

interface Node {
  parent: number | null;
  role: 'user' | 'assistant';
  text: string;
}

const treeArb = fc
  .array(fc.record({ parent: fc.nat(), root: fc.boolean(), text: fc.string({ minLength: 1, maxLength: 30 }).filter((t) => !!t.trim()) }), { minLength: 1, maxLength: 8 })
  .map((raw): Node[] => {
    // Roles alternate down each branch, as in a chat.
    const nodes: Node[] = [];
    raw.forEach((n, j) => {
      const parent = j === 0 || (n.root && j < 2) ? null : n.parent % j;
      nodes.push({ parent, role: parent === null || nodes[parent].role === 'assistant' ? 'user' : 'assistant', text: n.text });
    });
    return nodes;
  });
const sourceArb = fc.constantFrom('chatgpt', 'claude', 'openwebui');
const fileArb = fc.record({ source: sourceArb, trees: fc.array(treeArb, { minLength: 1, maxLength: 3 }) });

/** The trees written in the source's own format. */
function fileOf(source: string, trees: Node[][]): string {
  const t = (c: number, j: number) => 1760000000 + c * 1000 + j;
  if (source === 'chatgpt') {
    return JSON.stringify(trees.map((nodes, c) => ({
      conversation_id: `conv-${c}`, title: `Chat ${c}`, create_time: t(c, 0), current_node: `n${nodes.length - 1}`,
      mapping: Object.fromEntries([['root', { id: 'root', parent: null, message: null }], ...nodes.map((n, j) => [`n${j}`, { id: `n${j}`, parent: n.parent === null ? 'root' : `n${n.parent}`, message: { author: { role: n.role }, create_time: t(c, j + 1), content: { content_type: 'text', parts: [n.text] } } }])]),
    })));
  }
  if (source === 'claude') {
    return JSON.stringify(trees.map((nodes, c) => ({
      uuid: `claude-${c}`, name: `Chat ${c}`, created_at: new Date(t(c, 0) * 1000).toISOString(),
      chat_messages: nodes.map((n, j) => ({ uuid: `m${j}`, sender: n.role === 'user' ? 'human' : 'assistant', parent_message_uuid: n.parent === null ? '00000000-0000-4000-8000-000000000000' : `m${n.parent}`, created_at: new Date(t(c, j + 1) * 1000).toISOString(), content: [{ type: 'text', text: n.text }] })),
    })));
  }
  return JSON.stringify(trees.map((nodes, c) => ({
    id: `owui-${c}`, title: `Chat ${c}`, created_at: t(c, 0), updated_at: t(c, 0),
    chat: { history: { currentId: `m${nodes.length - 1}`, messages: Object.fromEntries(nodes.map((n, j) => [`m${j}`, { id: `m${j}`, parentId: n.parent === null ? null : `m${n.parent}`, childrenIds: [], role: n.role, content: n.text, timestamp: t(c, j + 1) }])) } },
  })));
}

const parse = (source: string, trees: Node[][]): Promise<ParsedImport> => parseImportFile(new File([fileOf(source, trees)], `${source}.json`), `${source}.json`);

async function stored(s: Storage) {
  const conversations = await s.db.conversations.toArray();
  return Promise.all(conversations.map(async (c) => ({ id: c.id, messages: await s.db.messages.where('conversationId').equals(c.id).count() })));
}

/** Branch points: how many children each message with children has, sorted. */
const branching = (messages: { id: string; parentId: string | null }[]) =>
  messages.map((m) => messages.filter((x) => x.parentId === m.id).length).filter((n) => n > 0).sort();

describe('property: every import source', () => {
  it('the same file twice adds nothing', async () => {
    await fc.assert(
      fc.asyncProperty(fileArb, async ({ source, trees }) => {
        const s = freshStorage();
        const first = await s.imports.write((await parse(source, trees)).bundles);
        const after = await counts(s);
        const second = await s.imports.write((await parse(source, trees)).bundles);
        expect(second.imported).toEqual([]);
        expect(second.skipped).toHaveLength(first.imported.length);
        expect(await counts(s)).toEqual(after);
        s.close();
      }),
      { numRuns: 25 },
    );
  });

  it('an import is all or nothing: a failing write leaves nothing, a successful one stores each conversation whole', async () => {
    await fc.assert(
      fc.asyncProperty(fileArb, fc.nat(), async ({ source, trees }, pick) => {
        const parsed = await parse(source, trees);
        const s = freshStorage();
        // A record that cannot be stored (a duplicate message id inside the import) fails the write.
        const broken = structuredClone(parsed.bundles);
        const all = broken.flatMap((b) => b.messages);
        const victim = broken[pick % broken.length];
        victim.messages.push({ ...victim.messages[0], id: all[pick % all.length].id, parentId: null });
        await expect(s.imports.write(broken)).rejects.toThrow();
        expect(await counts(s)).toEqual({ conversations: 0, messages: 0, attachments: 0, outbox: 0 });
        await s.imports.write(parsed.bundles);
        expect(await stored(s)).toEqual(parsed.bundles.map((b) => ({ id: b.conversation.id, messages: b.messages.length })).sort((a, b) => (a.id < b.id ? -1 : 1)));
        s.close();
      }),
      { numRuns: 25 },
    );
  });

  it('every branch survives a Hearth export and import', async () => {
    await fc.assert(
      fc.asyncProperty(fileArb, async ({ source, trees }) => {
        const parsed = await parse(source, trees);
        const a = freshStorage();
        await a.imports.write(parsed.bundles);
        const exported = await exportText(a);
        const b = freshStorage();
        const { written } = await importText(b, exported);
        expect(written.imported).toHaveLength(parsed.bundles.length);
        expect(await exportText(b)).toBe(exported);
        // The source's tree is kept: as many roots and the same branch points as the trees written.
        for (const [c, bundle] of parsed.bundles.entries()) {
          const nodes = trees[c];
          expect(bundle.messages.filter((m) => m.parentId === null)).toHaveLength(nodes.filter((n) => n.parent === null).length);
          expect(branching(bundle.messages)).toEqual(nodes.map((_, j) => nodes.filter((n) => n.parent === j).length).filter((n) => n > 0).sort());
        }
        for (const bundle of parsed.bundles) {
          const back = await b.db.messages.where('conversationId').equals(bundle.conversation.id).toArray();
          expect(branching(back)).toEqual(branching(bundle.messages));
          expect((await b.db.conversations.get(bundle.conversation.id))!.currentLeafId).toBe(bundle.conversation.currentLeafId);
        }
        a.close();
        b.close();
      }),
      { numRuns: 25 },
    );
  });
});
