// Realistic ChatGPT export fixtures written for the tests (shapes as in ChatGPT's data export:
// a `mapping` tree with a null root, hidden system and custom-instruction nodes, branches,
// multimodal parts with `file-service://` and `sediment://` pointers, code, tool output, quotes,
// browsing results, a type Hearth does not render, null timestamps), and small helpers.
import { zipSync, strToU8 } from 'fflate';

type Json = Record<string, unknown>;

function node(id: string, parent: string | null, children: string[], message: Json | null): Json {
  return { id, message, parent, children };
}

function msg(id: string, role: string, content: Json, extra: Json = {}): Json {
  return {
    id,
    author: { role, name: (extra.name as string) ?? null, metadata: {} },
    create_time: 'create_time' in extra ? extra.create_time : null,
    update_time: null,
    content,
    status: (extra.status as string) ?? 'finished_successfully',
    end_turn: true,
    weight: 1,
    metadata: (extra.metadata as Json) ?? {},
    recipient: (extra.recipient as string) ?? 'all',
    channel: null,
  };
}

const text = (...parts: string[]) => ({ content_type: 'text', parts });

/** A PNG's first bytes (enough for type sniffing) plus a payload. */
export const PNG = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3, 4, 5, 6, 7, 8]);

/** "Trip to Lisbon": branches, hidden nodes, an image (in the zip or not), code, tool output, thoughts. */
export function lisbon(): Json {
  const m: Record<string, Json> = {};
  const add = (id: string, parent: string | null, children: string[], message: Json | null) => (m[id] = node(id, parent, children, message));
  add('root', null, ['sys'], null);
  add('sys', 'root', ['ctx'], msg('sys', 'system', text(''), { metadata: { is_visually_hidden_from_conversation: true } }));
  add('ctx', 'sys', ['u1'], msg('ctx', 'user', { content_type: 'user_editable_context', user_profile: 'I live in Porto.', user_instructions: 'Answer briefly.' }, { metadata: { is_visually_hidden_from_conversation: true } }));
  add('u1', 'ctx', ['a1', 'a1b'], msg('u1', 'user', text('Plan a day in Lisbon'), { create_time: 1700000000.5 }));
  add('a1', 'u1', [], msg('a1', 'assistant', text('Start at Belém.'), { create_time: 1700000001.25, metadata: { model_slug: 'gpt-4o' } }));
  add('a1b', 'u1', ['u2'], msg('a1b', 'assistant', text('Begin in Alfama.'), { create_time: 1700000002 }));
  add('u2', 'a1b', ['a2'], msg('u2', 'user', { content_type: 'multimodal_text', parts: [{ content_type: 'image_asset_pointer', asset_pointer: 'file-service://file-Img1', size_bytes: 16, width: 4, height: 4 }, 'What is this tower?'] }, { create_time: 1700000003 }));
  add('a2', 'u2', ['t2'], msg('a2', 'assistant', { content_type: 'code', language: 'python', text: 'print(1)' }, { recipient: 'python' }));
  add('t2', 'a2', ['a2b'], msg('t2', 'tool', { content_type: 'execution_output', text: '1' }, { name: 'python', create_time: 1700000005 }));
  add('a2b', 't2', ['u3'], msg('a2b', 'assistant', text('That is Belém Tower.'), { create_time: 1700000006 }));
  add('u3', 'a2b', ['a3'], msg('u3', 'user', { content_type: 'multimodal_text', parts: [{ content_type: 'image_asset_pointer', asset_pointer: 'sediment://file_Gone' }, 'And this?'] }, { create_time: 1700000007 }));
  add('a3', 'u3', ['a3b'], msg('a3', 'assistant', { content_type: 'thoughts', thoughts: [{ summary: 'Looking', content: 'A tram, probably.' }] }, { create_time: 1700000008 }));
  add('a3b', 'a3', [], msg('a3b', 'assistant', text('A tram.'), { create_time: 1700000009 }));
  return { title: 'Trip to Lisbon', create_time: 1700000000.1, update_time: 1700000009.9, mapping: m, current_node: 'a3b', conversation_id: 'conv-a', id: 'conv-a', is_archived: false };
}

/** Quotes and browsing results, and a node with no create_time. */
export function research(): Json {
  const m: Record<string, Json> = {};
  const add = (id: string, parent: string | null, children: string[], message: Json | null) => (m[id] = node(id, parent, children, message));
  add('r0', null, ['q1'], null);
  add('q1', 'r0', ['b1'], msg('q1', 'user', text('Who built the tower?'), { create_time: 1710000000 }));
  add('b1', 'q1', ['b2'], msg('b1', 'tool', { content_type: 'tether_browsing_display', result: 'Francisco de Arruda built it.', summary: '' }, { name: 'browser' }));
  add('b2', 'b1', ['b3'], msg('b2', 'tool', { content_type: 'tether_quote', url: 'https://example.org/tower', domain: 'example.org', title: 'The tower', text: 'Built 1514–1520.' }, { name: 'browser', create_time: 1710000002 }));
  add('b3', 'b2', [], msg('b3', 'assistant', text('Francisco de Arruda.'), { create_time: 1710000003 }));
  return { title: 'Tower research', create_time: 1710000000, update_time: null, mapping: m, current_node: 'b3', conversation_id: 'conv-b', id: 'conv-b' };
}

/** A conversation with no mapping (skipped and reported). */
export function noMapping(): Json {
  return { title: 'Broken one', create_time: 1720000000, update_time: 1720000000, mapping: null, current_node: null, conversation_id: 'conv-c', id: 'conv-c' };
}

/** ChatGPT's zip: split conversation files, an image named `file-…-name.png`, a `.dat` asset with its name map. */
export function chatgptZip(opts: { withImage?: boolean; split?: boolean } = {}): Uint8Array {
  const { withImage = true, split = true } = opts;
  const files: Record<string, Uint8Array> = {
    'chat.html': strToU8('<html>ignored</html>'),
    'user.json': strToU8('{"id":"user-1"}'),
  };
  if (split) {
    files['conversations-000.json'] = strToU8(JSON.stringify([lisbon(), noMapping()]));
    files['conversations-001.json'] = strToU8(JSON.stringify([research()]));
  } else files['conversations.json'] = strToU8(JSON.stringify([lisbon(), noMapping(), research()]));
  if (withImage) files['file-Img1-tower.png'] = PNG;
  files['file_Other.dat'] = new Uint8Array([1, 2, 3]);
  files['conversation_asset_file_names.json'] = strToU8(JSON.stringify({ 'file_Other.dat': 'notes.txt' }));
  return zipSync(files);
}

export function fileOf(bytes: Uint8Array | string, name: string, type = ''): File {
  return new File([bytes as BlobPart], name, { type });
}
