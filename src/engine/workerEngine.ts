// The worker proxy implementation of EngineApi: the UI's only way to reach the model.
// A crashed worker (out of memory, wasm abort) turns pending calls into 'worker-crashed'
// outcomes, and the next call starts a fresh worker. Loading a different model (or the same one
// with another backend preference) also starts a
// fresh worker: a WASM heap never shrinks, so after a 1 GB model a small one would otherwise keep
// the gigabyte, and the old worker's handles on a deleted model's cache would keep its disk space.
import * as Comlink from 'comlink';
import {
  fail,
  type Capabilities,
  type EngineApi,
  type GenerateRequest,
  type GenerateResult,
  type LoadOptions,
  type LoadProgress,
  type ModelInfo,
  type Outcome,
} from '../shared/engine';

interface Live {
  worker: Worker;
  remote: Comlink.Remote<EngineApi>;
  crashed: Promise<Outcome<never>>;
}

export class WorkerEngine implements EngineApi {
  private live: Live | null = null;
  /** What the live worker has loaded (or is loading). */
  private loadedKey: string | null = null;

  constructor(private readonly spawn: () => Worker = defaultSpawn) {}

  private ensure(): Live {
    if (this.live) return this.live;
    const worker = this.spawn();
    const crashed = new Promise<Outcome<never>>((resolve) => {
      const onCrash = (ev: Event) => {
        const detail = (ev as ErrorEvent).message || 'the inference worker stopped';
        if (this.live?.worker === worker) this.live = null;
        worker.terminate();
        resolve(fail('worker-crashed', `The model stopped unexpectedly: ${detail}`, true));
      };
      worker.addEventListener('error', onCrash);
      worker.addEventListener('messageerror', onCrash);
    });
    this.live = { worker, remote: Comlink.wrap<EngineApi>(worker), crashed };
    return this.live;
  }

  async capabilities(): Promise<Capabilities> {
    return this.ensure().remote.capabilities();
  }

  load(modelId: string, options: LoadOptions, onProgress?: (p: LoadProgress) => void): Promise<Outcome<ModelInfo>> {
    // A new backend preference gets a new worker too: ONNX Runtime picks its wasm build (plain for
    // WASM, asyncify for WebGPU) once per worker (workers/engine.ts, configure).
    const key = JSON.stringify([modelId, options.source ?? null, options.dtype ?? null, options.backend]);
    if (this.live && this.loadedKey !== null && this.loadedKey !== key) this.terminate();
    this.loadedKey = key;
    const { remote, crashed } = this.ensure();
    return Promise.race([remote.load(modelId, options, onProgress ? Comlink.proxy(onProgress) : undefined), crashed]);
  }

  generate(request: GenerateRequest, onToken?: (piece: string) => void): Promise<Outcome<GenerateResult>> {
    const { remote, crashed } = this.ensure();
    return Promise.race([remote.generate(request, onToken ? Comlink.proxy(onToken) : undefined), crashed]);
  }

  async interrupt(): Promise<void> {
    await this.live?.remote.interrupt();
  }

  async unload(): Promise<void> {
    await this.live?.remote.unload();
  }

  /** Ends the worker (frees the model's memory at once). */
  terminate(): void {
    this.live?.worker.terminate();
    this.live = null;
    this.loadedKey = null;
  }
}

function defaultSpawn(): Worker {
  return new Worker(new URL('../../workers/engine.worker.ts', import.meta.url), { type: 'module', name: 'hearth-engine' });
}
