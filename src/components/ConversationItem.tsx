// One entry of the conversation list: a click anywhere on the row opens it; its "Conversation
// actions" menu (MenuButton) pins / unpins, renames in place (Enter saves, Esc cancels), exports
// and deletes (undo from the toast).
import { createEffect, createSignal, on, Show } from 'solid-js';
import type { Conversation, SearchHit } from '../db';
import { useStores } from '../stores';
import { MenuButton } from './MenuButton';

export function ConversationItem(props: { hit: SearchHit; onOpen: () => void; onExport?: (c: Conversation) => void }) {
  const { conversations, chat } = useStores();
  const [editing, setEditing] = createSignal(false);
  const c = () => props.hit.conversation;
  const active = () => conversations.activeId() === c().id;
  let cancelled = false;
  let openButton: HTMLButtonElement | undefined;
  /** After Enter or Esc in the title field, keyboard focus returns to the conversation, not the page. */
  const refocus = () => queueMicrotask(() => openButton?.focus());
  // A rename re-sorts the list (it counts as a change), and moving the focused item in the DOM
  // drops focus to the page: when the renamed entry arrives, focus goes back to it.
  let renamedTo: string | null = null;
  createEffect(
    on(
      () => props.hit.conversation.title,
      (title) => {
        if (renamedTo === null || title !== renamedTo) return;
        renamedTo = null;
        const now = document.activeElement;
        if (!now || now === document.body) openButton?.focus();
      },
      { defer: true },
    ),
  );

  const save = async (value: string, keepFocus = false) => {
    if (!editing()) return;
    setEditing(false);
    if (cancelled || !value.trim() || value.trim() === c().title) return;
    if (keepFocus) renamedTo = value.replace(/\s+/g, ' ').trim().slice(0, 200);
    await conversations.rename(c().id, value);
  };

  const remove = () => {
    if (chat.streaming()?.conversationId === c().id) chat.stop();
    void conversations.remove(c().id);
  };

  return (
    <li class="conv" classList={{ active: active(), pinned: c().pinned, editing: editing() }}>
      <Show
        when={!editing()}
        fallback={
          <input
            class="conv-rename"
            aria-label="Title"
            value={c().title}
            maxLength={200}
            ref={(el) =>
              queueMicrotask(() => {
                el.focus();
                el.select();
              })
            }
            onKeyDown={(e) => {
              if (e.key === 'Enter') {
                e.preventDefault();
                void save(e.currentTarget.value, true);
                refocus();
              } else if (e.key === 'Escape') {
                e.preventDefault();
                cancelled = true;
                setEditing(false);
                refocus();
              }
            }}
            onBlur={(e) => void save(e.currentTarget.value)}
          />
        }
      >
        <button type="button" class="conv-open" ref={openButton} aria-current={active() ? 'page' : undefined} onClick={() => {
          conversations.select(c().id);
          props.onOpen();
        }}>
          <span class="conv-title">{c().title}</span>
          <Show when={props.hit.snippet}>
            <span class="conv-snippet">{props.hit.snippet}</span>
          </Show>
        </button>
      </Show>
      <Show when={!editing()}>
        <MenuButton
          class="icon-btn conv-menu"
          label="Conversation actions"
          title="More"
          items={[
            { label: c().pinned ? 'Unpin' : 'Pin', icon: 'pin', onSelect: () => void conversations.togglePin(c().id) },
            {
              label: 'Rename',
              icon: 'pencil',
              onSelect: () => {
                cancelled = false;
                setEditing(true);
              },
            },
            ...(props.onExport ? [{ label: 'Export', icon: 'download' as const, onSelect: () => props.onExport?.(c()) }] : []),
            { label: 'Delete', icon: 'trash' as const, danger: true, onSelect: remove },
          ]}
        />
      </Show>
    </li>
  );
}
