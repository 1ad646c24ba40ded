// Claude and Open WebUI exports written for the tests from their documented formats: Claude's
// conversations.json (chat_messages with content blocks text / thinking / tool_use / tool_result,
// attachments with extracted_content, files, parent_message_uuid branches; see polylogue's
// docs/providers/claude-ai.md) and Open WebUI's chat export (chat.history.messages tree with
// parentId / childrenIds and currentId; see open-webui src/lib/utils/index.ts).
import { strToU8, zipSync } from 'fflate';
import { PNG } from './io-fixtures';

const ROOT = '00000000-0000-4000-8000-000000000000';

export function claudeConversations(): Record<string, unknown>[] {
  const msg = (uuid: string, sender: string, parent: string, created: string, content: unknown[], extra: Record<string, unknown> = {}) => ({
    uuid, text: '', content, sender, created_at: created, updated_at: created, attachments: [], files: [], parent_message_uuid: parent, ...extra,
  });
  return [
    {
      uuid: 'cl-1', name: 'Sourdough starter', summary: '', created_at: '2026-03-01T10:00:00.000000Z', updated_at: '2026-03-01T10:05:00.000000Z', account: { uuid: 'acc' },
      current_leaf_message_uuid: 'h2',
      chat_messages: [
        msg('h1', 'human', ROOT, '2026-03-01T10:00:00Z', [{ type: 'text', text: 'How do I feed my starter? Notes attached.' }], {
          attachments: [{ file_name: 'notes.txt', file_size: 12, file_type: 'txt', extracted_content: 'Feed daily.\n' }],
          files: [{ file_name: 'photo.jpg' }],
        }),
        msg('a1', 'assistant', 'h1', '2026-03-01T10:00:10Z', [
          { type: 'thinking', thinking: 'They keep notes; answer from them.' },
          { type: 'tool_use', name: 'web_search', input: { query: 'sourdough starter feeding ratio' } },
          { type: 'tool_result', name: 'web_search', content: [{ type: 'text', text: 'Use 1:1:1 by weight.' }] },
          { type: 'text', text: 'Feed it 1:1:1 flour, water and starter once a day.' },
        ]),
        msg('a1b', 'assistant', 'h1', '2026-03-01T10:01:00Z', [{ type: 'text', text: 'Daily, equal parts by weight.' }]),
        msg('h2', 'human', 'a1b', '2026-03-01T10:02:00Z', [{ type: 'text', text: 'Thanks!' }]),
      ],
    },
    {
      uuid: 'cl-2', name: '', created_at: '2026-03-02T09:00:00Z', updated_at: '2026-03-02T09:01:00Z',
      chat_messages: [
        { uuid: 'x1', text: 'Plan a picnic for four', sender: 'human', created_at: '2026-03-02T09:00:00Z', attachments: [], files: [] },
        { uuid: 'x2', text: 'Bread, cheese, fruit and lemonade.', sender: 'assistant', created_at: '2026-03-02T09:00:05Z', attachments: [], files: [] },
      ],
    },
  ];
}

export const claudeZip = () => zipSync({ 'conversations.json': strToU8(JSON.stringify(claudeConversations())), 'users.json': strToU8('[{"uuid":"u"}]'), 'projects.json': strToU8('[]') });

export function openWebUiChats(): Record<string, unknown>[] {
  const m = (id: string, parentId: string | null, childrenIds: string[], role: string, content: string, timestamp: number, model?: string) => ({ id, parentId, childrenIds, role, content, timestamp, ...(model ? { model } : {}) });
  const messages = {
    q1: { ...m('q1', null, ['r1', 'r2'], 'user', 'Name a blue flower.', 1767000000), files: [{ type: 'image', url: `data:image/png;base64,${btoa(String.fromCharCode(...PNG))}` }, { type: 'file', name: 'garden.pdf', url: '/api/v1/files/abc/content' }] },
    r1: m('r1', 'q1', [], 'assistant', 'Cornflower.', 1767000002, 'llama3.2:1b'),
    r2: m('r2', 'q1', ['q2'], 'assistant', 'Forget-me-not.', 1767000005, 'qwen2.5:0.5b'),
    q2: m('q2', 'r2', ['r3'], 'user', 'And a red one?', 1767000007),
    r3: m('r3', 'q2', [], 'assistant', 'Poppy.', 1767000009, 'qwen2.5:0.5b'),
  };
  return [
    {
      id: 'ow-1', user_id: 'u1', title: 'Flowers', created_at: 1767000000, updated_at: 1767000009, share_id: null, archived: false, pinned: true, meta: {}, folder_id: null,
      chat: { id: '', title: 'Flowers', models: ['qwen2.5:0.5b'], history: { messages, currentId: 'r3' }, messages: [messages.q1, messages.r2, messages.q2, messages.r3], timestamp: 1767000000000 },
    },
    {
      id: 'ow-2', user_id: 'u1', title: null, created_at: 1767100000, updated_at: 1767100001, archived: true, pinned: false,
      chat: { title: 'New Chat', history: { messages: {}, currentId: null }, messages: [m('s1', null, ['s2'], 'user', 'Hello there', 1767100000), m('s2', 's1', [], 'assistant', 'Hi!', 1767100001)] },
    },
  ];
}
