// Attachment repository: files kept as Blobs beside the messages that reference them.
import { guard } from './errors';
import { newId, now } from './ids';
import { enqueue } from './outbox';
import type { HearthDb } from './schema';
import type { Attachment } from './types';

export class AttachmentRepo {
  constructor(private readonly db: HearthDb) {}

  add(conversationId: string, file: { name: string; type: string; data: Blob }): Promise<Attachment> {
    return guard(async () => {
      const t = now();
      const rec: Attachment = {
        id: newId(),
        conversationId,
        messageId: null,
        name: file.name,
        type: file.type || 'application/octet-stream',
        size: file.data.size,
        data: file.data,
        createdAt: t,
        updatedAt: t,
        deletedAt: null,
      };
      await this.db.transaction('rw', this.db.attachments, this.db.outbox, async () => {
        await this.db.attachments.add(rec);
        await enqueue(this.db, 'attachment', rec.id);
      });
      return rec;
    });
  }

  get(id: string): Promise<Attachment | undefined> {
    return guard(async () => {
      const a = await this.db.attachments.get(id);
      return a && a.deletedAt === null ? a : undefined;
    });
  }

  listByConversation(conversationId: string): Promise<Attachment[]> {
    return guard(async () =>
      (await this.db.attachments.where('conversationId').equals(conversationId).toArray()).filter((a) => a.deletedAt === null),
    );
  }
}
