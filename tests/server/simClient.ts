// A minimal sync client for the convergence simulation: plain records keyed by id holding opaque
// "ciphertext" strings (a tombstone is just another ciphertext), an outbox of mutations with
// increasing ids, and a cursor. Requests can be dropped on the way out or on the way back, and the
// server can be down (the test says when): those failures are intended and counted. Anything else
// (a 4xx or 5xx answer, a body the protocol does not allow, a network error while the server is
// up, a hang) is a protocol error and fails the run.
import { PullResponse, PushResponse, type Mutation } from '../../src/shared/sync/protocol';
import { seededRandom } from '../../workers/sampling';

/** Seeded PRNG (mulberry32). */
export const rng = seededRandom;

export function uuidFrom(random: () => number): string {
  const b = Array.from({ length: 16 }, () => Math.floor(random() * 256));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = b.map((x) => x.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

const encode = (s: string) => Buffer.from(s).toString('base64url');

/** A request or response the simulation dropped on purpose. */
class Dropped extends Error {}

/** Whether `err` is fetch failing to reach the server (refused, reset, closed), not an answer. */
function isUnreachable(err: unknown): boolean {
  if (!(err instanceof TypeError) || err.message !== 'fetch failed') return false;
  const code = (err.cause as { code?: string } | undefined)?.code ?? '';
  return /^(ECONNREFUSED|ECONNRESET|EPIPE|UND_ERR_SOCKET|UND_ERR_CLOSED)$/.test(code);
}

export class SimClient {
  readonly records = new Map<string, string>();
  outbox: Mutation[] = [];
  /** Every mutation this client made, in order. */
  readonly made: Mutation[] = [];
  /** Seqs the server acknowledged (null results are retries of already applied mutations). */
  readonly acked = new Map<number, number | null>();
  readonly clientId: string;
  cursor = 0;
  private nextMutationId = 1;
  /** Requests and responses dropped on purpose. */
  dropped = 0;
  /** Requests that could not reach the server while it was down. */
  unreachable = 0;
  steps = 0;

  constructor(
    readonly name: string,
    public baseUrl: string,
    private readonly token: string,
    private readonly random: () => number,
    public dropRate: number,
    /** Whether the test has taken this client's server down (killed, not yet restarted). */
    private readonly serverDown: () => boolean = () => false,
  ) {
    this.clientId = uuidFrom(random);
  }

  private async request(method: string, path: string, body?: unknown): Promise<any> {
    const r = this.random();
    if (r < this.dropRate / 2) throw new Dropped('dropped request');
    const res = await fetch(this.baseUrl + path, {
      method,
      headers: { Authorization: `Bearer ${this.token}`, ...(body ? { 'Content-Type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
      signal: AbortSignal.timeout(30_000),
    }).catch((err: unknown) => {
      if (err instanceof Error && err.name === 'TimeoutError') throw new Error(`${this.name}: ${method} ${path} got no answer in 30 s (server hung)`);
      throw err;
    });
    const text = await res.text();
    if (res.status !== 200) throw new Error(`${this.name}: ${method} ${path} answered ${res.status} ${text.slice(0, 300)}`);
    if (r < this.dropRate) throw new Dropped('dropped response');
    return JSON.parse(text);
  }

  /** A local create, edit or delete (tombstone). */
  localChange(): void {
    const ids = [...this.records.keys()];
    const op = ids.length === 0 ? 0 : this.random();
    const recordId = op < 0.4 ? uuidFrom(this.random) : ids[Math.floor(this.random() * ids.length)];
    const mutationId = this.nextMutationId++;
    const kind = op < 0.4 ? 'create' : op < 0.85 ? 'edit' : 'delete';
    const ciphertext = encode(`${kind}:${this.name}:${mutationId}:${'x'.repeat(Math.floor(this.random() * 40))}`);
    const m = { mutationId, recordId, ciphertext };
    this.records.set(recordId, ciphertext);
    this.outbox.push(m);
    this.made.push(m);
  }

  /**
   * Pushes the whole outbox, then (only once it is empty, so no local change is pending) pulls
   * everything after the cursor and applies it. Returns false when a request was dropped on
   * purpose or the server was down; throws on any other error (a protocol error).
   */
  async sync(): Promise<boolean> {
    try {
      while (this.outbox.length) {
        const batch = this.outbox.slice(0, 20);
        const res = PushResponse.parse(await this.request('POST', '/api/sync/push', { clientId: this.clientId, mutations: batch }));
        for (const r of res.results) if (!this.acked.has(r.mutationId) || r.seq !== null) this.acked.set(r.mutationId, r.seq);
        this.outbox = this.outbox.filter((m) => m.mutationId > res.lastMutationId);
      }
      for (;;) {
        const page = PullResponse.parse(await this.request('GET', `/api/sync/pull?since=${this.cursor}&limit=25`));
        for (const c of page.changes) this.records.set(c.recordId, c.ciphertext);
        this.cursor = page.cursor;
        if (!page.hasMore) return true;
      }
    } catch (err) {
      if (err instanceof Dropped) this.dropped++;
      else if (isUnreachable(err) && this.serverDown()) this.unreachable++;
      else throw err;
      return false;
    }
  }

  /** `n` random steps: mostly local changes, sometimes a sync. */
  async run(n: number): Promise<void> {
    for (let i = 0; i < n; i++, this.steps++) {
      if (this.random() < 0.7) this.localChange();
      else await this.sync();
      await new Promise((r) => setTimeout(r, Math.floor(this.random() * 5)));
    }
  }
}
