// The first screen's recommendation: the device profile (read once, the connection followed
// live), the model the rule picks for it (src/models/recommend.ts), and the card's life: offer ->
// downloading (the Models store's verified, resumable download, in the background) -> ready ("Use
// <name>", remembered as the model in use) or failed (the cause, Resume keeps the bytes). Dismiss
// is remembered; the card never shows offline, nor once a downloaded model is in use.
import { createMemo, createSignal } from 'solid-js';
import type { Storage } from '../db';
import { readDeviceProfile } from '../models/deviceProfile';
import { BUILT_IN_AI_ID, recommendModel, type BuiltInAiStatus, type DeviceProfile, type Recommendation } from '../models/recommend';
import type { ModelsStore } from './models';

const KEY_DISMISSED = 'recommendationDismissed';

export type RecommendationPhase = 'hidden' | 'offer' | 'downloading' | 'failed' | 'ready';

export interface RecommendationStore {
  /** What the rule picks for this device (null until the profile is read and the catalog loaded, offline, or nothing fits). */
  pick: () => Recommendation | null;
  /** The recommendation the card is about (the one being downloaded, once started). */
  current: () => Recommendation | null;
  phase: () => RecommendationPhase;
  /** The card shows on the empty chat, and on every screen once its download was started here. */
  shown(emptyChat: boolean): boolean;
  download(): Promise<void>;
  use(): Promise<void>;
  dismiss(): Promise<void>;
  ready: Promise<void>;
}

export function createRecommendationStore(deps: {
  storage: Storage;
  models: ModelsStore;
  /** False when the user chose WASM (the GPU is then not part of the profile). */
  useGpu: () => Promise<boolean>;
  /** Chrome's Prompt API availability (src/shared/builtinAi.ts); 'unavailable' when not given. */
  builtInAi?: () => Promise<BuiltInAiStatus>;
  /** Reads the profile (tests pass their own). */
  readProfile?: (opts: { useGpu: boolean; builtInAi: BuiltInAiStatus }) => Promise<DeviceProfile>;
}): RecommendationStore {
  const { models, storage } = deps;
  const [profile, setProfile] = createSignal<DeviceProfile | null>(null);
  const [dismissed, setDismissed] = createSignal(true);
  const [engaged, setEngaged] = createSignal<Recommendation | null>(null);

  const ready = (async () => {
    const [wasDismissed, builtInAi] = await Promise.all([
      storage.settings.get(KEY_DISMISSED, false).catch(() => false),
      deps.builtInAi?.().catch(() => 'unavailable' as const) ?? Promise.resolve('unavailable' as const),
    ]);
    setDismissed(wasDismissed);
    await models.ready;
    setProfile(await (deps.readProfile ?? readDeviceProfile)({ useGpu: await deps.useGpu(), builtInAi }));
  })();

  if (typeof window !== 'undefined') {
    const onLine = () => setProfile((p) => p && { ...p, online: navigator.onLine !== false });
    window.addEventListener('online', onLine);
    window.addEventListener('offline', onLine);
  }

  const pick = createMemo(() => {
    const p = profile();
    return p ? recommendModel(p, models.catalog()) : null;
  });
  const current = () => engaged() ?? pick();

  const phase = createMemo<RecommendationPhase>(() => {
    const r = current();
    if (!r || (dismissed() && !engaged())) return 'hidden';
    const active = models.activeId();
    // A downloaded model (or the browser's own) in use: nothing to recommend.
    if (active === r.entry.id || active === BUILT_IN_AI_ID || models.active().source?.kind !== 'bundled') return 'hidden';
    if (!r.download) return 'ready';
    const dl = models.downloads()[r.entry.id];
    if (dl?.running) return 'downloading';
    if (dl?.error) return 'failed';
    return models.record(r.entry.id)?.status === 'installed' ? 'ready' : 'offer';
  });

  return {
    pick,
    current,
    phase,
    shown: (emptyChat) => phase() !== 'hidden' && (emptyChat || engaged() !== null),
    async download() {
      const r = current();
      if (!r) return;
      // Chrome's own model, not yet on the device: Chrome downloads it (from this click), then it is used.
      if (!r.download) {
        if (r.entry.id === BUILT_IN_AI_ID && models.builtIn.status() !== 'available' && !(await models.builtIn.start())) return;
        await models.use(r.entry.id);
        return;
      }
      setEngaged(r);
      await models.download(r.entry, { backend: r.backend });
    },
    async use() {
      const r = current();
      if (!r) return;
      await models.use(r.entry.id);
      setEngaged(null);
    },
    async dismiss() {
      setDismissed(true);
      setEngaged(null);
      await storage.settings.set(KEY_DISMISSED, true).catch(() => undefined);
    },
    ready,
  };
}
