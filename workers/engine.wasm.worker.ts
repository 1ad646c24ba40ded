// Web Worker entry for loads that run on WebAssembly: the same engine as engine.worker.ts, built
// with onnxruntime-web's plain (WASM-only) bundle in place of the WebGPU one (vite.config.ts,
// scripts/vite/ortWasmOnly.ts): a smaller bundle with no WebGPU code on the WASM path.
// src/engine/workerEngine.ts picks this entry when a load will not use WebGPU.
import * as Comlink from 'comlink';
import { TransformersEngine } from './engine';

Comlink.expose(new TransformersEngine({ wasmOnly: true }));
