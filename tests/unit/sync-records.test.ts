// A message record as it syncs (src/sync/records.ts): the name of the model that wrote a reply
// travels inside the ciphertext and comes back as it was; a record whose model name is not text
// is refused; a reply from before model names (none) passes and shows no label.
import { describe, expect, it } from 'vitest';
import type { Message } from '../../src/db';
import { generateAccountKey } from '../../src/sync/crypto';
import { openRecord, sealRecord } from '../../src/sync/records';

const ID = '3f2a1b4c-5d6e-4f70-8192-a3b4c5d6e7f8';
const CONV = '9e8d7c6b-5a49-4382-9170-6f5e4d3c2b1a';
const reply = (metadata: Record<string, unknown>): Message =>
  ({ id: ID, conversationId: CONV, parentId: null, role: 'assistant', content: 'Paris.', status: 'complete', createdAt: 1, updatedAt: 2, deletedAt: null, metadata, attachmentIds: [] }) as Message;

describe('synced message records', () => {
  it("carry the reply's model name; a malformed one is refused; none is fine", async () => {
    const key = await generateAccountKey();
    const roundTrip = async (metadata: Record<string, unknown>) => {
      const ciphertext = await sealRecord(key, { kind: 'message', id: ID, conversationId: CONV, record: reply(metadata) });
      return openRecord(key, { seq: 7, recordId: ID, ciphertext, receivedAt: 0 });
    };
    const got = await roundTrip({ modelId: 'SmolLM2 360M Instruct', modelName: 'SmolLM2 360M Instruct', backend: 'wasm' });
    expect(got.kind === 'message' && got.record?.metadata.modelName).toBe('SmolLM2 360M Instruct');
    await expect(roundTrip({ modelName: 42 })).rejects.toMatchObject({ code: 'refused', message: expect.stringMatching(/metadata\.modelName/) });
    const old = await roundTrip({ modelId: 'hearth-chat' });
    expect(old.kind === 'message' && old.record?.metadata.modelName).toBeUndefined();
  });
});
