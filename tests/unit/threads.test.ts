// Threads per model: the small default and test models run on one thread, a SmolLM2-135M-shaped
// model on every thread the page may use.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { estimateParams, threadsFor } from '../../workers/threads';

const config = (path: string) => JSON.parse(readFileSync(resolve(__dirname, '../..', path), 'utf8'));
const SMOLLM2_135M = {
  model_type: 'llama', vocab_size: 49152, hidden_size: 576, intermediate_size: 1536, num_hidden_layers: 30,
  num_attention_heads: 9, num_key_value_heads: 3,
};

describe('threadsFor', () => {
  it('estimates parameter counts from GPT-2 and Llama configs', () => {
    expect(estimateParams(config('models/hearth-chat/config.json')) / 1e6).toBeCloseTo(4.2, 0);
    expect(estimateParams(SMOLLM2_135M) / 1e6).toBeGreaterThan(120);
    expect(estimateParams(SMOLLM2_135M) / 1e6).toBeLessThan(160);
    expect(estimateParams({})).toBe(Number.POSITIVE_INFINITY);
  });

  it('gives small models one thread and others what the page allows', () => {
    expect(threadsFor(config('models/hearth-chat/config.json'), 4)).toBe(1);
    expect(threadsFor(config('models/hearth-test-tiny/config.json'), 2)).toBe(1);
    expect(threadsFor(config('tests/fixtures/tiny-llama/config.json'), 2)).toBe(1);
    expect(threadsFor(SMOLLM2_135M, 2)).toBe(2);
    expect(threadsFor(SMOLLM2_135M, 1)).toBe(1);
    expect(threadsFor({}, 4)).toBe(4);
  });
});
