// Wires the stores together (one per domain) and hands them to components through a context.
import { createContext, createEffect, useContext } from 'solid-js';
import { DEFAULT_MODEL_ID, readUrlOverrides, type UrlOverrides } from '../config';
import type { Storage } from '../db';
import { LOST_MESSAGE, ModelRoutingEngine, TabLockedEngine } from '../engine/tabEngine';
import { WorkerEngine } from '../engine/workerEngine';
import { BuiltInAiEngine } from '../engine/builtinAiEngine';
import { keepBundledModelOffline } from '../pwa/warm';
import type { LanguageModelStatic } from '../shared/builtinAi';
import type { EngineApi } from '../shared/engine';
import { createAttachmentsStore, type AttachmentsStore } from './attachments';
import { createChatStore, type ChatStore } from './chat';
import { createConversationsStore, type ConversationsStore } from './conversations';
import { createEngineStore, type EngineStore } from './engine';
import { createModelsStore, type ModelsStore } from './models';
import { createPwaStore, type PwaStore } from './pwa';
import { createRecommendationStore, type RecommendationStore } from './recommendation';
import { createSettingsStore, type SettingsStore } from './settings';
import { getStorage } from './storage';
import { createSyncStore, type SyncStore } from './sync';
import { createToastStore, type ToastStore } from './toasts';

export interface Stores {
  storage: Storage;
  toasts: ToastStore;
  settings: SettingsStore;
  engine: EngineStore;
  conversations: ConversationsStore;
  chat: ChatStore;
  attachments: AttachmentsStore;
  url: UrlOverrides;
  models: ModelsStore;
  recommendation: RecommendationStore;
  pwa: PwaStore;
  sync: SyncStore;
  /** Moves the model to this tab when another tab runs it (Web Locks). */
  useModelHere(): void;
}

/** Must run inside a reactive owner (a component or createRoot). */
export function createAppStores(
  deps: { storage?: Storage; engine?: EngineApi; url?: UrlOverrides; locks?: LockManager | null; languageModel?: () => LanguageModelStatic | null } = {},
): Stores {
  const storage = deps.storage ?? getStorage();
  const url = deps.url ?? readUrlOverrides();
  const toasts = createToastStore();
  const settings = createSettingsStore({ storage, url, onError: (e) => toasts.error(e) });
  const pwa = createPwaStore();
  const locks = deps.locks === undefined ? (typeof navigator !== 'undefined' ? navigator.locks ?? null : null) : deps.locks;
  // One model per browser (the tab holding the "hearth-engine" lock), the model chosen in Models.
  let models: ModelsStore | null = null;
  const inner: EngineApi & { terminate?: () => void } = deps.engine ?? new WorkerEngine();
  // Applying an update reloads the page: end the engine worker first, so no model request reaches
  // the old service worker while it hands over (src/pwa/register.ts).
  pwa.setBeforeUpdate(() => inner.terminate?.());
  const tabEngine = new TabLockedEngine(inner, locks, (role) => {
    pwa.setTabRole(role);
    if (role === 'lost') engine.release({ code: 'busy', message: LOST_MESSAGE, retryable: true });
    if (role === 'available' && engine.state() !== 'ready' && engine.state() !== 'loading') void engine.load();
  });
  // Chrome's built-in AI runs on the page (its Prompt API is not in workers), beside the worker.
  const builtInEngine = new BuiltInAiEngine(deps.languageModel);
  const engine = createEngineStore(new ModelRoutingEngine(tabEngine, () => models?.active() ?? null, builtInEngine), {
    modelId: url.model ?? DEFAULT_MODEL_ID,
    loadOptions: () => ({
      backend: settings.backend(),
      modelBaseUrl: new URL('/models/', location.href).href,
      wasmBaseUrl: new URL('/ort/', location.href).href,
      ...(url.dtype ? { dtype: url.dtype } : {}),
    }),
  });
  models = createModelsStore({
    storage,
    defaultModelId: DEFAULT_MODEL_ID,
    urlModel: url.model,
    backend: () => (engine.backend() === 'webgpu' ? 'webgpu' : 'wasm'),
    shaderF16: () => engine.capabilities()?.shaderF16,
    languageModel: deps.languageModel,
    onUse: () => engine.reload(),
  });
  const modelsStore = models;
  // Keep the bundled model in use available offline (see src/pwa/warm.ts).
  const warmed = new Set<string>();
  createEffect(() => {
    const info = engine.info();
    if (engine.state() !== 'ready' || !info || modelsStore.active().source?.kind !== 'bundled') return;
    const key = `${info.modelId}:${info.dtype}`;
    if (warmed.has(key)) return;
    warmed.add(key);
    void keepBundledModelOffline(info.modelId, info.dtype).catch(() => warmed.delete(key));
  });
  const conversations = createConversationsStore({ storage, toasts });
  const chat = createChatStore({ storage, engine, conversations, settings, toasts, locks: deps.locks, debugPrompt: url.debugPrompt, modelName: (id) => modelsStore.nameOf(id) });
  const attachments = createAttachmentsStore({ storage, conversations, toasts });
  const useModelHere = () => {
    tabEngine.takeOver();
    void engine.load();
  };
  const sync = createSyncStore({ storage });
  const recommendation = createRecommendationStore({ storage, models: modelsStore, builtInAi: () => modelsStore.builtIn.probe(), useGpu: async () => {
    await settings.ready.catch(() => undefined);
    return settings.backend() !== 'wasm';
  } });
  return { storage, toasts, settings, engine, conversations, chat, attachments, url, models: modelsStore, recommendation, pwa, sync, useModelHere };
}

export const StoresContext = createContext<Stores>();

export function useStores(): Stores {
  const stores = useContext(StoresContext);
  if (!stores) throw new Error('useStores() outside <StoresContext.Provider>');
  return stores;
}
