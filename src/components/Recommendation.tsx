// The recommendation card (region "Recommended model"): on the empty chat, the model that suits
// this device (src/stores/recommendation.ts) with its download size, what it is good at and its
// licence, and one button: "Download <name>" (in the background, with progress, while the
// built-in model keeps answering), then "Use <name>". A failed download says why and offers
// "Resume <name>" when bytes were kept. "Dismiss" hides it for good. Once its download started,
// the card follows the user into conversations (compact) until the model is used or dismissed.
import { onMount, Show } from 'solid-js';
import { formatBytes } from '../models/catalog';
import { useStores } from '../stores';
import { downloadPct, downloadText, ModelDownload } from './ModelDownload';
import { Icon } from './icons';

export function Recommendation(props: { emptyChat: boolean }) {
  const { recommendation: reco, models } = useStores();
  onMount(() => void models.loadCatalog());
  const r = () => reco.current()!;
  const name = () => r().entry.name;
  const dl = () => models.downloads()[r().entry.id];
  const kept = () => models.record(r().entry.id)?.status === 'partial';
  return (
    <Show when={reco.shown(props.emptyChat) && reco.current()}>
      <section class="reco" classList={{ 'reco-compact': !props.emptyChat }} aria-label="Recommended model">
        <div class="reco-head">
          <div>
            <p class="reco-kicker">Recommended for this device</p>
            <p class="reco-title">{name()}</p>
          </div>
          <button type="button" class="icon-btn" aria-label="Dismiss" title="Dismiss" onClick={() => void reco.dismiss()}>
            <Icon name="close" size={16} />
          </button>
        </div>
        <Show when={props.emptyChat || reco.phase() === 'offer'}>
          <Show when={r().entry.goodAt ?? r().entry.description}>
            <p>{r().entry.goodAt ?? r().entry.description}</p>
          </Show>
          <p class="reco-meta">
            <span>{r().download ? `Download ${r().entry.approximate ? '≈ ' : ''}${formatBytes(r().bytes)}` : 'No download from the Hub'}</span>
            <Show when={r().entry.licence}>
              <span>Licence {r().entry.licence}</span>
            </Show>
          </p>
        </Show>
        <Show when={reco.phase() === 'downloading' && dl()}>
          <ModelDownload name={name()} running pct={downloadPct(dl())} text={downloadText(dl())} />
          <p class="reco-meta">The built-in model keeps answering meanwhile.</p>
        </Show>
        <Show when={reco.phase() === 'failed'}>
          <p role="alert" class="models-error">{dl()?.error}</p>
        </Show>
        <div class="reco-actions">
          <Show when={reco.phase() === 'offer' || reco.phase() === 'failed'}>
            <button type="button" class="btn btn-small btn-primary" onClick={() => void reco.download()}>
              {kept() ? 'Resume' : 'Download'} {name()}
            </button>
            <small>{r().reason}</small>
          </Show>
          <Show when={reco.phase() === 'ready'}>
            <Show when={r().download}>
              <small>{name()} is downloaded.</small>
            </Show>
            <button type="button" class="btn btn-small btn-primary" onClick={() => void reco.use()}>
              Use {name()}
            </button>
          </Show>
        </div>
      </section>
    </Show>
  );
}
