// @vitest-environment happy-dom
// The recommendation store (src/stores/recommendation.ts) over the real catalog, a real (fake-
// indexeddb) storage and the model manager downloading from the fixture Hub: offer -> downloading
// -> ready -> used (then hidden, also after a restart); the card follows into conversations only
// once its download started; Dismiss is remembered; offline there is nothing to offer.
import 'fake-indexeddb/auto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRoot } from 'solid-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStorage, type Storage } from '../../src/db';
import { MemoryFileStore } from '../../src/models/fileStore';
import { ModelManager } from '../../src/models/manager';
import type { DeviceProfile } from '../../src/models/recommend';
import { createModelsStore } from '../../src/stores/models';
import { createRecommendationStore } from '../../src/stores/recommendation';
import { CATALOG_FIXTURES, startHubServer, type HubServer } from '../fixtures/hub-server.mjs';
import { until } from './until';

const CATALOG_URL = `data:application/json,${encodeURIComponent(readFileSync(join(import.meta.dirname, '..', '..', 'models', 'catalog.json'), 'utf8'))}`;
let n = 0;
/** A fresh storage on the global (fake) indexedDB, which Dexie's live queries watch. */
const freshStorage = () => openStorage(`reco-test-${++n}`);
const CPU_ONLY: DeviceProfile = { gpu: null, deviceMemoryGiB: 8, freeStorageBytes: 100e9, online: true, builtInAi: 'unavailable' };

let hub: HubServer;
beforeAll(async () => {
  hub = await startHubServer({ repos: CATALOG_FIXTURES });
});
afterAll(() => hub.close());

/** The app's models and recommendation stores over `storage` (a restart: call again). */
async function open(storage: Storage, profile: DeviceProfile = CPU_ONLY) {
  return createRoot(async () => {
    const stores = new Map<string, MemoryFileStore>();
    const manager = new ModelManager({ records: storage.models, store: (n) => stores.get(n) ?? stores.set(n, new MemoryFileStore()).get(n)!, origin: 'http://app.test' });
    const models = createModelsStore({ storage, defaultModelId: 'hearth-chat', backend: () => 'wasm', catalogUrl: CATALOG_URL, manager });
    const reco = createRecommendationStore({ storage, models, useGpu: async () => false, readProfile: async () => profile });
    await models.ready;
    await models.setHubUrl(hub.url);
    await models.loadCatalog();
    await reco.ready;
    return { models, reco };
  });
}

describe('recommendation store', () => {
  it('offer, download in the background, use; then hidden, also after a restart', async () => {
    const storage = freshStorage();
    const { models, reco } = await open(storage);
    expect(reco.pick()?.entry.id).toBe('smollm2-360m-instruct');
    expect(reco.phase()).toBe('offer');
    expect(reco.shown(true)).toBe(true);
    expect(reco.shown(false)).toBe(false); // not in a conversation before the user engaged
    const phases = new Set<string>();
    const done = reco.download();
    await until(() => (phases.add(reco.phase()), reco.phase() === 'ready'), 20_000);
    await done;
    expect(phases.has('downloading')).toBe(true);
    expect(reco.shown(false)).toBe(true); // follows into a conversation once started
    expect(models.record('smollm2-360m-instruct')?.dtype).toBe('q4');
    await reco.use();
    expect(models.activeId()).toBe('smollm2-360m-instruct');
    expect(reco.phase()).toBe('hidden');
    const again = await open(storage);
    expect(again.models.activeId()).toBe('smollm2-360m-instruct');
    expect(again.reco.phase()).toBe('hidden');
  }, 30_000);

  it('Dismiss is remembered; offline there is nothing to offer', async () => {
    const storage = freshStorage();
    const { reco } = await open(storage);
    expect(reco.phase()).toBe('offer');
    await reco.dismiss();
    expect(reco.phase()).toBe('hidden');
    expect((await open(storage)).reco.phase()).toBe('hidden');
    const offline = await open(freshStorage(), { ...CPU_ONLY, online: false });
    expect(offline.reco.pick()).toBeNull();
    expect(offline.reco.shown(true)).toBe(false);
  });
});
