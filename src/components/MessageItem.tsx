// One message of the branch on screen: its text (Markdown for replies, plain text for the user),
// an imported answer's steps and documents (ImportedParts), the model that wrote a reply,
// state flags (how it ended: ReplyEnd; errors, "left out" notice), actions (Copy, Edit, Regenerate) and the
// branch pager `< 2/3 >`.
import { createSignal, Show } from 'solid-js';
import type { Message } from '../db';
import { engineErrorDetail } from '../lib/errorText';
import { useStores } from '../stores';
import { ImportedDocuments, ImportedSteps } from './ImportedParts';
import { MessageAttachments } from './MessageAttachments';
import { copyText } from './clipboard';
import { Icon } from './icons';
import { Markdown } from './Markdown';
import { ReplyEnd } from './ReplyEnd';
import { focusMessageBox } from './focus';

export function leftOutNotice(m: Pick<Message, 'metadata'>): string | null {
  const parts: string[] = [];
  const dropped = m.metadata.droppedTurns ?? 0;
  if (dropped > 0) parts.push(`${dropped} earlier message${dropped === 1 ? ' was' : 's were'} left out`);
  if (m.metadata.truncatedLatest) parts.push(`${dropped > 0 ? 'and part' : 'Part'} of your message was left out`);
  if (!parts.length) return null;
  return `${parts.join(' ')} to fit the model's context window.`;
}

/**
 * What a reply waiting for the model says: the download's share while files arrive, then
 * "Preparing" (the session is built and warmed up once the files are in: 100% is not "loading").
 */
export function waitingText(state: string, phase: string, progress: number): string {
  if (state !== 'loading') return 'Waiting for the model…';
  const pct = Math.round(progress * 100);
  if (phase === 'download' && pct < 100) return `Loading the model (${pct}%); your reply starts as soon as it is ready…`;
  return 'Preparing the model; your reply starts as soon as it is ready…';
}

export function MessageItem(props: { message: Message }) {
  const { chat, engine } = useStores();
  const [editing, setEditing] = createSignal(false);
  const [draft, setDraft] = createSignal('');
  const [copied, setCopied] = createSignal(false);
  const m = () => props.message;
  const isUser = () => m().role === 'user';
  const live = () => chat.liveText(m().id);
  const notSaved = () => chat.unsaved(m().id);
  const text = () => live() ?? notSaved()?.content ?? m().content;
  const streamingNow = () => live() !== undefined;
  const saved = () => (notSaved() ? { ...m(), ...notSaved()! } : m());
  const status = () => (streamingNow() ? 'streaming' : saved().status);
  const waiting = () => streamingNow() && chat.streaming()?.waiting;
  const busy = () => chat.streaming() !== null;
  const branches = () => chat.branches(m().id);

  const copy = async () => {
    const ok = await copyText(text());
    setCopied(ok);
    if (ok) setTimeout(() => setCopied(false), 1500);
  };
  const startEdit = () => {
    setDraft(m().content);
    setEditing(true);
  };
  const saveEdit = async () => {
    if (!draft().trim()) return;
    if (await chat.editAndResend(m().id, draft())) setEditing(false);
  };

  return (
    <article
      class="msg"
      classList={{ 'msg-user': isUser(), 'msg-assistant': !isUser() }}
      aria-label={isUser() ? 'You' : 'Assistant'}
      data-status={status()}
      data-id={m().id}
    >
      <Show
        when={!editing()}
        fallback={
          <div class="msg-edit">
            <textarea
              aria-label="Edit message"
              value={draft()}
              rows={3}
              onInput={(e) => setDraft(e.currentTarget.value)}
              onKeyDown={(e) => {
                if (e.key === 'Escape') {
                  e.preventDefault();
                  setEditing(false);
                } else if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
                  e.preventDefault();
                  void saveEdit();
                }
              }}
              ref={(el) => queueMicrotask(() => el.focus())}
            />
            <div class="msg-edit-actions">
              <button type="button" class="btn btn-ghost" onClick={() => setEditing(false)}>
                Cancel
              </button>
              <button type="button" class="btn btn-primary" onClick={saveEdit} disabled={!draft().trim() || busy()}>
                Save &amp; send
              </button>
            </div>
          </div>
        }
      >
        <Show when={m().metadata.imported?.steps?.length}>
          <ImportedSteps steps={m().metadata.imported!.steps!} />
        </Show>
        <Show when={m().attachmentIds.length}>
          <MessageAttachments message={m()} />
        </Show>
        <Show when={m().metadata.imported?.documents?.length}>
          <ImportedDocuments documents={m().metadata.imported!.documents!} />
        </Show>
        <div class="msg-bubble" classList={{ 'msg-bubble-empty': isUser() && !text().trim() }}>
          <Show when={isUser()} fallback={<Markdown text={text()} streaming={streamingNow()} />}>
            <div class="msg-plain">{text()}</div>
          </Show>
          <Show when={waiting()}>
            <p class="msg-waiting">
              {waitingText(engine.state(), engine.phase(), engine.progress())}
            </p>
          </Show>
          <Show when={streamingNow() && !waiting()}>
            <span class="caret" aria-hidden="true" />
          </Show>
        </div>
      </Show>

      <Show when={!streamingNow()}>
        <ReplyEnd message={saved()} text={text()} />
      </Show>
      <Show when={notSaved()}>
        <p class="msg-error">This reply could not be saved (storage is full); it will be lost on reload.</p>
      </Show>
      <Show when={!streamingNow() && saved().status === 'error'}>
        <p class="msg-error">
          {m().metadata.error ? engineErrorDetail(m().metadata.error!) : 'This reply failed.'} Use Regenerate to try again.
        </p>
      </Show>
      <Show when={!isUser() && !streamingNow() && leftOutNotice(m())}>
        {(notice) => <p class="msg-note">{notice()}</p>}
      </Show>

      <Show when={!isUser() && !streamingNow() && m().metadata.modelName}>
        <p class="msg-model" role="note" aria-label="Model">{m().metadata.modelName}</p>
      </Show>
      <Show when={!editing()}>
        <div class="msg-footer">
          <Show when={branches().count > 1}>
            <div role="group" aria-label="Branches" class="pager">
              <button
                type="button"
                class="icon-btn"
                aria-label="Previous branch"
                disabled={branches().position <= 0}
                onClick={() => void chat.switchBranch(m().id, -1)}
              >
                <Icon name="left" size={16} />
              </button>
              <span class="pager-text">
                {branches().position + 1}/{branches().count}
              </span>
              <button
                type="button"
                class="icon-btn"
                aria-label="Next branch"
                disabled={branches().position >= branches().count - 1}
                onClick={() => void chat.switchBranch(m().id, 1)}
              >
                <Icon name="right" size={16} />
              </button>
            </div>
          </Show>
          <div class="msg-actions">
            <button type="button" class="icon-btn" aria-label="Copy" title={copied() ? 'Copied' : 'Copy'} onClick={copy}>
              <Icon name={copied() ? 'check' : 'copy'} size={16} />
            </button>
            <Show
              when={isUser()}
              fallback={
                <button
                  type="button"
                  class="icon-btn"
                  aria-label="Regenerate"
                  title="Regenerate"
                  disabled={busy()}
                  onClick={() => {
                    focusMessageBox(); // the button is disabled while the new reply streams
                    void chat.regenerate(m().id);
                  }}
                >
                  <Icon name="refresh" size={16} />
                </button>
              }
            >
              <button type="button" class="icon-btn" aria-label="Edit" title="Edit" disabled={busy()} onClick={startEdit}>
                <Icon name="pencil" size={16} />
              </button>
            </Show>
          </div>
        </div>
      </Show>
    </article>
  );
}
