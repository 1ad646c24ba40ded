// The client's floor under KDF parameters (src/sync/kdf.ts): the defaults are 64 MiB and 3
// passes; a server (here the real one in process, with its /api/auth/params answer rewritten as a
// malicious server would) that asks for cheaper parameters is refused before the password is used
// or anything is sent; the only way to go lower is the app's own deps (tests), never an answer.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_KDF_PARAMS, KDF_LIMITS, type KdfParams } from '../../src/shared/sync/protocol';
import { createAccount, signIn } from '../../src/sync/account';
import { MIN_KDF } from '../../src/sync/kdf';
import { deriveSecret } from '../../src/sync/kdfCore';
import { device } from './syncHelpers';
import { inProcessServer, type InProcessServer } from './syncServer';

let server: InProcessServer;
let honest: typeof fetch;
let weaken: Partial<KdfParams> | null = null;
const requests: string[] = [];

/** The real server; while `weaken` is set, its params answer is rewritten to cheaper parameters. */
const malicious: typeof fetch = async (input, init) => {
  const req = new Request(input, init);
  const path = new URL(req.url).pathname;
  requests.push(path);
  const res = await honest(req);
  if (!weaken || path !== '/api/auth/params') return res;
  const body = (await res.json()) as { kdf: KdfParams };
  return Response.json({ kdf: { ...body.kdf, ...weaken } });
};

beforeAll(async () => {
  server = await inProcessServer();
  honest = server.fetch;
}, 600_000);

afterAll(async () => {
  await server?.close();
});

describe('KDF parameter floor', () => {
  it('is the default for new accounts: Argon2id 64 MiB, 3 passes', () => {
    expect(DEFAULT_KDF_PARAMS).toEqual({ memoryKiB: 65536, iterations: 3, parallelism: 1 });
    expect(MIN_KDF).toEqual({ memoryKiB: 64 * 1024, iterations: 3 });
  });

  it('refuses a server that asks for 8 MiB / 1 pass (or any cut) before deriving or sending anything', async () => {
    // The production client: no kdfMemoryKiB in its deps.
    const d = device(malicious);
    let derived = 0;
    const deps = { ...d.deps, kdfMemoryKiB: undefined, derive: (...args: Parameters<typeof deriveSecret>) => (derived++, deriveSecret(...args)) };
    for (const cut of [{ memoryKiB: KDF_LIMITS.memoryKiB.min, iterations: 1 }, { iterations: 2 }, { memoryKiB: 32 * 1024 }]) {
      weaken = cut;
      requests.length = 0;
      const err = await signIn(deps, d.creds('victim@example.org')).then(
        () => null,
        (e: unknown) => e,
      );
      expect(err).toMatchObject({ code: 'refused', retryable: false });
      expect((err as Error).message).toMatch(/weaker password protection.*at least 64 MiB, 3 passes/);
      expect(requests).toEqual(['/api/auth/params']);
    }
    expect(derived).toBe(0);
    expect(await d.storage.sync.account()).toBeUndefined();
  });

  it('signs in at the defaults; a test may lower the memory floor only through its own deps', async () => {
    weaken = null;
    const a = device(malicious);
    const production = { ...a.deps, kdfMemoryKiB: undefined };
    await createAccount(production, a.creds('full@example.org'));
    const b = device(malicious);
    await signIn({ ...b.deps, kdfMemoryKiB: undefined }, b.creds('full@example.org'));
    expect((await b.storage.sync.account())?.kdf).toMatchObject({ memoryKiB: 65536, iterations: 3 });

    // Test-only cheap parameters: the test's own deps accept 8 MiB; fewer passes stay refused.
    const c = device(malicious);
    await createAccount(c.deps, c.creds('cheap@example.org'));
    const d = device(malicious);
    await signIn(d.deps, d.creds('cheap@example.org'));
    expect((await d.storage.sync.account())?.kdf.memoryKiB).toBe(KDF_LIMITS.memoryKiB.min);
    weaken = { iterations: 1 };
    await expect(signIn(device(malicious).deps, d.creds('cheap@example.org'))).rejects.toMatchObject({ code: 'refused' });
    weaken = null;
  }, 120_000);
});
