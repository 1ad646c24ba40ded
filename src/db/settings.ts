// App-wide settings (generation defaults, backend, theme) as key/value records.
import { guard } from './errors';
import { now } from './ids';
import type { HearthDb } from './schema';

export class SettingsRepo {
  constructor(private readonly db: HearthDb) {}

  async get<T>(key: string, fallback: T): Promise<T> {
    return guard(async () => {
      const rec = await this.db.settings.get(key);
      return rec === undefined ? fallback : (rec.value as T);
    });
  }

  set<T>(key: string, value: T): Promise<void> {
    return guard(async () => {
      await this.db.settings.put({ key, value, updatedAt: now() });
    });
  }
}
