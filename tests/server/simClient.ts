// A minimal sync client for the convergence simulation: plain records keyed by id holding opaque
// "ciphertext" strings (a tombstone is just another ciphertext), an outbox of mutations with
// increasing ids, and a cursor. Requests can be dropped on the way out or on the way back.
import { PullResponse, PushResponse, type Mutation } from '../../src/shared/sync/protocol';

/** Seeded PRNG (mulberry32). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function uuidFrom(random: () => number): string {
  const b = Array.from({ length: 16 }, () => Math.floor(random() * 256));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = b.map((x) => x.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

const encode = (s: string) => Buffer.from(s).toString('base64url');

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
  failures = 0;
  /** 5xx answers (there must be none). */
  readonly serverErrors: string[] = [];
  steps = 0;

  constructor(
    readonly name: string,
    public baseUrl: string,
    private readonly token: string,
    private readonly random: () => number,
    public dropRate: number,
  ) {
    this.clientId = uuidFrom(random);
  }

  private async request(method: string, path: string, body?: unknown): Promise<any> {
    const r = this.random();
    if (r < this.dropRate / 2) throw new Error('dropped request');
    const res = await fetch(this.baseUrl + path, {
      method,
      headers: { Authorization: `Bearer ${this.token}`, ...(body ? { 'Content-Type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
      signal: AbortSignal.timeout(60_000),
    });
    const json = await res.json();
    if (res.status >= 500) this.serverErrors.push(`${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
    if (res.status !== 200) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
    if (r < this.dropRate) throw new Error('dropped response');
    return json;
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
   * everything after the cursor and applies it. Returns false when a request failed.
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
    } catch {
      this.failures++;
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
