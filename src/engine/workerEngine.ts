// The worker proxy implementation of EngineApi: the UI's only way to reach the model.
// A crashed worker (out of memory, wasm abort) turns pending calls into 'worker-crashed'
// outcomes, and the next call starts a fresh worker. Loading a different model (or the same one
// with another backend preference) also starts a
// fresh worker: a WASM heap never shrinks, so after a 1 GB model a small one would otherwise keep
// the gigabyte, and the old worker's handles on a deleted model's cache would keep its disk space.
// There are two worker bundles: loads that will run on WASM get the WASM-only one
// (onnxruntime-web/wasm: smaller, no WebGPU code), loads that may use WebGPU the full one; the page
// probes WebGPU itself to choose, so capabilities() needs no worker.
import * as Comlink from 'comlink';
import { chooseBackend } from '../shared/backendChoice';
import { capabilitiesOf, probeWebGpu, type GpuProbe } from '../shared/capabilities';
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

/** Which engine worker bundle: WASM only (workers/engine.wasm.worker.ts) or WebGPU and WASM. */
export type WorkerFlavour = 'wasm' | 'webgpu';

interface Live {
  flavour: WorkerFlavour;
  worker: Worker;
  remote: Comlink.Remote<EngineApi>;
  crashed: Promise<Outcome<never>>;
}

export class WorkerEngine implements EngineApi {
  private live: Live | null = null;
  /** What the live worker has loaded (or is loading). */
  private loadedKey: string | null = null;
  private caps: Promise<Capabilities> | null = null;

  constructor(
    private readonly spawn: (flavour: WorkerFlavour) => Worker = defaultSpawn,
    private readonly probe: () => Promise<GpuProbe> = probeWebGpu,
  ) {}

  private ensure(flavour: WorkerFlavour = this.live?.flavour ?? 'webgpu'): Live {
    if (this.live?.flavour === flavour) return this.live;
    if (this.live) this.terminate();
    const worker = this.spawn(flavour);
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
    this.live = { flavour, worker, remote: Comlink.wrap<EngineApi>(worker), crashed };
    return this.live;
  }

  /** Probed on the page, once (an adapter does not come and go while the page is open). */
  capabilities(): Promise<Capabilities> {
    this.caps ??= this.probe().then((gpu) => capabilitiesOf(gpu));
    return this.caps;
  }

  /** The bundle a load needs: WebGPU's when the load may start on WebGPU, else the WASM-only one. */
  private async flavourFor(options: LoadOptions): Promise<WorkerFlavour> {
    if (options.backend !== 'auto') return options.backend === 'webgpu' ? 'webgpu' : 'wasm';
    const caps = await this.capabilities();
    const weights = { dtype: options.dtype, shaderF16: caps.shaderF16 };
    return chooseBackend('auto', caps.webgpu, false, weights, caps.webgpuSoftware).backend === 'webgpu' ? 'webgpu' : 'wasm';
  }

  async load(modelId: string, options: LoadOptions, onProgress?: (p: LoadProgress) => void): Promise<Outcome<ModelInfo>> {
    // A new backend preference gets a new worker too: ONNX Runtime picks its wasm build (plain for
    // WASM, asyncify for WebGPU) once per worker (workers/modelLoad.ts, configure).
    const flavour = await this.flavourFor(options);
    const key = JSON.stringify([modelId, options.source ?? null, options.dtype ?? null, options.backend, flavour]);
    if (this.live && this.loadedKey !== null && this.loadedKey !== key) this.terminate();
    const { remote, crashed } = this.ensure(flavour);
    this.loadedKey = key;
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

function defaultSpawn(flavour: WorkerFlavour): Worker {
  // Two literal `new Worker(new URL(...))` calls: that is the form the bundler turns into two bundles.
  return flavour === 'wasm'
    ? new Worker(new URL('../../workers/engine.wasm.worker.ts', import.meta.url), { type: 'module', name: 'hearth-engine' })
    : new Worker(new URL('../../workers/engine.worker.ts', import.meta.url), { type: 'module', name: 'hearth-engine' });
}
