// The model's state for the UI: one EngineApi (the WorkerEngine in the app), its load with
// progress, retry after a failure, backend and WASM fallback reason, capabilities, and the
// speed of the last reply. Replies wait for `whenReady()`, so sending during a load is queued; a
// model chosen during a load or a reply (`reload()`) is loaded when that ends, and waiting replies
// wait for it.
import { createSignal } from 'solid-js';
import type {
  Backend,
  BackendPreference,
  Capabilities,
  EngineApi,
  EngineError,
  GenerateRequest,
  GenerateResult,
  LoadOptions,
  ModelInfo,
  Outcome,
} from '../shared/engine';

export type EngineState = 'idle' | 'loading' | 'ready' | 'generating' | 'error';

export interface EngineStoreOptions {
  modelId: string;
  /** Options for the next load; called at each (re)load so the backend setting applies. */
  loadOptions: () => LoadOptions;
}

export interface EngineStore {
  state: () => EngineState;
  /** Load progress 0..1 (meaningful while loading). */
  progress: () => number;
  /** The phase of the load: download / init / warmup. */
  phase: () => string;
  info: () => ModelInfo | null;
  backend: () => Backend | null;
  /** Why WebGPU is not in use, when the engine fell back to WASM. */
  fallbackReason: () => string | undefined;
  capabilities: () => Capabilities | null;
  /** The failure that stopped the model from loading (or broke it), if any. */
  error: () => EngineError | null;
  /** Decode speed of the last finished reply. */
  lastTokensPerSecond: () => number | null;
  modelId: string;
  load(backendOverride?: BackendPreference): Promise<boolean>;
  /** The model in use changed: load it now, or once the running load or reply ends. */
  reload(): void;
  retry(): Promise<boolean>;
  /** Starts the load if needed; resolves true when the model is ready, false when loading failed. */
  whenReady(): Promise<boolean>;
  generate(request: GenerateRequest, onToken?: (piece: string) => void): Promise<Outcome<GenerateResult>>;
  interrupt(): Promise<void>;
  /** The model was taken away (another tab runs it now): no longer ready, says why. */
  release(reason: EngineError): void;
}

/** Errors after which the loaded model is gone and must be loaded again. */
const FATAL: ReadonlySet<string> = new Set(['worker-crashed', 'device-lost', 'not-loaded', 'out-of-memory']);

export function createEngineStore(api: EngineApi, options: EngineStoreOptions): EngineStore {
  const [state, setState] = createSignal<EngineState>('idle');
  const [progress, setProgress] = createSignal(0);
  const [phase, setPhase] = createSignal('');
  const [info, setInfo] = createSignal<ModelInfo | null>(null);
  const [capabilities, setCapabilities] = createSignal<Capabilities | null>(null);
  const [error, setError] = createSignal<EngineError | null>(null);
  const [lastTps, setLastTps] = createSignal<number | null>(null);
  let loading: Promise<boolean> | null = null;
  let forceWasm = false;
  /** The model in use changed during a load or a reply: load again when it ends. */
  let stale = false;
  const reloadIfStale = () => {
    if (!stale) return;
    stale = false;
    void load();
  };

  const load = (backendOverride?: BackendPreference): Promise<boolean> => {
    if (loading) return loading;
    setState('loading');
    setProgress(0);
    setPhase('download');
    setError(null);
    loading = (async () => {
      try {
        if (!capabilities()) {
          try {
            setCapabilities(await api.capabilities());
          } catch {
            /* capabilities are informative only */
          }
        }
        const opts = options.loadOptions();
        const backend = backendOverride ?? (forceWasm ? 'wasm' : opts.backend);
        const outcome = await api.load(options.modelId, { ...opts, backend }, (p) => {
          setProgress(Math.max(0, Math.min(1, p.progress)));
          setPhase(p.phase);
        });
        if (outcome.ok) {
          setInfo(outcome.value);
          setProgress(1);
          setState('ready');
          return true;
        }
        setInfo(null);
        setError(outcome.error);
        setState('error');
        return false;
      } catch (e) {
        setInfo(null);
        setError({ code: 'unknown', message: e instanceof Error ? e.message : 'The model could not be loaded.', retryable: true });
        setState('error');
        return false;
      } finally {
        loading = null;
        reloadIfStale();
      }
    })();
    return loading;
  };

  return {
    state,
    progress,
    phase,
    info,
    backend: () => info()?.backend ?? null,
    fallbackReason: () => info()?.fallbackReason,
    capabilities,
    error,
    lastTokensPerSecond: lastTps,
    modelId: options.modelId,
    load,
    reload() {
      if (state() === 'loading' || state() === 'generating') stale = true;
      else void load();
    },
    retry: () => load(),
    async whenReady() {
      const s = state();
      if (s === 'ready' || s === 'generating') return true;
      const failed = error();
      if (!loading && s === 'error' && failed && !failed.retryable) return false;
      let current = loading ?? load();
      // A load that ends with the model in use changed is followed by the load of the new one.
      for (let ok = await current; ; ok = await current) {
        if (!loading || loading === current) return ok;
        current = loading;
      }
    },
    async generate(request, onToken) {
      setState('generating');
      let outcome: Outcome<GenerateResult>;
      try {
        outcome = await api.generate(request, onToken);
      } catch (e) {
        outcome = { ok: false, error: { code: 'generation-failed', message: e instanceof Error ? e.message : 'The reply failed.', retryable: true } };
      }
      if (outcome.ok) {
        if (outcome.value.tokensPerSecond > 0) setLastTps(outcome.value.tokensPerSecond);
        setState('ready');
      } else if (FATAL.has(outcome.error.code)) {
        // The model is gone: the next reply (or Retry) loads it again; a lost GPU retries on WASM.
        if (outcome.error.code === 'device-lost') forceWasm = true;
        setInfo(null);
        setError(outcome.error);
        setState('error');
      } else {
        setState('ready');
      }
      reloadIfStale();
      return outcome;
    },
    interrupt: () => api.interrupt().catch(() => undefined),
    release(reason) {
      setInfo(null);
      setLastTps(null);
      setError(reason);
      setState('error');
    },
  };
}
