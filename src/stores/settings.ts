// App-wide generation defaults and backend preference (persisted in storage.settings), merged
// with per-conversation overrides (`conversation.settings`) and URL overrides (?temperature=, ?backend=).
import { createSignal } from 'solid-js';
import { LIMITS, type UrlOverrides } from '../config';
import type { Conversation, Storage } from '../db';
import { DEFAULT_GENERATION, type BackendPreference, type GenerationParams } from '../shared/engine';

const KEY_GENERATION = 'generation';
const KEY_BACKEND = 'backend';

export interface SettingsStore {
  /** App defaults for new replies. */
  defaults: () => GenerationParams;
  /** The stored backend preference (the URL may override it: see `backend`). */
  backendPreference: () => BackendPreference;
  /** Backend to load with: URL override, else the stored preference. */
  backend: () => BackendPreference;
  loaded: () => boolean;
  /** Resolves once the stored values are read. */
  ready: Promise<void>;
  setDefaults(patch: Partial<GenerationParams>): Promise<void>;
  setBackend(backend: BackendPreference): Promise<void>;
  /** Parameters for a reply in `conversation`: its overrides or the defaults, then URL overrides. */
  paramsFor(conversation?: Conversation | null): GenerationParams;
}

export function clampParams(p: Partial<GenerationParams>, base: GenerationParams = DEFAULT_GENERATION): GenerationParams {
  const num = (v: unknown, fallback: number, min: number, max: number) =>
    typeof v === 'number' && Number.isFinite(v) ? Math.min(max, Math.max(min, v)) : fallback;
  return {
    temperature: num(p.temperature, base.temperature, LIMITS.temperature.min, LIMITS.temperature.max),
    topP: num(p.topP, base.topP, LIMITS.topP.min, LIMITS.topP.max),
    maxNewTokens: Math.round(num(p.maxNewTokens, base.maxNewTokens, LIMITS.maxNewTokens.min, LIMITS.maxNewTokens.max)),
  };
}

export function createSettingsStore(deps: { storage: Storage; url?: UrlOverrides; onError?: (e: unknown) => void }): SettingsStore {
  const { storage, url = {} } = deps;
  const [defaults, setDefaultsSignal] = createSignal<GenerationParams>({ ...DEFAULT_GENERATION });
  const [backendPreference, setBackendSignal] = createSignal<BackendPreference>('auto');
  const [loaded, setLoaded] = createSignal(false);

  const ready = (async () => {
    try {
      const [gen, backend] = await Promise.all([
        storage.settings.get<Partial<GenerationParams> | null>(KEY_GENERATION, null),
        storage.settings.get<BackendPreference>(KEY_BACKEND, 'auto'),
      ]);
      if (gen && typeof gen === 'object') setDefaultsSignal(clampParams(gen));
      if (backend === 'auto' || backend === 'webgpu' || backend === 'wasm') setBackendSignal(backend);
    } catch (e) {
      deps.onError?.(e);
    } finally {
      setLoaded(true);
    }
  })();

  return {
    defaults,
    backendPreference,
    backend: () => url.backend ?? backendPreference(),
    loaded,
    ready,
    async setDefaults(patch) {
      const next = clampParams({ ...defaults(), ...patch }, defaults());
      setDefaultsSignal(next);
      await storage.settings.set(KEY_GENERATION, next);
    },
    async setBackend(backend) {
      setBackendSignal(backend);
      await storage.settings.set(KEY_BACKEND, backend);
    },
    paramsFor(conversation) {
      const base = conversation?.settings ? clampParams(conversation.settings, defaults()) : defaults();
      return url.temperature !== undefined ? { ...base, temperature: url.temperature } : base;
    },
  };
}
