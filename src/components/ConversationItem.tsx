// One entry of the conversation list: open it, rename in place (Enter saves, Esc cancels),
// pin / unpin, export, delete (undo from the toast).
import { createEffect, createSignal, on, Show } from 'solid-js';
import type { Conversation, SearchHit } from '../db';
import { useStores } from '../stores';
import { Icon } from './icons';

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
        <div class="conv-actions">
          <button
            type="button"
            class="icon-btn"
            classList={{ on: c().pinned }}
            aria-label={c().pinned ? 'Unpin' : 'Pin'}
            aria-pressed={c().pinned}
            title={c().pinned ? 'Unpin' : 'Pin'}
            onClick={() => void conversations.togglePin(c().id)}
          >
            <Icon name="pin" size={15} />
          </button>
          <button
            type="button"
            class="icon-btn"
            aria-label="Rename"
            title="Rename"
            onClick={() => {
              cancelled = false;
              setEditing(true);
            }}
          >
            <Icon name="pencil" size={15} />
          </button>
          <Show when={props.onExport}>
            <button type="button" class="icon-btn" aria-label="Export" title="Export" onClick={() => props.onExport?.(c())}>
              <Icon name="download" size={15} />
            </button>
          </Show>
          <button type="button" class="icon-btn danger" aria-label="Delete" title="Delete" onClick={remove}>
            <Icon name="trash" size={15} />
          </button>
        </div>
      </Show>
    </li>
  );
}
