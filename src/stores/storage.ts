// The one Storage instance of the app (openStorage() is called once). Tests may inject their own.
import { openStorage, type Storage } from '../db';

let instance: Storage | null = null;

export function getStorage(): Storage {
  instance ??= openStorage();
  return instance;
}

/** For tests: use this storage instead of the default database. */
export function setStorage(storage: Storage | null): void {
  instance = storage;
}
