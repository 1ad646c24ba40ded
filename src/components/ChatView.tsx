// The chat column: header (drawer toggle, title, status, settings), model notices, the model
// recommended for this device (src/components/Recommendation.tsx), the message log of the branch on screen (sticks to the bottom while a reply streams) and the composer.
import { createEffect, createMemo, createSignal, For, on, onCleanup, onMount, Show } from 'solid-js';
import { installCodeCopy } from '../lib/markdown';
import { useStores } from '../stores';
import { copyText } from './clipboard';
import { DropOverlay, useFileDrop } from './AttachControls';
import { Composer } from './Composer';
import { EngineNotice } from './EngineNotice';
import { InstallButton } from './InstallButton';
import { TabNotice } from './TabNotice';
import { UpdatePrompt } from './UpdatePrompt';
import { Icon } from './icons';
import { MessageItem } from './MessageItem';
import { ModelPicker } from './ModelPicker';
import { Recommendation } from './Recommendation';
import { Suggestions } from './Suggestions';
import { StatusLine } from './StatusLine';

export function ChatView(props: { drawerOpen: boolean; onToggleDrawer: () => void; onOpenSettings: () => void; onOpenModels?: () => void; onOpenSync?: () => void }) {
  const stores = useStores();
  const { chat, conversations } = stores;
  let scroller!: HTMLDivElement;
  let log!: HTMLDivElement;
  const [stick, setStick] = createSignal(true);
  const drop = useFileDrop((files) => stores.attachments.add(files));

  // Keyed by id: a refreshed record updates its article instead of re-creating it.
  const byId = createMemo(() => new Map(chat.path().map((m) => [m.id, m])));
  const ids = createMemo(() => chat.path().map((m) => m.id));

  onMount(() => onCleanup(installCodeCopy(log, copyText)));

  const toBottom = () => requestAnimationFrame(() => (scroller.scrollTop = scroller.scrollHeight));
  createEffect(on(conversations.activeId, () => {
    setStick(true);
    toBottom();
  }));
  // A new message at the end (sent, or a reply started) brings the view back to the bottom.
  createEffect(
    on(
      () => ids()[ids().length - 1],
      (last, prev) => {
        if (last && last !== prev) setStick(true);
      },
    ),
  );
  createEffect(() => {
    ids();
    chat.streaming()?.text;
    if (stick()) toBottom();
  });

  return (
    <main class="chat" aria-hidden={props.drawerOpen ? 'true' : undefined} {...drop.handlers}>
      <DropOverlay show={drop.dragging()} />
      <header class="chat-head">
        <button
          type="button"
          class="icon-btn drawer-toggle"
          aria-label="Conversations"
          aria-expanded={props.drawerOpen}
          aria-controls="sidebar"
          onClick={props.onToggleDrawer}
        >
          <Icon name="menu" />
        </button>
        <h1 class="chat-title">{conversations.active()?.title ?? 'New chat'}</h1>
        <StatusLine />
        <ModelPicker />
        <InstallButton pwa={stores.pwa} class="btn btn-small btn-ghost head-more" />
        <Show when={props.onOpenModels}>
          <button type="button" class="btn btn-small btn-ghost head-more" onClick={() => props.onOpenModels?.()}>
            Models
          </button>
        </Show>
        <Show when={props.onOpenSync}>
          <button type="button" class="btn btn-small btn-ghost head-more" title={stores.sync.text()} data-sync={stores.sync.status().phase} onClick={() => props.onOpenSync?.()}>
            Sync
          </button>
        </Show>
        <button type="button" class="icon-btn" aria-label="Settings" title="Settings" onClick={props.onOpenSettings}>
          <Icon name="gear" />
        </button>
        <button type="button" class="icon-btn mobile-only" aria-label="New chat" title="New chat" onClick={() => conversations.newChat()}>
          <Icon name="plus" />
        </button>
      </header>
      <div
        class="chat-scroll"
        ref={scroller}
        onScroll={() => setStick(scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight < 80)}
      >
        <div class="chat-column">
          <UpdatePrompt pwa={stores.pwa} />
          <TabNotice role={stores.pwa.tabRole()} onUseHere={stores.useModelHere} />
          <EngineNotice />
          <Show when={ids().length > 0}>
            <Recommendation emptyChat={false} />
          </Show>
          <Show when={ids().length === 0}>
            <div class="empty">
              <div class="empty-mark">
                <Icon name="flame" size={30} />
              </div>
              <h2>How can I help?</h2>
              <p>Hearth runs entirely in your browser. Your conversations stay on this device.</p>
              <Recommendation emptyChat />
              <Suggestions />
            </div>
          </Show>
          <div role="log" aria-label="Messages" class="log" ref={log} aria-busy={chat.streamingHere()}>
            <For each={ids()}>
              {(id) => <Show when={byId().get(id)}>{(m) => <MessageItem message={m()} />}</Show>}
            </For>
          </div>
        </div>
      </div>
      <div class="chat-foot">
        <Composer />
      </div>
    </main>
  );
}
