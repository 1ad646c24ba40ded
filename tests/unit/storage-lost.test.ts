// @vitest-environment happy-dom
// The database going away under the app: another tab deletes or upgrades it (versionchange). The
// app's connection closes (so the other tab is not blocked), the app reloads and says why once.
import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { openStorage } from '../../src/db';
import { watchStorage } from '../../src/stores/storageWatch';
import { createToastStore } from '../../src/stores/toasts';

function other(name: string, action: 'delete' | 'upgrade'): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = action === 'delete' ? indexedDB.deleteDatabase(name) : indexedDB.open(name, 9999);
    req.onsuccess = () => {
      if (action === 'upgrade') (req.result as IDBDatabase).close();
      resolve();
    };
    req.onerror = () => reject(req.error);
    req.onblocked = () => reject(new Error('blocked: the app kept its connection open'));
  });
}

describe('storage lost under the app', () => {
  for (const [action, reason] of [['delete', 'deleted'], ['upgrade', 'upgraded']] as const) {
    it(`another tab ${action}s the database: the app reloads and then says so`, async () => {
      const name = `lost-${action}`;
      const storage = openStorage(name);
      const conv = await storage.conversations.create();
      expect(await storage.conversations.get(conv.id)).toBeDefined();
      let reloads = 0;
      const toasts = createToastStore();
      watchStorage(storage, toasts, () => reloads++);
      await other(name, action);
      expect(reloads).toBe(1);
      expect(sessionStorage.getItem('hearth-storage-lost')).toBe(reason);
      // After the reload: one notice, then never again.
      const after = createToastStore();
      watchStorage(openStorage(`${name}-2`), after, () => undefined);
      expect(after.toasts().map((t) => t.text).join()).toMatch(action === 'delete' ? /deleted/ : /upgraded/);
      expect(sessionStorage.getItem('hearth-storage-lost')).toBeNull();
    });
  }
});
