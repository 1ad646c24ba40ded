// A gentle, one-time reminder under the conversation list: while the browser may clear Hearth's
// storage (not persistent) and nothing is synced, suggest exporting; "Dismiss" hides it for good.
// Its slot says `data-state="pending"` until the dismissal and the storage persistence are known,
// then "shown" or "hidden" (tests wait for that instead of sleeping before an absence check).
import { createResource, createSignal, Show } from 'solid-js';
import { useStores } from '../stores';

const KEY = 'exportReminderDismissed';

export function ExportReminder() {
  const { storage, models, conversations, sync } = useStores();
  const [dismissed, setDismissed] = createSignal<boolean | null>(null);
  void storage.settings.get(KEY, false).then(setDismissed, () => setDismissed(true));
  const [persistent] = createResource(async () => (await navigator.storage?.persisted?.().catch(() => null)) ?? null);
  // Signed in to a sync server: the conversations have a copy there (end-to-end encrypted).
  const synced = () => sync.status().account !== null;
  const show = () =>
    dismissed() === false && (models.persisted() ?? persistent()) === false && !synced() && conversations.hits().length > 0;
  const state = () => (dismissed() === null || persistent.loading ? 'pending' : show() ? 'shown' : 'hidden');
  return (
    <div class="export-reminder-slot" data-state={state()}>
      <Show when={show()}>
        <div class="export-reminder" role="note" aria-label="Keep a copy">
          <p>This browser may clear Hearth’s storage. Use Export in the sidebar now and then to keep a copy of your conversations.</p>
          <button
            type="button"
            class="btn btn-small btn-ghost"
            onClick={() => {
              setDismissed(true);
              void storage.settings.set(KEY, true).catch(() => undefined);
            }}
          >
            Dismiss
          </button>
        </div>
      </Show>
    </div>
  );
}
