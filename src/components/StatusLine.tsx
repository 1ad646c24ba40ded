// The model status line: state (Loading NN% / Ready / Generating / Error), backend and the
// last reply's tokens per second. The one `status` element of the page (see docs/ui-contract.md).
import { Show } from 'solid-js';
import { useStores } from '../stores';

export function backendLabel(backend: string | null | undefined): string {
  if (backend === 'webgpu') return 'WebGPU';
  if (backend === 'wasm') return 'WASM';
  if (backend === 'cpu') return 'CPU';
  if (backend === 'browser') return 'Chrome';
  return '';
}

/** What the load is doing after the download (see LoadProgress's phases). */
const PHASE_TEXT: Record<string, string> = { prepare: ' · preparing the model', warmup: ' · warming up' };

export function StatusLine() {
  const { engine } = useStores();
  const label = () => {
    switch (engine.state()) {
      case 'idle':
        return 'Starting';
      case 'loading':
        // Files are in at 100%; the short warm-up generation follows before "Ready".
        return `Loading ${Math.round(engine.progress() * 100)}%${PHASE_TEXT[engine.phase()] ?? ''}`;
      case 'ready':
        return 'Ready';
      case 'generating':
        return 'Generating';
      case 'error':
        return engine.error()?.code === 'busy' ? 'In another tab' : 'Error';
    }
  };
  const details = () => {
    const info = engine.info();
    const caps = engine.capabilities();
    const parts = [`Model: ${info?.modelId ?? engine.modelId}`];
    if (info?.backend === 'browser') parts.push('Runs in Chrome (its Prompt API)');
    else if (info) parts.push(`${backendLabel(info.backend)} · ${info.dtype} · ${info.threads} thread${info.threads === 1 ? '' : 's'}`);
    if (info?.fallbackReason) parts.push(info.fallbackReason);
    if (caps?.singleThreadReason) parts.push(caps.singleThreadReason);
    return parts.join('\n');
  };
  const tps = () => engine.lastTokensPerSecond();
  return (
    <div
      role="status"
      class="status"
      data-state={engine.state()}
      data-backend={engine.backend() ?? undefined}
      title={details()}
    >
      <span class="status-dot" aria-hidden="true" />
      <span class="status-label">{label()}</span>
      <Show when={engine.state() === 'loading'}>
        <span class="status-bar" aria-hidden="true">
          <span style={{ width: `${Math.round(engine.progress() * 100)}%` }} />
        </span>
      </Show>
      <Show when={engine.backend()}>
        <span class="status-sep" aria-hidden="true">·</span>
        <span class="status-backend">{backendLabel(engine.backend())}</span>
      </Show>
      <Show when={tps() !== null}>
        <span class="status-sep" aria-hidden="true">·</span>
        <span class="status-tps">{tps()!.toFixed(1)} tok/s</span>
      </Show>
    </div>
  );
}
