// How a finished reply ended, under its text: "Stopped" (the user stopped it, neutral),
// "Interrupted" (a closed tab or a crash cut it off) or cut at the length limit with a
// "Continue" button that extends the same reply.
import { Show } from 'solid-js';
import type { Message } from '../db';
import { useStores } from '../stores';
import { focusMessageBox } from './focus';

export function ReplyEnd(props: { message: Message; text: string }) {
  const { chat } = useStores();
  const m = () => props.message;
  const empty = () => !props.text.trim();
  const cut = () => m().role === 'assistant' && m().status === 'complete' && m().metadata.finishReason === 'length';
  return (
    <>
      <Show when={m().status === 'interrupted' && m().metadata.stopped}>
        <p class="msg-flag msg-stopped">
          Stopped<Show when={empty()}> before the reply started</Show>.
        </p>
      </Show>
      <Show when={m().status === 'interrupted' && !m().metadata.stopped}>
        <p class="msg-flag">
          Interrupted<Show when={empty()}> before the reply started</Show>. Use Regenerate for a new reply.
        </p>
      </Show>
      <Show when={cut()}>
        <div class="msg-cut">
          <Show
            when={!m().metadata.contextFull}
            fallback={<p class="msg-note">Cut off: the conversation fills the model's context window.</p>}
          >
            <p class="msg-note">Cut off at the length limit.</p>
            <button
              type="button"
              class="btn btn-small"
              disabled={chat.streaming() !== null}
              onClick={() => {
                focusMessageBox(); // the button leaves with the marker
                void chat.continueReply(m().id);
              }}
            >
              Continue
            </button>
          </Show>
        </div>
      </Show>
    </>
  );
}
