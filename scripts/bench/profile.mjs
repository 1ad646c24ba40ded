// CPU profile of a bench page's workers (run by `npm run bench -- --profile`): attaches to every
// worker the page starts over CDP (Target.setAutoAttach, messages relayed through the page's
// session), samples each with V8's profiler while the job runs, and keeps the profile of the
// worker that ran longest. `summarize` turns a .cpuprofile into self time per function and per
// kind (WebAssembly = ONNX Runtime's kernels, JavaScript, garbage collection, idle).

/** Runs `run()` (which drives `page`) while every worker of `page` is being profiled. */
export async function profileWorkers(page, run, intervalUs = 250) {
  const cdp = await page.context().newCDPSession(page);
  let seq = 0;
  const pending = new Map();
  const workers = [];
  cdp.on('Target.receivedMessageFromTarget', (e) => {
    const msg = JSON.parse(e.message);
    if (msg.id && pending.has(msg.id)) {
      pending.get(msg.id)(msg);
      pending.delete(msg.id);
    }
  });
  const call = (sessionId, method, params = {}) =>
    new Promise((resolve) => {
      const id = ++seq;
      pending.set(id, resolve);
      cdp.send('Target.sendMessageToTarget', { sessionId, message: JSON.stringify({ id, method, params }) }).catch(() => resolve({}));
    });
  cdp.on('Target.attachedToTarget', (e) => {
    if (!/worker/.test(e.targetInfo.type)) return;
    const w = { sessionId: e.sessionId, url: e.targetInfo.url, started: Date.now(), profile: null, alive: true };
    workers.push(w);
    void call(w.sessionId, 'Profiler.enable')
      .then(() => call(w.sessionId, 'Profiler.setSamplingInterval', { interval: intervalUs }))
      .then(() => call(w.sessionId, 'Profiler.start'));
  });
  cdp.on('Target.detachedFromTarget', (e) => {
    const w = workers.find((x) => x.sessionId === e.sessionId);
    if (w) w.alive = false;
  });
  await cdp.send('Target.setAutoAttach', { autoAttach: true, waitForDebuggerOnStart: false, flatten: false });
  const result = await run();
  for (const w of workers.filter((x) => x.alive)) {
    const res = await call(w.sessionId, 'Profiler.stop');
    w.profile = res.result?.profile ?? null;
  }
  await cdp.detach().catch(() => undefined);
  const profiled = workers.filter((w) => w.profile);
  const longest = profiled.sort((a, b) => span(b.profile) - span(a.profile))[0];
  return { result, profile: longest?.profile ?? null, workerUrl: longest?.url ?? null };
}

const span = (p) => (p.endTime ?? 0) - (p.startTime ?? 0);

/** Self time per function and per kind, in ms, from a V8 .cpuprofile. */
export function summarize(profile, top = 25) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map();
  const deltas = profile.timeDeltas ?? [];
  profile.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (deltas[i + 1] ?? deltas[i] ?? 0)));
  const fns = new Map();
  const kinds = { webassembly: 0, javascript: 0, gc: 0, idle: 0, program: 0 };
  let total = 0;
  for (const [id, us] of self) {
    const f = byId.get(id).callFrame;
    const name = f.functionName || '(anonymous)';
    const kind =
      name === '(garbage collector)' ? 'gc' : name === '(idle)' ? 'idle' : name === '(program)' || name === '(root)' ? 'program'
        : /wasm/.test(f.url) || /^\$|^wasm-function/.test(name) || f.url === '' ? 'webassembly' : 'javascript';
    kinds[kind] += us;
    total += us;
    const file = f.url ? f.url.split('/').pop().split('?')[0] : '';
    const key = `${name}${file ? ` (${file}:${f.lineNumber + 1})` : ''}`;
    const cur = fns.get(key) ?? { fn: key, kind, ms: 0 };
    cur.ms += us / 1000;
    fns.set(key, cur);
  }
  const ms = (us) => Math.round(us / 100) / 10;
  return {
    totalMs: ms(total),
    byKind: Object.fromEntries(Object.entries(kinds).map(([k, us]) => [k, { ms: ms(us), share: total ? Math.round((us / total) * 1000) / 1000 : 0 }])),
    topSelf: [...fns.values()].sort((a, b) => b.ms - a.ms).slice(0, top).map((f) => ({ ...f, ms: Math.round(f.ms * 10) / 10 })),
  };
}
