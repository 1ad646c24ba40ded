// The browser's own model as the Models dialog sees it (part of the models store): whether
// Chrome's built-in AI is available, downloadable, downloading or absent here, and the download
// a click on "Download" starts (Chrome's own, with its 0..1 progress; Cancel stops watching it).
import { createSignal } from 'solid-js';
import { builtInAiError, downloadBuiltInAi, isAbort, languageModelApi, probeBuiltInAi, type BuiltInAiStatus, type LanguageModelStatic } from '../shared/builtinAi';

export interface BuiltInAiDownload {
  /** 0..1 as Chrome reports it. */
  progress: number;
  running: boolean;
  error?: string;
}

export interface BuiltInAiState {
  /** null until probed. */
  status: () => BuiltInAiStatus | null;
  download: () => BuiltInAiDownload | null;
  probe(): Promise<BuiltInAiStatus>;
  /** Must run from a click: Chrome starts a download only with user activation. */
  start(): Promise<boolean>;
  cancel(): void;
}

export function createBuiltInAiState(api: () => LanguageModelStatic | null = languageModelApi): BuiltInAiState {
  const [status, setStatus] = createSignal<BuiltInAiStatus | null>(null);
  const [download, setDownload] = createSignal<BuiltInAiDownload | null>(null);
  let ctrl: AbortController | null = null;

  const probe = async () => {
    const s = await probeBuiltInAi(api());
    setStatus(s);
    return s;
  };

  return {
    status,
    download,
    probe,
    async start() {
      const lm = api();
      if (!lm || ctrl) return false;
      const mine = new AbortController();
      ctrl = mine;
      setDownload({ progress: 0, running: true });
      try {
        await downloadBuiltInAi(lm, (loaded) => setDownload((d) => ({ running: true, progress: Math.max(d?.progress ?? 0, loaded) })), mine.signal);
        setDownload(null);
        return true;
      } catch (e) {
        setDownload(isAbort(e) ? null : { progress: 0, running: false, error: builtInAiError(e).message });
        return false;
      } finally {
        ctrl = null;
        await probe();
      }
    },
    cancel() {
      ctrl?.abort();
    },
  };
}
