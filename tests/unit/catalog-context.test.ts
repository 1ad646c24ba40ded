// The Models dialog shows the built-in model's context length: read from its config.json.
import { describe, expect, it } from 'vitest';
import { loadCatalog } from '../../src/models/catalog';

const files: Record<string, unknown> = {
  '/models/catalog.json': {
    models: [
      { id: 'hearth-chat', name: 'Hearth Chat (built in)', source: 'bundled', dtypes: { wasm: 'q8', webgpu: 'fp32' } },
      { id: 'other', name: 'Other', source: 'bundled', dtypes: { wasm: 'q8', webgpu: 'fp32' } },
      { id: 'hub', name: 'Hub', source: 'hub', repo: 'a/b', contextLength: 8192, dtypes: { wasm: 'q4', webgpu: 'q4f16' } },
    ],
  },
  '/models/hearth-chat/config.json': { n_positions: 256, max_position_embeddings: 256 },
};
const fakeFetch = (async (url: string) =>
  url in files ? new Response(JSON.stringify(files[url])) : new Response('missing', { status: 404 })) as unknown as typeof fetch;

describe('loadCatalog', () => {
  it("fills a bundled model's context length from its config.json", async () => {
    const { models } = await loadCatalog('/models/catalog.json', fakeFetch);
    expect(models.map((m) => [m.id, m.contextLength])).toEqual([
      ['hearth-chat', 256],
      ['other', undefined], // no config: nothing made up
      ['hub', 8192],
    ]);
  });
});
