// The inference engine: loads a transformers.js causal LM and streams replies. It runs
// unchanged inside the Web Worker (exposed through Comlink) and in-thread for tests,
// in the browser (WebGPU / WASM) and in Node (onnxruntime-node, device 'cpu'). It owns the
// engine's state (the loaded model, one reply at a time, stopping) and the backend choice with
// its fallbacks; loading is in workers/modelLoad.ts, the decode paths in workers/reply.ts.
import { InterruptableStoppingCriteria } from '@huggingface/transformers';
import {
  fail,
  ok,
  type Capabilities,
  type EngineApi,
  type GenerateRequest,
  type GenerateResult,
  type LoadOptions,
  type LoadProgress,
  type ModelInfo,
  type Outcome,
} from '../src/shared/engine';
import { planPrompt } from '../src/shared/prompt';
import { capabilitiesOf, probeWebGpu, type GpuProbe } from '../src/shared/capabilities';
import { WASM_ONLY_WORKER, afterWebGpuFailure, chooseBackend, webGpuFailedReason } from '../src/shared/backendChoice';
import { classifyGenerateError } from './errors';
import { freshLoadId, isCachedSource } from './modelCache';
import { applyChat } from './chatTemplate';
import { IS_NODE } from './modelFolder';
import { ModelLoader, warmup, type Loaded } from './modelLoad';
import { decodeReply, encodeChat, libraryReply } from './reply';

export { DEFAULT_DTYPE } from './modelLoad';

export class TransformersEngine implements EngineApi {
  private loaded: Loaded | null = null;
  private generating = false;
  private readonly stopper = new InterruptableStoppingCriteria();
  private webgpuProbe: Promise<GpuProbe> | null = null;
  private readonly loader = new ModelLoader();

  /** `wasmOnly`: this worker's bundle has onnxruntime-web/wasm, which cannot run WebGPU. */
  constructor(private readonly opts: { wasmOnly?: boolean } = {}) {}

  async capabilities(): Promise<Capabilities> {
    return capabilitiesOf(await this.probeWebGpu(), IS_NODE);
  }

  async load(modelId: string, options: LoadOptions, onProgress?: (p: LoadProgress) => void): Promise<Outcome<ModelInfo>> {
    if (this.generating) return fail('busy', 'A reply is being generated; stop it before loading a model.', true);
    await this.unload();
    const caps = await this.capabilities();
    // A model from Cache Storage loads under a fresh internal id (see workers/modelCache.ts).
    const loadId = !IS_NODE && isCachedSource(options.source) ? freshLoadId() : modelId;
    let choice = chooseBackend(options.backend, caps.webgpu, IS_NODE, { dtype: options.dtype, shaderF16: caps.shaderF16 }, caps.webgpuSoftware);
    if (this.opts.wasmOnly && choice.backend === 'webgpu') {
      // The worker proxy sends WebGPU loads to the other bundle; this one has no WebGPU to offer.
      choice = { backend: 'wasm', fallbackReason: WASM_ONLY_WORKER };
    }
    this.loader.configure(options, caps, loadId, choice.backend === 'webgpu' ? 'asyncify' : 'plain');

    // A downloaded model has only the files of its dtype: keep it; a bundled one takes the
    // backend's default when it falls back to WASM.
    const wasmDtype = isCachedSource(options.source) ? options.dtype : undefined;
    const onWasm = { ...options, dtype: wasmDtype };
    let attempt = await this.loader.load(modelId, choice.backend, choice.f16Unsupported ? onWasm : options, onProgress, loadId);
    const fallback = !attempt.ok && choice.backend === 'webgpu' ? afterWebGpuFailure(attempt.error.code, attempt.error.message) : null;
    if (fallback) {
      // WebGPU failed (no kernel, device lost, driver bug): fall back to WASM.
      choice = fallback;
      attempt = await this.loader.load(modelId, choice.backend, onWasm, onProgress, loadId);
    }
    if (!attempt.ok) return attempt;
    this.loaded = attempt.value;
    if (options.warmup !== false) {
      onProgress?.({ phase: 'warmup', progress: 1 });
      const failure = await this.warmup();
      if (failure && choice.backend === 'webgpu') {
        // Loaded but cannot run a step (a kernel the adapter lacks): that is a failed load too.
        await this.unload();
        choice = { backend: 'wasm', fallbackReason: webGpuFailedReason(failure) };
        attempt = await this.loader.load(modelId, choice.backend, onWasm, onProgress, loadId);
        if (!attempt.ok) return attempt;
        this.loaded = attempt.value;
        await this.warmup();
      }
    }
    const { dtype, contextLength, threads } = attempt.value;
    const { backend, fallbackReason, fallbackExpected } = choice;
    return ok({ modelId, backend, dtype, contextLength, threads, fallbackReason, ...(fallbackExpected ? { fallbackExpected } : {}) });
  }

  async generate(request: GenerateRequest, onToken?: (piece: string) => void): Promise<Outcome<GenerateResult>> {
    const loaded = this.loaded;
    if (!loaded) return fail('not-loaded', 'No model is loaded.', true);
    if (this.generating) return fail('busy', 'A reply is already being generated.', true);
    if (request.turns.length === 0) return fail('generation-failed', 'There is nothing to reply to.', false);
    this.generating = true;
    this.stopper.reset();
    const started = performance.now();
    try {
      // Continuing a reply: its text so far ends the prompt, and takes room in the window.
      const tail = request.continueFrom ?? '';
      const tailIds: number[] = tail ? loaded.tokenizer.encode(tail, { add_special_tokens: false }) : [];
      const plan = planPrompt({
        turns: request.turns,
        files: request.files,
        systemPrompt: request.systemPrompt,
        contextLength: loaded.contextLength,
        maxNewTokens: request.params.maxNewTokens,
        countTokens: (messages) => encodeChat(loaded, messages).length + tailIds.length,
        clipText: (text, n, from) => {
          const ids: number[] = loaded.tokenizer.encode(text, { add_special_tokens: false });
          const kept = from === 'start' ? ids.slice(0, n) : ids.slice(Math.max(0, ids.length - n));
          return loaded.tokenizer.decode(kept, { skip_special_tokens: false });
        },
      });
      const run = loaded.decoder
        ? await decodeReply(loaded, loaded.decoder, plan.messages, tailIds, plan.maxNewTokens, request, this.stopper, onToken)
        : await libraryReply(loaded, plan.messages, tail, plan.maxNewTokens, request, this.stopper, onToken);
      const { generated, count, first, last } = run;
      const promptLen = plan.promptTokens;
      const endedOnEos = generated.length > 0 && loaded.eosIds.includes(generated[generated.length - 1]);
      const text = run.text;
      const completionTokens = generated.length;
      return ok({
        text,
        finishReason: this.stopper.interrupted && !endedOnEos ? 'interrupted' : endedOnEos ? 'stop' : 'length',
        promptTokens: promptLen,
        completionTokens,
        tokensPerSecond: count > 1 && last > first ? ((count - 1) * 1000) / (last - first) : 0,
        firstTokenMs: count > 0 ? first - started : undefined,
        reusedTokens: run.reusedTokens,
        droppedTurns: plan.droppedTurns,
        truncatedLatest: plan.truncatedLatest,
        backend: loaded.backend,
        modelId: loaded.modelId,
        ...(request.files?.length ? { files: plan.files } : {}),
        ...(request.returnPrompt ? { prompt: (applyChat(loaded.tokenizer, plan.messages, { tokenize: false }) as string) + tail } : {}),
      });
    } catch (e) {
      return { ok: false, error: classifyGenerateError(e, loaded.backend) };
    } finally {
      this.generating = false;
    }
  }

  async interrupt(): Promise<void> {
    this.stopper.interrupt();
  }

  async unload(): Promise<void> {
    const cur = this.loaded;
    this.loaded = null;
    cur?.decoder?.reset();
    if (cur) await cur.model.dispose?.().catch(() => undefined);
  }

  /** A few greedy tokens (workers/modelLoad.ts, warmup) on the loaded model; the error message if it fails. */
  private async warmup(): Promise<string | undefined> {
    return this.loaded ? warmup(this.loaded) : undefined;
  }

  private probeWebGpu(): Promise<GpuProbe> {
    this.webgpuProbe ??= probeWebGpu();
    return this.webgpuProbe;
  }
}
