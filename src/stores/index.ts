// Wires the stores together (one per domain) and hands them to components through a context.
import { createContext, useContext } from 'solid-js';
import { DEFAULT_MODEL_ID, readUrlOverrides, type UrlOverrides } from '../config';
import type { Storage } from '../db';
import { WorkerEngine } from '../engine/workerEngine';
import type { EngineApi } from '../shared/engine';
import { createChatStore, type ChatStore } from './chat';
import { createConversationsStore, type ConversationsStore } from './conversations';
import { createEngineStore, type EngineStore } from './engine';
import { createSettingsStore, type SettingsStore } from './settings';
import { getStorage } from './storage';
import { createToastStore, type ToastStore } from './toasts';

export interface Stores {
  storage: Storage;
  toasts: ToastStore;
  settings: SettingsStore;
  engine: EngineStore;
  conversations: ConversationsStore;
  chat: ChatStore;
  url: UrlOverrides;
}

/** Must run inside a reactive owner (a component or createRoot). */
export function createAppStores(deps: { storage?: Storage; engine?: EngineApi; url?: UrlOverrides; locks?: LockManager | null } = {}): Stores {
  const storage = deps.storage ?? getStorage();
  const url = deps.url ?? readUrlOverrides();
  const toasts = createToastStore();
  const settings = createSettingsStore({ storage, url, onError: (e) => toasts.error(e) });
  const engine = createEngineStore(deps.engine ?? new WorkerEngine(), {
    modelId: url.model ?? DEFAULT_MODEL_ID,
    loadOptions: () => ({
      backend: settings.backend(),
      modelBaseUrl: new URL('/models/', location.href).href,
      wasmBaseUrl: new URL('/ort/', location.href).href,
      ...(url.dtype ? { dtype: url.dtype } : {}),
    }),
  });
  const conversations = createConversationsStore({ storage, toasts });
  const chat = createChatStore({ storage, engine, conversations, settings, toasts, locks: deps.locks });
  return { storage, toasts, settings, engine, conversations, chat, url };
}

export const StoresContext = createContext<Stores>();

export function useStores(): Stores {
  const stores = useContext(StoresContext);
  if (!stores) throw new Error('useStores() outside <StoresContext.Provider>');
  return stores;
}
