// The import dialog: progress while the file is read in the import worker, then what the file
// holds (Import / Cancel), then the report: how many were imported, which were skipped and why,
// or what was wrong with the file (nothing is written then).
import { For, Match, Show, Switch } from 'solid-js';
import type { ImportState, IoStore } from '../stores/io';
import { Modal } from './Modal';

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;
const SOURCE = { hearth: 'Hearth export', chatgpt: 'ChatGPT export', claude: 'Claude export', openwebui: 'Open WebUI export' } as const;

function progressOf(state: Extract<ImportState, { step: 'reading' }>): { value: number | undefined; text: string } {
  const p = state.progress;
  if (!p || !p.total) return { value: undefined, text: `Reading ${state.fileName}…` };
  const value = Math.min(100, Math.round((p.done / p.total) * 100));
  const text = p.phase === 'reading' ? `Reading ${state.fileName}… ${value}%` : p.phase === 'assets' ? `Reading images and files… ${value}%` : `Checking conversations: ${p.done} of ${p.total}`;
  return { value, text };
}

/** A progress bar; without a value it is indeterminate (the property must not be set to undefined). */
function Bar(props: { value?: number }) {
  return (
    <Show when={props.value !== undefined} fallback={<progress class="io-progress" aria-label="Import progress" />}>
      <progress class="io-progress" aria-label="Import progress" max={100} value={props.value} />
    </Show>
  );
}

export function ImportDialog(props: { io: IoStore }) {
  const state = () => props.io.importState();
  const is = <S extends ImportState['step']>(step: S) => {
    const s = state();
    return s.step === step ? (s as Extract<ImportState, { step: S }>) : false;
  };
  const Skipped = (p: { list: { title: string; reason: string }[] }) => (
    <Show when={p.list.length}>
      <ul class="io-skipped" aria-label="Skipped conversations">
        <For each={p.list}>{(s) => <li>“{s.title}”: {s.reason}</li>}</For>
      </ul>
    </Show>
  );
  const Notes = (p: { notes: string[] }) => <For each={p.notes}>{(n) => <p class="muted">{n}</p>}</For>;

  return (
    <Modal open={state().step !== 'idle'} onClose={() => props.io.closeImport()} backdropCloses={false} class="settings io-dialog" labelledBy="import-title">
      <div class="settings-body">
        <h2 id="import-title">Import</h2>
        <Switch>
          <Match when={is('reading')}>
            {(s) => (
              <>
                <Bar value={progressOf(s()).value} />
                <p role="status">{progressOf(s()).text}</p>
              </>
            )}
          </Match>
          <Match when={is('confirm')}>
            {(s) => (
              <>
                <p>
                  <strong>{s().parsed.fileName}</strong> ({SOURCE[s().parsed.source]}) holds {plural(s().counts.conversations, 'conversation')},{' '}
                  {plural(s().counts.messages, 'message')} and {plural(s().counts.attachments, 'attachment')}. Conversations already in Hearth are skipped.
                </p>
                <Show when={s().parsed.skipped.length}>
                  <p>{plural(s().parsed.skipped.length, 'conversation')} in the file cannot be imported:</p>
                </Show>
                <Skipped list={s().parsed.skipped} />
                <Notes notes={s().parsed.notes} />
              </>
            )}
          </Match>
          <Match when={is('writing')}>
            <Bar />
            <p role="status">Saving…</p>
          </Match>
          <Match when={is('done')}>
            {(s) => {
              const skipped = () => [...s().parsed.skipped, ...s().result.skipped];
              return (
                <>
                  <p role="status">
                    Imported {plural(s().result.imported.length, 'conversation')}
                    {skipped().length ? `; skipped ${skipped().length}:` : '.'}
                  </p>
                  <Skipped list={skipped()} />
                  <Notes notes={s().parsed.notes} />
                </>
              );
            }}
          </Match>
          <Match when={is('error')}>
            {(s) => (
              <p role="alert" class="io-error">
                Nothing was imported from {s().fileName}. {s().message}
              </p>
            )}
          </Match>
        </Switch>
        <div class="settings-actions io-actions">
          <Show when={is('confirm')} fallback={
            <Show when={!is('writing')}>
              <button type="button" class="btn" classList={{ 'btn-primary': !is('reading') }} onClick={() => props.io.closeImport()}>
                {is('reading') ? 'Cancel' : 'Close'}
              </button>
            </Show>
          }>
            <button type="button" class="btn" onClick={() => props.io.closeImport()}>
              Cancel
            </button>
            <button type="button" class="btn btn-primary" onClick={() => void props.io.confirmImport()}>
              Import
            </button>
          </Show>
        </div>
      </div>
    </Modal>
  );
}
