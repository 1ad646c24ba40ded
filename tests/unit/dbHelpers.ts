// Test helper: a fresh Hearth storage on fake-indexeddb per test.
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { openStorage, type Storage } from '../../src/db';

let n = 0;

export function freshStorage(): Storage {
  return openStorage(`hearth-test-${++n}`, { indexedDB: new IDBFactory(), IDBKeyRange });
}
