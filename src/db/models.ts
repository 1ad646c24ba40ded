// Model repository: the records of models the user keeps (downloaded or from files). A model
// counts as installed only when its record says so, which is written after every file is verified.
import { guard } from './errors';
import { now } from './ids';
import type { HearthDb } from './schema';
import type { ModelRecord } from './types';

export type NewModelRecord = Omit<ModelRecord, 'createdAt' | 'updatedAt'>;

export class ModelRepo {
  constructor(private readonly db: HearthDb) {}

  /** Creates or replaces the record (keeps its creation time). */
  put(rec: NewModelRecord): Promise<ModelRecord> {
    return guard(() =>
      this.db.transaction('rw', this.db.models, async () => {
        const cur = await this.db.models.get(rec.id);
        const t = now();
        const full: ModelRecord = { ...rec, createdAt: cur?.createdAt ?? t, updatedAt: t };
        await this.db.models.put(full);
        return full;
      }),
    );
  }

  get(id: string): Promise<ModelRecord | undefined> {
    return guard(() => this.db.models.get(id));
  }

  list(): Promise<ModelRecord[]> {
    return guard(async () => (await this.db.models.toArray()).sort((a, b) => a.createdAt - b.createdAt));
  }

  remove(id: string): Promise<void> {
    return guard(() => this.db.models.delete(id));
  }
}
