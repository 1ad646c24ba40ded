// The message box: Enter sends, Shift+Enter adds a line, Esc stops; Send becomes Stop while a
// reply of this conversation streams. Empty messages are never sent.
import { createEffect, createSignal, on, Show } from 'solid-js';
import { useStores } from '../stores';
import { AttachButton, PendingAttachments, pasteFiles } from './AttachControls';
import { Icon } from './icons';

const LONG_MESSAGE = 20_000;

export function Composer() {
  const { chat, conversations, engine, attachments } = useStores();
  const [text, setText] = createSignal('');
  let area!: HTMLTextAreaElement;

  const busyElsewhere = () => chat.streaming() !== null && !chat.streamingHere();
  const hasInput = () => text().trim().length > 0 || attachments.pending().length > 0;
  const canSend = () => hasInput() && !attachments.reading() && chat.streaming() === null;

  // Grow with the text up to the CSS max-height (one layout read per input).
  const resize = () => {
    area.style.height = 'auto';
    area.style.height = `${Math.min(area.scrollHeight, 240)}px`;
  };

  const send = async () => {
    const value = text();
    if (!canSend()) return;
    setText('');
    area.value = '';
    resize();
    const ok = await chat.send(value, attachments.toSave());
    if (ok) attachments.clear();
    else if (!text()) {
      setText(value);
      area.value = value;
      resize();
    }
  };

  // Focus the box when switching conversations (not on phones, where it pops the keyboard).
  createEffect(
    on(conversations.activeId, () => {
      if (window.matchMedia?.('(pointer: fine)').matches) queueMicrotask(() => area?.focus());
    }),
  );

  return (
    <form
      class="composer"
      onSubmit={(e) => {
        e.preventDefault();
        void send();
      }}
    >
      <PendingAttachments />
      <div class="composer-box">
        <AttachButton />
        <textarea
          ref={area}
          aria-label="Message"
          placeholder={engine.state() === 'error' ? 'Message Hearth (the model is not loaded)' : 'Message Hearth'}
          rows={1}
          onInput={(e) => {
            setText(e.currentTarget.value);
            resize();
          }}
          onPaste={(e) => pasteFiles(e, (files) => attachments.add(files))}
          onKeyDown={(e) => {
            if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
              e.preventDefault();
              void send();
            }
          }}
        />
        <Show
          when={chat.streamingHere()}
          fallback={
            <button
              type="submit"
              class="send-btn"
              aria-label="Send"
              title={busyElsewhere() ? 'Another conversation is still getting its reply' : attachments.reading() ? 'Reading the attached files…' : 'Send (Enter)'}
              disabled={!canSend()}
            >
              <Icon name="up" size={18} />
            </button>
          }
        >
          <button type="button" class="send-btn stop" aria-label="Stop" title="Stop (Esc)" onClick={() => chat.stop()}>
            <Icon name="stop" size={16} />
          </button>
        </Show>
      </div>
      <p class="composer-hint">
        <Show when={text().length > LONG_MESSAGE} fallback={<>Hearth runs on this device. Replies can be wrong.</>}>
          Long message ({Math.round(text().length / 1000)} k characters): the model only sees what fits its context window.
        </Show>
      </p>
    </form>
  );
}
