// WorkerEngine over a real Comlink channel (a MessageChannel stands in for the Worker): the same
// model loads in the same worker, another model gets a fresh worker (a WASM heap never shrinks),
// a crashed worker becomes a 'worker-crashed' outcome, then a fresh worker, and each load goes to
// the worker bundle it needs (WASM-only unless it may start on WebGPU).
import * as Comlink from 'comlink';
import { MessageChannel } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import { WorkerEngine, type WorkerFlavour } from '../../src/engine/workerEngine';
import type { GpuProbe } from '../../src/shared/capabilities';
import { ok, type EngineApi, type LoadOptions } from '../../src/shared/engine';

interface FakeWorker {
  id: number;
  flavour: WorkerFlavour;
  terminated: boolean;
  loads: string[];
  crash(): void;
}

const opened: MessageChannel[] = [];
afterEach(() => {
  for (const ch of opened.splice(0)) {
    ch.port1.close();
    ch.port2.close();
  }
});

function spawner() {
  const workers: FakeWorker[] = [];
  const spawn = (flavour: WorkerFlavour) => {
    const ch = new MessageChannel();
    opened.push(ch);
    const listeners = new Map<string, Array<(ev: Event) => void>>();
    const w: FakeWorker = { id: workers.length + 1, flavour, terminated: false, loads: [], crash: () => undefined };
    const side: Partial<EngineApi> = {
      load: async (modelId: string) => {
        w.loads.push(modelId);
        return ok({ modelId, backend: 'wasm', dtype: 'q8', contextLength: 256 } as never);
      },
      unload: async () => undefined,
      interrupt: async () => undefined,
    };
    Comlink.expose(side, ch.port2 as unknown as Comlink.Endpoint);
    const port = ch.port1 as unknown as Comlink.Endpoint;
    const worker = {
      postMessage: (msg: unknown, transfer?: Transferable[]) => port.postMessage(msg, transfer ?? []),
      addEventListener: (type: string, fn: (ev: Event) => void) => {
        if (type === 'error' || type === 'messageerror') listeners.set(type, [...(listeners.get(type) ?? []), fn]);
        else port.addEventListener(type, fn as never);
      },
      removeEventListener: (type: string, fn: (ev: Event) => void) => port.removeEventListener(type, fn as never),
      start: () => port.start?.(),
      terminate: () => {
        w.terminated = true;
      },
    };
    w.crash = () => listeners.get('error')?.forEach((fn) => fn({ message: 'out of memory' } as unknown as Event));
    workers.push(w);
    return worker as unknown as Worker;
  };
  return { workers, spawn };
}

const OPTS: LoadOptions = { backend: 'wasm', modelBaseUrl: '/models/' };

describe('WorkerEngine', () => {
  it('keeps the worker for the same model and starts a fresh one for another', async () => {
    const { workers, spawn } = spawner();
    const engine = new WorkerEngine(spawn);
    expect((await engine.load('a', OPTS)).ok).toBe(true);
    expect((await engine.load('a', OPTS)).ok).toBe(true);
    expect(workers).toHaveLength(1);
    expect(workers[0].loads).toEqual(['a', 'a']);

    const hub = { kind: 'hub' as const, cacheName: 'c', hubUrl: 'http://hub', repo: 'o/b', revision: 'main' };
    expect((await engine.load('b', { ...OPTS, source: hub })).ok).toBe(true);
    expect(workers).toHaveLength(2);
    expect(workers[0].terminated).toBe(true);
    expect(workers[1].loads).toEqual(['b']);
    // The same id with another dtype is another model too.
    await engine.load('b', { ...OPTS, source: hub, dtype: 'q4' });
    expect(workers).toHaveLength(3);
    expect(workers[1].terminated).toBe(true);
    // Another backend preference: ONNX Runtime's wasm build is chosen once per worker.
    await engine.load('b', { ...OPTS, source: hub, dtype: 'q4', backend: 'webgpu' });
    expect(workers).toHaveLength(4);
    expect(workers[2].terminated).toBe(true);
    engine.terminate();
    expect(workers[3].terminated).toBe(true);
  });

  it('turns a crash into a worker-crashed outcome, then uses a fresh worker', async () => {
    const { workers, spawn } = spawner();
    const engine = new WorkerEngine(spawn);
    await engine.load('a', OPTS);
    const pending = engine.generate({ conversationId: 'x', messages: [], params: { temperature: 0, topP: 1, maxNewTokens: 4 } } as never);
    workers[0].crash();
    const out = await pending;
    expect(out.ok).toBe(false);
    expect(!out.ok && out.error).toMatchObject({ code: 'worker-crashed', retryable: true });
    expect(workers[0].terminated).toBe(true);
    expect((await engine.load('a', OPTS)).ok).toBe(true);
    expect(workers).toHaveLength(2);
  });

  it('sends each load to the bundle it needs, and reads capabilities without a worker', async () => {
    const cases: Array<{ gpu: GpuProbe; backend: LoadOptions['backend']; dtype?: string; want: WorkerFlavour }> = [
      { gpu: { ok: false }, backend: 'auto', want: 'wasm' },
      { gpu: { ok: true, software: true, shaderF16: false }, backend: 'auto', want: 'wasm' },
      { gpu: { ok: true, software: false, shaderF16: true }, backend: 'auto', want: 'webgpu' },
      // Half-precision weights on a GPU without shader-f16 run on WASM.
      { gpu: { ok: true, software: false, shaderF16: false }, backend: 'auto', dtype: 'q4f16', want: 'wasm' },
      { gpu: { ok: true, software: false, shaderF16: true }, backend: 'wasm', want: 'wasm' },
      // An explicit WebGPU gets the WebGPU bundle even without an adapter (it says why it fell back).
      { gpu: { ok: false }, backend: 'webgpu', want: 'webgpu' },
    ];
    for (const c of cases) {
      const { workers, spawn } = spawner();
      let probes = 0;
      const engine = new WorkerEngine(spawn, async () => {
        probes++;
        return c.gpu;
      });
      const caps = await engine.capabilities();
      expect(caps.webgpu).toBe(c.gpu.ok);
      expect(workers).toHaveLength(0);
      expect((await engine.load('a', { ...OPTS, backend: c.backend, dtype: c.dtype })).ok).toBe(true);
      expect(workers.map((w) => w.flavour), JSON.stringify(c)).toEqual([c.want]);
      expect(probes).toBe(1);
      engine.terminate();
    }
  });

  it('moves to the other bundle when the preference changes, and keeps it for generate', async () => {
    const { workers, spawn } = spawner();
    const engine = new WorkerEngine(spawn, async () => ({ ok: true, software: false, shaderF16: true }));
    await engine.load('a', { ...OPTS, backend: 'auto' });
    await engine.load('a', { ...OPTS, backend: 'wasm' });
    expect(workers.map((w) => [w.flavour, w.terminated])).toEqual([['webgpu', true], ['wasm', false]]);
    await engine.generate({ conversationId: 'x', messages: [], params: { temperature: 0, topP: 1, maxNewTokens: 1 } } as never).catch(() => undefined);
    expect(workers).toHaveLength(2);
    engine.terminate();
  });
});
