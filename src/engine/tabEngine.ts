// EngineApi wrappers the app stacks around the WorkerEngine:
// - ModelRoutingEngine loads the model the user chose in the Models dialog (its id, dtype and
//   source: bundled or from Cache Storage) whatever id the engine store asks for; the browser's
//   own model (Chrome's built-in AI) goes to its own engine on the page, and switching between
//   the two unloads the other.
// - TabLockedEngine keeps one copy of the model per browser: the tab holding the Web Lock
//   "hearth-engine" runs it. Another tab waits briefly for the lock, then reports "elsewhere"
//   (and loads nothing) until the user takes the model over (`takeOver()`: the lock is stolen,
//   the other tab's worker is ended and it reports "lost"), or the other tab closes ("available").
import { BUILTIN_AI_MODEL_ID } from '../shared/builtinAi';
import { fail, type EngineApi, type GenerateRequest, type LoadOptions, type LoadProgress, type ModelSource } from '../shared/engine';

export interface ActiveModel {
  modelId: string;
  source?: ModelSource;
  dtype?: string;
  /** The model's files and sizes when known (for a steady load progress). */
  files?: LoadOptions['files'];
}

export class ModelRoutingEngine implements EngineApi {
  /** The engine that loaded last (generate, interrupt and unload go to it). */
  private current: EngineApi;

  constructor(
    private readonly inner: EngineApi,
    private readonly active: () => ActiveModel | null,
    private readonly builtIn?: EngineApi,
  ) {
    this.current = inner;
  }

  capabilities() {
    return this.inner.capabilities();
  }

  async load(modelId: string, options: LoadOptions, onProgress?: (p: LoadProgress) => void) {
    const a = this.active();
    const target = a?.modelId === BUILTIN_AI_MODEL_ID && this.builtIn ? this.builtIn : this.inner;
    if (target !== this.current) {
      await this.current.unload();
      this.current = target;
    }
    if (target === this.builtIn) return target.load(BUILTIN_AI_MODEL_ID, options, onProgress);
    if (!a) return this.inner.load(modelId, options, onProgress);
    return this.inner.load(
      a.modelId,
      { ...options, ...(a.dtype && !options.dtype ? { dtype: a.dtype } : {}), source: a.source ?? { kind: 'bundled' }, ...(a.files ? { files: a.files } : {}) },
      onProgress,
    );
  }

  generate(request: GenerateRequest, onToken?: (piece: string) => void) {
    return this.current.generate(request, onToken);
  }

  interrupt() {
    return this.current.interrupt();
  }

  unload() {
    return this.current.unload();
  }
}

export type TabRole = 'unknown' | 'owner' | 'elsewhere' | 'lost' | 'available';

export const ENGINE_LOCK = 'hearth-engine';
export const ELSEWHERE_MESSAGE = 'Hearth is running the model in another tab. Use it there, or choose "Use the model here".';
export const LOST_MESSAGE = 'The model is now running in another tab. Choose "Use the model here" to bring it back.';

export class TabLockedEngine implements EngineApi {
  private release: (() => void) | null = null;
  private stealNext = false;
  private waiting = false;

  constructor(
    private readonly inner: EngineApi & { terminate?: () => void },
    private readonly locks: LockManager | null,
    private readonly onRole: (role: TabRole) => void = () => undefined,
    private readonly waitMs = 1500,
  ) {}

  /** The next load takes the model from whichever tab runs it. */
  takeOver(): void {
    this.stealNext = true;
  }

  holdsLock(): boolean {
    return !this.locks || this.release !== null;
  }

  private acquire(): Promise<boolean> {
    const locks = this.locks;
    if (!locks || this.release) return Promise.resolve(true);
    const steal = this.stealNext;
    this.stealNext = false;
    return new Promise<boolean>((resolve) => {
      let granted = false;
      const ctrl = new AbortController();
      const timer = steal ? null : setTimeout(() => ctrl.abort(), this.waitMs);
      const options: LockOptions = steal ? { steal: true } : { signal: ctrl.signal };
      locks
        .request(ENGINE_LOCK, options, () => {
          if (timer) clearTimeout(timer);
          granted = true;
          this.onRole('owner');
          resolve(true);
          return new Promise<void>((r) => (this.release = r));
        })
        .catch(() => {
          if (granted) {
            // Another tab took the model: free this tab's copy at once.
            this.release = null;
            this.inner.terminate ? this.inner.terminate() : void this.inner.unload();
            this.onRole('lost');
            this.waitForFree();
          } else {
            this.onRole('elsewhere');
            this.waitForFree();
            resolve(false);
          }
        });
    });
  }

  /** Tells the app when the tab running the model goes away (so this one can load it). */
  private waitForFree(): void {
    const locks = this.locks;
    if (!locks || this.waiting) return;
    this.waiting = true;
    void locks
      .request(ENGINE_LOCK, { mode: 'shared' }, async () => {
        this.waiting = false;
        if (!this.release) this.onRole('available');
      })
      .catch(() => {
        this.waiting = false;
      });
  }

  capabilities() {
    return this.inner.capabilities();
  }

  async load(modelId: string, options: LoadOptions, onProgress?: (p: LoadProgress) => void) {
    if (!(await this.acquire())) return fail('busy', ELSEWHERE_MESSAGE, true);
    return this.inner.load(modelId, options, onProgress);
  }

  async generate(request: GenerateRequest, onToken?: (piece: string) => void) {
    if (!this.holdsLock()) return fail('not-loaded', LOST_MESSAGE, true);
    return this.inner.generate(request, onToken);
  }

  interrupt() {
    return this.inner.interrupt();
  }

  async unload() {
    await this.inner.unload();
    this.release?.();
    this.release = null;
  }
}
