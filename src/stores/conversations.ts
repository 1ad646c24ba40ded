// The conversation list (live via `observe`, pinned first, newest first), search over titles and
// message text, the active conversation (kept in the URL hash so a reload reopens it), and
// new / rename / pin / delete-with-undo.
import { createEffect, createMemo, createSignal, onCleanup } from 'solid-js';
import { observe, type Conversation, type SearchHit, type Storage } from '../db';
import type { GenerationParams } from '../shared/engine';
import type { ToastStore } from './toasts';

export interface ConversationsStore {
  /** Conversations matching the search (all when the search is empty), in display order. */
  hits: () => SearchHit[];
  query: () => string;
  setQuery(q: string): void;
  /** True once the first list has arrived. */
  loaded: () => boolean;
  activeId: () => string | null;
  /** The active conversation record (live), or null for a new, unsaved chat. */
  active: () => Conversation | null;
  select(id: string | null): void;
  newChat(): void;
  /** Creates the conversation for the new chat (on its first message) and makes it active. */
  ensureActive(init?: { systemPrompt?: string }): Promise<Conversation>;
  rename(id: string, title: string): Promise<boolean>;
  togglePin(id: string): Promise<void>;
  remove(id: string): Promise<void>;
  setCurrentLeaf(id: string, leafId: string | null): Promise<void>;
  setSystemPrompt(id: string, text: string): Promise<void>;
  /** Per-conversation generation settings; null = use the app defaults. */
  setSettings(id: string, settings: GenerationParams | null): Promise<void>;
}

export interface ConversationsDeps {
  storage: Storage;
  toasts: ToastStore;
  /** Where the active id is remembered; defaults to the URL hash `#c=<id>`. */
  location?: { read(): string | null; write(id: string | null): void };
}

export const hashLocation = {
  read(): string | null {
    const m = /^#c=([\w-]{1,64})$/.exec(globalThis.location?.hash ?? '');
    return m ? m[1] : null;
  },
  write(id: string | null): void {
    if (typeof history === 'undefined') return;
    const url = new URL(location.href);
    url.hash = id ? `c=${id}` : '';
    history.replaceState(history.state, '', url.href);
  },
};

export function createConversationsStore(deps: ConversationsDeps): ConversationsStore {
  const { storage, toasts } = deps;
  const where = deps.location ?? hashLocation;
  const [query, setQuery] = createSignal('');
  const [hits, setHits] = createSignal<SearchHit[]>([]);
  const [loaded, setLoaded] = createSignal(false);
  const [activeId, setActiveId] = createSignal<string | null>(where.read());
  const [active, setActive] = createSignal<Conversation | null>(null);

  // The (searched) list, re-run on every change in any tab. A short debounce keeps typing cheap.
  createEffect(() => {
    const q = query();
    let sub: { unsubscribe(): void } | null = null;
    const timer = setTimeout(
      () => {
        sub = observe(
          () => storage.search(q),
          (list) => {
            setHits(list);
            setLoaded(true);
          },
          (e) => toasts.error(e),
        );
      },
      q ? 150 : 0,
    );
    onCleanup(() => {
      clearTimeout(timer);
      sub?.unsubscribe();
    });
  });

  // The active conversation, live. A deleted (or unknown) one falls back to a new chat.
  createEffect(() => {
    const id = activeId();
    where.write(id);
    if (!id) {
      setActive(null);
      return;
    }
    const sub = observe(
      () => storage.conversations.get(id),
      (conv) => {
        if (activeId() !== id) return;
        setActive(conv ?? null);
        if (!conv) setActiveId(null);
      },
      (e) => toasts.error(e),
    );
    onCleanup(() => sub.unsubscribe());
  });

  const activeMemo = createMemo(() => {
    const c = active();
    return c && c.id === activeId() ? c : null;
  });

  const select = (id: string | null) => setActiveId(id);
  /** Runs a storage write; a failure becomes a toast (the write's data stays as it was). */
  const reported = async (work: () => Promise<void>): Promise<void> => {
    try {
      await work();
    } catch (e) {
      toasts.error(e);
    }
  };

  return {
    hits,
    query,
    setQuery,
    loaded,
    activeId,
    active: activeMemo,
    select,
    newChat: () => select(null),
    async ensureActive(init) {
      const current = activeMemo();
      if (current) return current;
      const id = activeId();
      if (id) {
        const existing = await storage.conversations.get(id);
        if (existing) return existing;
      }
      const conv = await storage.conversations.create({ systemPrompt: init?.systemPrompt ?? '' });
      setActive(conv);
      setActiveId(conv.id);
      return conv;
    },
    async rename(id, title) {
      if (!title.trim()) return false;
      try {
        await storage.conversations.rename(id, title);
        return true;
      } catch (e) {
        toasts.error(e);
        return false;
      }
    },
    async togglePin(id) {
      const conv = hits().find((h) => h.conversation.id === id)?.conversation ?? (await storage.conversations.get(id));
      if (conv) await reported(() => storage.conversations.setPinned(id, !conv.pinned));
    },
    async remove(id) {
      let title = hits().find((h) => h.conversation.id === id)?.conversation.title ?? 'Conversation';
      try {
        title = (await storage.conversations.get(id))?.title ?? title;
        await storage.conversations.remove(id);
      } catch (e) {
        toasts.error(e);
        return;
      }
      if (activeId() === id) select(null);
      toasts.push({
        kind: 'info',
        text: `Deleted “${title}”.`,
        action: {
          label: 'Undo',
          run: async () => {
            try {
              await storage.conversations.restore(id);
              select(id);
            } catch (e) {
              toasts.error(e);
            }
          },
        },
      });
    },
    setCurrentLeaf: (id, leafId) => reported(() => storage.conversations.setCurrentLeaf(id, leafId)),
    setSystemPrompt: (id, text) => reported(() => storage.conversations.setSystemPrompt(id, text)),
    setSettings: (id, settings) => reported(() => storage.conversations.setSettings(id, settings)),
  };
}
