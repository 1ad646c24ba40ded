// The conversation sidebar (a drawer on phones): New chat, search over titles and message
// text, the list (pinned conversations under "Pinned", then the others, newest first), and
// import / export at its foot.
import { createMemo, For, Show } from 'solid-js';
import { useStores } from '../stores';
import { createIoStore } from '../stores/io';
import { ConversationItem } from './ConversationItem';
import { ExportReminder } from './ExportReminder';
import { Icon } from './icons';
import { ImportExport } from './ImportExport';

export function Sidebar(props: { open: boolean; onClose: () => void }) {
  const { conversations, storage, toasts } = useStores();
  const io = createIoStore({ storage, toasts });
  // Keyed by id so that items (and a rename in progress) survive list refreshes.
  const byId = createMemo(() => new Map(conversations.hits().map((h) => [h.conversation.id, h])));
  const pinnedIds = createMemo(() => conversations.hits().filter((h) => h.conversation.pinned).map((h) => h.conversation.id));
  const otherIds = createMemo(() => conversations.hits().filter((h) => !h.conversation.pinned).map((h) => h.conversation.id));
  // Takes the accessor (not the array): the <ul> and its items stay across refreshes (a rename, a
  // new message), and so does keyboard focus; only added / removed ids change the DOM.
  const list = (ids: () => string[]) => (
    <ul class="conv-list">
      <For each={ids()}>
        {(id) => <Show when={byId().get(id)}>{(hit) => <ConversationItem hit={hit()} onOpen={props.onClose} onExport={(c) => io.openExport(c.id, c.title)} />}</Show>}
      </For>
    </ul>
  );
  return (
    <aside class="sidebar" classList={{ open: props.open }} id="sidebar">
      <div class="sidebar-head">
        <div class="brand">
          <Icon name="flame" size={20} />
          <span>Hearth</span>
        </div>
        <button
          type="button"
          class="btn btn-new"
          onClick={() => {
            conversations.newChat();
            props.onClose();
          }}
        >
          <Icon name="plus" size={16} />
          New chat
        </button>
      </div>
      <label class="search">
        <Icon name="search" size={16} />
        <input
          type="search"
          aria-label="Search conversations"
          placeholder="Search"
          value={conversations.query()}
          onInput={(e) => conversations.setQuery(e.currentTarget.value)}
        />
      </label>
      <nav aria-label="Conversations" class="conv-nav">
        <Show
          when={conversations.hits().length > 0}
          fallback={
            <p class="conv-empty">
              {conversations.query().trim()
                ? 'No conversations match.'
                : conversations.loaded()
                  ? 'No conversations yet.'
                  : ''}
            </p>
          }
        >
          <Show when={pinnedIds().length > 0}>
            <h2 class="conv-group">Pinned</h2>
            {list(pinnedIds)}
            <Show when={otherIds().length > 0}>
              <h2 class="conv-group">Chats</h2>
            </Show>
          </Show>
          {list(otherIds)}
        </Show>
      </nav>
      <ExportReminder />
      <ImportExport io={io} />
    </aside>
  );
}
