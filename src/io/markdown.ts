// One conversation as a readable Markdown document: the branch on screen (root to the current
// leaf), with the system prompt, each message under its speaker, and its attachments by name.
import type { Attachment, Conversation, Message } from '../db/types';
import { indexTree, pathTo } from '../lib/tree';

function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

const SPEAKER = { user: 'You', assistant: 'Assistant', system: 'System' } as const;
const STATUS_NOTE = { interrupted: ' *(interrupted)*', error: ' *(failed)*', streaming: ' *(unfinished)*', complete: '' } as const;

export function conversationMarkdown(conversation: Conversation, messages: Message[], attachments: Attachment[], now = new Date()): string {
  const live = messages.filter((m) => m.deletedAt === null);
  const path = pathTo(indexTree(live), conversation.currentLeafId);
  const files = new Map(attachments.map((a) => [a.id, a]));
  const out: string[] = [`# ${conversation.title.replace(/\n/g, ' ')}`, ''];
  out.push(`*Exported from Hearth on ${now.toISOString().slice(0, 10)}. Started ${new Date(conversation.createdAt).toISOString().slice(0, 16).replace('T', ' ')} UTC.*`, '');
  if (conversation.systemPrompt.trim()) out.push('## System prompt', '', conversation.systemPrompt.trim(), '');
  for (const m of path) {
    out.push(`## ${SPEAKER[m.role]}${STATUS_NOTE[m.status]}`, '');
    if (m.content.trim()) out.push(m.content.trim(), '');
    const attached = (m.attachmentIds ?? []).map((id) => files.get(id)).filter((a): a is Attachment => !!a);
    if (attached.length) {
      out.push(...attached.map((a) => `- Attachment: ${a.name.replace(/[\r\n]/g, ' ')} (${a.type || 'file'}, ${formatSize(a.data.size)})`), '');
    }
    if (m.metadata?.error?.message) out.push(`> Error: ${m.metadata.error.message.replace(/\n/g, ' ')}`, '');
  }
  return `${out.join('\n').trimEnd()}\n`;
}
