// The network between the fuzzer's tabs and the sync servers. Every request a tab's transport
// sends (through the `fetch` it is given) is parked until the schedule delivers it, so the fuzzer
// decides the order of everything, and how each request fares: delivered, dropped before the
// server saw it, dropped after the server processed it, sent twice, answered late (the server
// processes it now, the answer arrives after later events), or cut by a SIGKILL of the server
// while it runs. Requests go to the instances like a load balancer would: to any live one.
import type { Cluster, Instance } from './cluster';

export type Delivery = 'ok' | 'drop-before' | 'drop-after' | 'dup' | 'late' | 'kill';

interface Answer {
  status: number;
  headers: [string, string][];
  body: Uint8Array;
}

export interface Parked {
  n: number;
  tab: string;
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string | Uint8Array;
  /** The server's answer, held back (a late answer). */
  answer?: Answer;
  settle(a: Answer | Error): void;
}

const lost = (why: string) => new TypeError(`fetch failed (${why})`);

export class Net {
  readonly parked: Parked[] = [];
  /** Answers with status >= 500 (none may happen). */
  readonly serverErrors: string[] = [];
  private n = 0;

  constructor(
    private readonly cluster: Cluster,
    private readonly trace: (line: string) => void,
  ) {}

  /** The `fetch` of one tab; `address` is sent as X-Forwarded-For (per-address limits). */
  fetchFor(tab: string, address: string): typeof fetch {
    return (input, init = {}) =>
      new Promise<Response>((resolve, reject) => {
        const url = new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url);
        const headers = Object.fromEntries(new Headers(init.headers).entries());
        headers['x-forwarded-for'] = address;
        this.parked.push({
          n: ++this.n,
          tab,
          method: init.method ?? 'GET',
          path: url.pathname + url.search,
          headers,
          body: init.body as string | Uint8Array | undefined,
          settle: (a) =>
            a instanceof Error ? reject(a) : resolve(new Response(a.status === 204 ? null : (a.body as BodyInit), { status: a.status, headers: a.headers })),
        });
      });
  }

  has(tab: string): boolean {
    return this.parked.some((p) => p.tab === tab);
  }

  /** A closed tab's requests: never answered. */
  forget(tab: string): void {
    for (let i = this.parked.length - 1; i >= 0; i--) if (this.parked[i].tab === tab) this.parked.splice(i, 1);
  }

  /** Delivers parked request `p` as `how` says; `r` in [0, 1) picks the instance and the kill's timing. */
  async deliver(p: Parked, how: Delivery, r: number): Promise<void> {
    const what = `${p.method} ${p.path.replace(/\?.*/, '')}`;
    if (p.answer) {
      this.take(p);
      this.trace(`  net: late answer ${p.answer.status} to ${p.tab} ${what}`);
      p.settle(p.answer);
      return;
    }
    if (how === 'drop-before') {
      this.take(p);
      this.trace(`  net: ${p.tab} ${what} dropped before the server`);
      p.settle(lost('dropped'));
      return;
    }
    const live = this.cluster.instances.filter((i) => i.alive);
    const inst = live[Math.floor(r * live.length)];
    let a: Answer | Error;
    if (how === 'kill' && inst) {
      const sending = this.send(p, inst);
      await new Promise((done) => setTimeout(done, Math.floor(r * 12)));
      await inst.kill();
      a = await sending;
      this.trace(`  net: ${p.tab} ${what} -> ${inst.name} SIGKILLed ${a instanceof Error ? 'before it answered' : `after it answered ${a.status}`}; restarting`);
      await inst.start();
      if (!(a instanceof Error)) a = lost('server killed');
    } else {
      a = await this.send(p, inst);
      if (how === 'dup' && !(a instanceof Error)) a = await this.send(p, inst);
      this.trace(`  net: ${p.tab} ${what} -> ${inst?.name ?? 'no server'} ${a instanceof Error ? a.message : a.status}${how === 'ok' ? '' : ` (${how})`}`);
      if (how === 'drop-after') a = lost('answer dropped');
      if (how === 'late' && !(a instanceof Error)) {
        p.answer = a;
        return;
      }
    }
    this.take(p);
    p.settle(a);
  }

  private take(p: Parked) {
    this.parked.splice(this.parked.indexOf(p), 1);
  }

  private async send(p: Parked, inst: Instance | undefined): Promise<Answer | Error> {
    if (!inst) return lost('no server running');
    try {
      const res = await fetch(inst.url + p.path, { method: p.method, headers: p.headers, body: p.body as BodyInit | undefined, signal: AbortSignal.timeout(120_000) });
      const body = new Uint8Array(await res.arrayBuffer());
      if (res.status >= 500) this.serverErrors.push(`${p.method} ${p.path} -> ${res.status} ${new TextDecoder().decode(body).slice(0, 200)}`);
      return { status: res.status, headers: [...res.headers], body };
    } catch {
      return lost('connection failed');
    }
  }
}
