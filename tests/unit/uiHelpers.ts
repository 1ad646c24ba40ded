// Test helper for component tests: an engine that loads and answers nothing, for stores whose
// model is not under test.
import type { EngineApi } from '../../src/shared/engine';

export const idleEngine = {
  capabilities: async () => ({}),
  load: async () => ({}),
  generate: async () => ({}),
  interrupt: async () => {},
  unload: async () => {},
} as unknown as EngineApi;
