// The chips of a sent message's files, each saying what went to the model with the reply on
// screen (recorded in that reply's metadata, so it survives a reload).
import type { Message } from '../db';
import { useStores } from '../stores';
import { AttachmentList } from './AttachmentChip';
import type { ChipItem } from './attachmentFile';

export function MessageAttachments(props: { message: Message }) {
  const { attachments, chat } = useStores();
  const items = (): ChipItem[] =>
    props.message.attachmentIds.flatMap((id) => {
      const file = attachments.byId(id);
      return file ? [{ key: id, file, usage: chat.fileUsage(props.message.id, id) }] : [];
    });
  return <AttachmentList items={items()} />;
}
