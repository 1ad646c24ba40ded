// The Models dialog (button "Models"): the catalog (bundled model, Hub models, repositories the
// user added) with size, context length, dtype per backend and licence; Download with a progress
// bar (bytes and %), Cancel, Retry / Resume (an unfinished download says how much is kept),
// Delete and Use; "Load model from files" (a folder of ONNX files); the Hub URL; storage used /
// available and whether it is persistent; the model recommended for this device is flagged.
// Chrome's built-in AI is listed first where Chrome offers it.
import { createSignal, For, onCleanup, Show } from 'solid-js';
import { BuiltInAiItem } from './BuiltInAiItem';
import { Modal } from './Modal';
import { downloadPct, downloadText, ModelDownload } from './ModelDownload';
import { formatBytes, type CatalogBackend, type CatalogEntry } from '../models/catalog';
import type { ModelsStore } from '../stores/models';
import './models.css';

export function ModelsDialog(props: {
  open: boolean;
  onClose: () => void;
  models: ModelsStore;
  backend: CatalogBackend;
  buildId?: string;
  /** The model the first screen recommends for this device (flagged in the list). */
  recommendedId?: string;
}) {
  let picker!: HTMLInputElement;
  const m = () => props.models;
  const [hub, setHub] = createSignal('');
  const [hubError, setHubError] = createSignal<string | null>(null);
  const [repo, setRepo] = createSignal('');
  const [repoError, setRepoError] = createSignal<string | null>(null);

  // Storage figures stay current while the dialog is open (downloads and deletes change them).
  const timer = setInterval(() => props.open && void m().refreshStorage(), 2000);
  onCleanup(() => clearInterval(timer));

  const onOpen = () => {
    setHub(''); // shows the saved Hub URL until the user types
    void m().loadCatalog();
    void m().refreshStorage();
    void m().builtIn.probe();
  };

  const saveHub = async () => {
    if (!hub()) return;
    setHubError((await m().setHubUrl(hub())) ? null : 'Enter a web address starting with http:// or https://.');
  };
  const addRepo = async () => {
    const id = await m().addRepository(repo());
    setRepoError(id ? null : 'Enter a Hub repository as owner/name, e.g. onnx-community/Qwen2.5-0.5B-Instruct.');
    if (id) setRepo('');
  };
  const onFiles = async () => {
    if (picker.files?.length) await m().importFiles(picker.files);
    picker.value = '';
  };

  return (
    <Modal open={props.open} onOpen={onOpen} onClose={props.onClose} class="settings models-dialog" labelledBy="models-title">
      <Show when={props.open}>
      <div class="settings-body">
        <h2 id="models-title">Models</h2>
        <StorageLine models={m()} />
        <Show when={m().catalogError()}>
          <p role="alert" class="models-error">{m().catalogError()}</p>
        </Show>
        <ul class="models-list" aria-label="Models">
          <Show when={(m().builtIn.status() ?? 'unavailable') !== 'unavailable'}>
            <BuiltInAiItem models={m()} />
          </Show>
          <For each={m().catalog()}>{(entry) => <ModelItem entry={entry} models={m()} backend={props.backend} recommended={entry.id === props.recommendedId} />}</For>
        </ul>

        <h3>Add</h3>
        <div class="models-row">
          <input ref={picker} type="file" multiple hidden {...{ webkitdirectory: '' }} onChange={() => void onFiles()} aria-label="Model folder" />
          <button type="button" class="btn" onClick={() => picker.click()}>
            Load model from files
          </button>
          <small class="muted">A folder with config.json, the tokenizer files and onnx/model*.onnx.</small>
        </div>
        <Show when={m().downloads().files?.error}>
          <p role="alert" class="models-error">{m().downloads().files?.error}</p>
        </Show>
        <div class="field">
          <label for="models-repo">Hub repository</label>
          <div class="models-row">
            <input id="models-repo" value={repo()} placeholder="owner/name" onInput={(e) => setRepo(e.currentTarget.value)} onKeyDown={(e) => e.key === 'Enter' && void addRepo()} />
            <button type="button" class="btn" onClick={() => void addRepo()}>
              Add
            </button>
          </div>
          <Show when={repoError()}>
            <small role="alert" class="models-error">{repoError()}</small>
          </Show>
        </div>
        <div class="field">
          <label for="models-hub">Hub URL</label>
          <input id="models-hub" type="url" value={hub() || m().hubUrl()} onInput={(e) => setHub(e.currentTarget.value)} onChange={() => void saveHub()} />
          <Show when={hubError()} fallback={<small>Where models are downloaded from (a Hugging Face Hub or a mirror).</small>}>
            <small role="alert" class="models-error">{hubError()}</small>
          </Show>
        </div>
        <div class="settings-actions">
          <Show when={props.buildId}>
            <small class="muted models-build">Hearth {props.buildId}</small>
          </Show>
          <button type="button" class="btn btn-primary" onClick={() => props.onClose()}>
            Close
          </button>
        </div>
      </div>
      </Show>
    </Modal>
  );
}

function StorageLine(props: { models: ModelsStore }) {
  const s = () => props.models.storage();
  const p = () => props.models.persisted();
  const kept = () => props.models.records().reduce((n, r) => n + r.totalBytes, 0);
  return (
    <p class="models-storage" role="note" aria-label="Storage">
      <Show when={s()} fallback={<span>Storage figures are not available in this browser.</span>}>
        <span>
          Storage: {formatBytes(s()!.usage)} used, {formatBytes(Math.max(0, s()!.quota - s()!.usage))} available.
        </span>
      </Show>{' '}
      <span>Downloaded models: {formatBytes(kept())}.</span>{' '}
      <span>
        {p() === true
          ? 'Persistent: the browser will not clear downloaded models on its own.'
          : p() === false
            ? 'Not persistent: the browser may clear downloaded models when space runs low.'
            : ''}
      </span>
    </p>
  );
}

function ModelItem(props: { entry: CatalogEntry; models: ModelsStore; backend: CatalogBackend; recommended?: boolean }) {
  const e = () => props.entry;
  const m = () => props.models;
  const rec = () => m().record(e().id);
  const dl = () => m().downloads()[e().id];
  const pct = () => downloadPct(dl());
  // A bundled entry whose folder this build does not ship (e.g. a build without the trained model).
  const absent = () => e().source === 'bundled' && import.meta.env.PROD && m().bundledSize(e().id) === undefined;
  const installed = () => (e().source === 'bundled' && !absent()) || rec()?.status === 'installed';
  const inUse = () => m().activeId() === e().id;
  const dtype = () => rec()?.dtype ?? m().dtypeOf(e());
  const size = () => rec()?.totalBytes || (e().source === 'bundled' ? m().bundledSize(e().id) : e().sizes?.[dtype()]);
  /** Bytes of an unfinished download kept in the browser (a resume goes on after them). */
  const kept = () => rec()?.files.reduce((n, f) => n + (f.verified ? f.size : (f.storedBytes ?? 0)), 0) ?? 0;
  const status = () =>
    inUse() ? 'In use' : absent() ? 'Not in this build' : e().source === 'bundled' ? 'Built in' : rec()?.status === 'installed' ? 'Downloaded' : rec()?.status === 'partial' ? 'Incomplete' : 'Not downloaded';

  return (
    <li class="models-item" aria-label={e().name} data-status={dl()?.running ? 'downloading' : installed() ? 'installed' : rec() ? 'partial' : 'available'}>
      <div class="models-head">
        <strong>{e().name}</strong>
        <Show when={props.recommended}>
          <span class="models-flag">Recommended for this device</span>
        </Show>
        <span class="models-badge">{status()}</span>
      </div>
      <Show when={e().description}>
        <p class="muted models-desc">{e().description}</p>
      </Show>
      <p class="models-meta">
        <span>Size {e().approximate && !rec() ? '≈ ' : ''}{formatBytes(size())}</span>
        <Show when={rec()?.contextLength ?? e().contextLength}>
          <span>Context {(rec()?.contextLength ?? e().contextLength)!.toLocaleString('en')} tokens</span>
        </Show>
        <span>
          {rec() ? `dtype ${rec()!.dtype}` : `dtype ${e().dtypes.wasm} on WASM, ${e().dtypes.webgpu} on WebGPU`}
        </span>
        <Show when={rec()?.licence ?? e().licence}>
          <span>Licence {rec()?.licence ?? e().licence}</span>
        </Show>
        <Show when={e().repo}>
          <span class="muted">{e().repo}</span>
        </Show>
      </p>
      <ModelDownload
        name={e().name}
        running={!!dl()?.running}
        pct={pct()}
        text={downloadText(dl())}
        error={dl()?.error}
      />
      <Show when={rec()?.status === 'partial' && !dl()?.running && !dl()?.error}>
        <p class="models-kept">
          {formatBytes(kept())} of {formatBytes(rec()!.totalBytes)} kept; Resume goes on from there.
        </p>
      </Show>
      <div class="models-actions">
        <Show when={dl()?.running}>
          <button type="button" class="btn btn-small" onClick={() => m().cancel(e().id)}>
            Cancel
          </button>
        </Show>
        <Show when={!dl()?.running && e().source === 'hub' && !installed()}>
          <button type="button" class="btn btn-small btn-primary" onClick={() => void m().download(e())}>
            {dl()?.error ? 'Retry' : rec() ? 'Resume' : 'Download'}
          </button>
        </Show>
        <Show when={installed() && !inUse() && !dl()?.running}>
          <button type="button" class="btn btn-small" onClick={() => void m().use(e().id)}>
            Use
          </button>
        </Show>
        <Show when={rec() && !dl()?.running}>
          <button type="button" class="btn btn-small btn-ghost danger" onClick={() => void m().remove(e().id)}>
            Delete
          </button>
        </Show>
      </div>
    </li>
  );
}
