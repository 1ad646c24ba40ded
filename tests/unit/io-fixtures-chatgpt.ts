// A realistic 2026 ChatGPT export, written for the tests from what public parsers document
// (convoviz's export spec, nexus-ai-chat-importer, LibreChat's citation patterns): o3-style
// thoughts and a reasoning recap, web.run searches with citation markers and content_references,
// python and its output, the memory tool, canvas create + update, DALL-E, voice with transcripts,
// uploads named through conversation_asset_file_names.json, a null title, slim nodes, a
// conversation without `id`, inverted timestamps, current_node on an older leaf, pinned/archived.
import { strToU8, zipSync } from 'fflate';
import { PNG } from './io-fixtures';

type Json = Record<string, unknown>;

/** Builds a `mapping` from a chain description: each entry is [id, parent, message]. */
function mapping(nodes: [string, string | null, Json | null][]): Record<string, Json> {
  const m: Record<string, Json> = {};
  for (const [id, parent, message] of nodes) m[id] = { id, message, parent, children: [] };
  for (const [id, parent] of nodes) if (parent) (m[parent].children as string[]).push(id);
  return m;
}

let clock = 1760000000;
function msg(role: string, content: Json, extra: Json = {}): Json {
  clock += 2;
  return { id: `m${clock}`, author: { role, name: extra.name ?? null, metadata: {} }, create_time: clock, update_time: null, content, status: 'finished_successfully', end_turn: null, weight: 1, metadata: extra.metadata ?? {}, recipient: extra.recipient ?? 'all', channel: null };
}
const text = (...parts: string[]) => ({ content_type: 'text', parts });
const code = (t: string, language = 'unknown') => ({ content_type: 'code', language, text: t });

export const CITE = '\uE200cite\uE202turn0search0\uE201';
export const WAV = new Uint8Array([...strToU8('RIFF'), 36, 0, 0, 0, ...strToU8('WAVEfmt '), 16, 0, 0, 0, 1, 0, 1, 0, 0x40, 0x1f, 0, 0, 0x80, 0x3e, 0, 0, 2, 0, 16, 0, ...strToU8('data'), 0, 0, 0, 0]);
export const WEBP = new Uint8Array([...strToU8('RIFF'), 4, 0, 0, 0, ...strToU8('WEBPVP8 '), 1, 2, 3, 4]);

function research(): Json {
  const m = mapping([
    ['r', null, null],
    ['sys', 'r', msg('system', text(''), { metadata: { is_visually_hidden_from_conversation: true } })],
    ['ctx', 'sys', msg('user', { content_type: 'user_editable_context', user_profile: 'I am a botanist.', user_instructions: 'Be concise.' }, { metadata: { is_visually_hidden_from_conversation: true } })],
    ['u1', 'ctx', msg('user', text('What is the tallest building in Lisbon?'))],
    ['th', 'u1', msg('assistant', { content_type: 'thoughts', thoughts: [{ summary: 'Checking sources', content: 'I should search for current rankings.' }], source_analysis_msg_id: 'x' }, { metadata: { model_slug: 'o3' } })],
    ['call', 'th', msg('assistant', code('{"search_query":[{"q":"tallest building Lisbon"}],"response_length":"short"}'), { recipient: 'web.run', metadata: { model_slug: 'o3' } })],
    ['res', 'call', msg('tool', { content_type: 'text', parts: ['Torre São Gabriel, 110 m (example.org)'] }, { name: 'web.run', metadata: { search_result_groups: [{ domain: 'example.org', entries: [{ url: 'https://example.org/lisbon', title: 'Lisbon towers' }] }] } })],
    ['recap', 'res', msg('assistant', { content_type: 'reasoning_recap', content: 'Thought for 14s' }, { metadata: { model_slug: 'o3' } })],
    ['a1', 'recap', msg('assistant', text(`The tallest is Torre São Gabriel ${CITE}. It is 110 m tall \uE200cite\uE202turn0search9\uE201.`), {
      metadata: { model_slug: 'o3', content_references: [{ matched_text: CITE, start_idx: 36, end_idx: 60, type: 'grouped_webpages', items: [{ title: 'Lisbon towers', url: 'https://example.org/lisbon', pub_date: null }] }] },
    })],
  ]);
  return { title: 'Tallest building', create_time: 1760000000, update_time: 1760000100, mapping: m, current_node: 'a1', conversation_id: 'c-research', id: 'c-research', gizmo_id: 'g-botany', is_archived: false };
}

function memoryAndPython(): Json {
  const m = mapping([
    ['r', null, null],
    ['u1', 'r', msg('user', text('Remember that I like tea. Also, what is 2**10?'))],
    ['bio', 'u1', msg('assistant', code('User likes tea.'), { recipient: 'bio' })],
    ['bioOk', 'bio', msg('tool', text('Model set context updated.'), { name: 'bio' })],
    ['py', 'bioOk', msg('assistant', code('print(2**10)', 'python'), { recipient: 'python' })],
    ['out', 'py', msg('tool', { content_type: 'execution_output', text: '1024' }, { name: 'python' })],
    ['a1', 'out', msg('assistant', text('Noted. 2**10 is 1024.'))],
  ]);
  return { title: 'Tea and powers', create_time: 1760001000, update_time: 1760001100, mapping: m, current_node: 'a1', conversation_id: 'c-memory', id: 'c-memory' };
}

function canvas(): Json {
  const m = mapping([
    ['r', null, null],
    ['u1', 'r', msg('user', text('Write a short poem about rain.'))],
    ['mk', 'u1', msg('assistant', code('{"name":"Rain","type":"document","content":"# Rain\\n\\nSoft rain on the roof,\\nslow songs for the street."}', 'json'), { recipient: 'canmore.create_textdoc' })],
    ['mkOk', 'mk', msg('tool', text("Successfully created text document 'Rain' which will be referenced in all future messages with the unique identifier textdoc_id: '67d0'"), { name: 'canmore.create_textdoc', metadata: { canvas: { textdoc_id: '67d0', version: 1, title: 'Rain' } } })],
    ['a1', 'mkOk', msg('assistant', text('Here is a short poem about rain.'))],
    ['u2', 'a1', msg('user', text('Make it one line.'))],
    ['up', 'u2', msg('assistant', code('{"updates":[{"pattern":".*","multiple":false,"replacement":"# Rain\\n\\nSoft rain sings the street to sleep."}]}', 'json'), { recipient: 'canmore.update_textdoc' })],
    ['upOk', 'up', msg('tool', text("Successfully updated text document with textdoc_id '67d0'"), { name: 'canmore.update_textdoc' })],
    ['a2', 'upOk', msg('assistant', text('Done: one line now.'))],
  ]);
  return { title: 'Rain poem', create_time: 1760002000, update_time: 1760002100, mapping: m, current_node: 'a2', conversation_id: 'c-canvas', id: 'c-canvas' };
}

function images(): Json {
  const m = mapping([
    ['r', null, null],
    ['u1', 'r', msg('user', { content_type: 'multimodal_text', parts: [{ content_type: 'image_asset_pointer', asset_pointer: 'sediment://file_00upload', size_bytes: 16, width: 4, height: 4 }, 'Draw this garden at dawn.'] }, { metadata: { attachments: [{ id: 'file_00upload', name: 'garden.png', mime_type: 'image/png' }] } })],
    ['call', 'u1', msg('assistant', code('{"prompt":"A garden at dawn, soft light","size":"1024x1024"}'), { recipient: 'dalle.text2im' })],
    ['img', 'call', msg('tool', { content_type: 'multimodal_text', parts: [{ content_type: 'image_asset_pointer', asset_pointer: 'sediment://file_00dalle', size_bytes: 16, width: 1024, height: 1024, metadata: { dalle: { prompt: 'A garden at dawn, soft light', seed: 1 } } }] }, { name: 'dalle.text2im' })],
    ['note', 'img', msg('tool', text("DALL·E displayed 1 images. The images are already plainly visible, so don't repeat the descriptions in detail."), { name: 'dalle.text2im' })],
    ['a1', 'note', msg('assistant', text('Here is your garden at dawn.'))],
  ]);
  return { title: null, create_time: 1760003000, update_time: 1760003100, mapping: m, current_node: 'a1', conversation_id: 'c-images', id: 'c-images' };
}

function voice(): Json {
  const m = mapping([
    ['r', null, null],
    ['u1', 'r', msg('user', { content_type: 'multimodal_text', parts: [
      { content_type: 'real_time_user_audio_video_asset_pointer', audio_asset_pointer: { content_type: 'audio_asset_pointer', asset_pointer: 'sediment://file_00voiceA', format: 'wav', metadata: { start: 0, end: 3.4 } }, frames_asset_pointers: [] },
      { content_type: 'audio_transcription', text: 'How long do I boil an egg?', direction: 'in' },
    ] })],
    ['a1', 'u1', msg('assistant', { content_type: 'multimodal_text', parts: [
      { content_type: 'audio_transcription', text: 'About nine minutes for a hard egg.', direction: 'out' },
      { content_type: 'audio_asset_pointer', asset_pointer: 'sediment://file_00voiceB', format: 'wav', metadata: { start: 0, end: 2 } },
    ] })],
  ]);
  return { title: 'Boiling eggs', create_time: 1760004000, update_time: 1760004100, mapping: m, current_node: 'a1', conversation_id: 'c-voice', id: 'c-voice', voice: 'juniper' };
}

/** Mid-2026 slim nodes (no children/status/recipient/weight/metadata), no `id`, inverted times, an older leaf. */
function slim(): Json {
  const node = (id: string, parent: string | null, role: string | null, t: string | null, time: number | null) => ({
    id, parent, message: role ? { id, author: { role }, create_time: time, content: { content_type: 'text', parts: [{ content_type: 'text', text: t }] } } : null,
  });
  const m = Object.fromEntries([
    node('r', null, null, null, null), node('u1', 'r', 'user', 'Hi there', 1760005002), node('a1', 'u1', 'assistant', 'Hello! How can I help?', 1760005004),
    node('a1b', 'u1', 'assistant', 'Hey! What is up?', 1760005009), node('u2', 'a1b', 'user', 'Nothing much.', null), node('a2', 'u2', 'assistant', 'Fair enough.', 1760005012),
  ].map((n) => [n.id, n]));
  return { title: 'Quick hello', create_time: 1760005100, update_time: 1760005000, mapping: m, current_node: 'a1', conversation_id: 'c-slim', pinned_time: 1760005200, is_archived: true };
}

export function realisticConversations(): Json[] {
  clock = 1760000000;
  return [research(), memoryAndPython(), canvas(), images(), voice(), slim()];
}

/** The 2026 zip (the upload is named only by its message's metadata.attachments): split shards, chat.html beside them, `.dat` assets named by the map, dalle-generations/, a conversation audio folder. */
export function realisticZip(opts: { nested?: boolean } = {}): Uint8Array {
  const [a, b, c, d, e, f] = realisticConversations();
  const files: Record<string, Uint8Array> = {
    'chat.html': strToU8('<html><script>var jsonData = []</script></html>'),
    'user.json': strToU8('{"id":"user-1"}'),
    'conversations-000.json': strToU8(JSON.stringify([a, b, c])),
    'conversations-001.json': strToU8(JSON.stringify([d, e, f])),
    'file_00upload.dat': PNG,
    'dalle-generations/file_00dalle-7f3e2b1c-1111-4a4a-9b9b-0123456789ab.webp': WEBP,
    'file_00voiceA.dat': WAV,
    'c-voice/audio/file_00voiceB-2c9d4e6f-2222-4b4b-8c8c-0123456789ab.wav': WAV,
    'conversation_asset_file_names.json': strToU8(JSON.stringify({ 'file_00voiceA.dat': 'c-voice/audio/5d1e7a90-3333-4c4c-9d9d-0123456789ab.wav' })),
  };
  const zip = zipSync(files);
  return opts.nested ? zipSync({ 'chatgpt-export/export.zip': zip }, { level: 0 }) : zip;
}
