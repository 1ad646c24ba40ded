// models/catalog.json as shipped: every entry survives parsing, and every Hub entry carries what the
// Models dialog and the recommendation card show (size of each dtype it downloads, what it is good
// at, licence, parameters, context window). docs/catalog.md says where each figure was confirmed.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseCatalog } from '../../src/models/catalog';

const raw = JSON.parse(readFileSync(resolve(__dirname, '../../models/catalog.json'), 'utf8'));

describe('models/catalog.json', () => {
  const catalog = parseCatalog(raw);

  it('keeps every entry, with unique ids', () => {
    expect(catalog.models).toHaveLength(raw.models.length);
    expect(new Set(catalog.models.map((m) => m.id)).size).toBe(catalog.models.length);
  });

  it('gives every Hub entry its sizes per used dtype, goodAt, licence, params and context', () => {
    for (const m of catalog.models.filter((e) => e.source === 'hub')) {
      for (const dtype of Object.values(m.dtypes)) expect(m.sizes?.[dtype], `${m.id} ${dtype}`).toBeGreaterThan(0);
      expect(m.goodAt, m.id).toMatch(/\S/);
      expect(m.licence, m.id).toMatch(/\S/);
      expect(m.params, m.id).toMatch(/^\d+(\.\d+)?[MB]$/);
      expect(m.contextLength, m.id).toBeGreaterThan(1000);
    }
  });

  it('drops a goodAt that is not text, keeping the entry', () => {
    const { models } = parseCatalog({ models: [{ id: 'x', name: 'X', source: 'bundled', goodAt: { html: '<b>' }, dtypes: { wasm: 'q8', webgpu: 'fp32' } }] });
    expect(models).toHaveLength(1);
    expect(models[0].goodAt).toBeUndefined();
  });
});
