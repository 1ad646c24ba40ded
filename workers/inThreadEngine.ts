// The in-thread implementation of EngineApi: the same engine without a worker, for tests
// (Node + onnxruntime-node) and for debugging.
import type { EngineApi } from '../src/shared/engine';
import { TransformersEngine } from './engine';

export function createInThreadEngine(): EngineApi {
  return new TransformersEngine();
}
