// Browser storage facts for the Models dialog: used / available space (navigator.storage.estimate)
// and persistence (navigator.storage.persist, asked on the first download so the browser does not
// silently evict downloaded models when space runs low).

export interface StorageFigures {
  usage: number;
  quota: number;
}

export async function estimateStorage(): Promise<StorageFigures | null> {
  try {
    const e = await navigator.storage?.estimate?.();
    return e && typeof e.usage === 'number' && typeof e.quota === 'number' ? { usage: e.usage, quota: e.quota } : null;
  } catch {
    return null;
  }
}

export async function isStoragePersisted(): Promise<boolean | null> {
  try {
    return (await navigator.storage?.persisted?.()) ?? null;
  } catch {
    return null;
  }
}

/** Asks for persistent storage; null when the browser has no such API. */
export async function requestPersistentStorage(): Promise<boolean | null> {
  try {
    if (!navigator.storage?.persist) return null;
    return await navigator.storage.persist();
  } catch {
    return false;
  }
}
