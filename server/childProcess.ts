// A sync server in a child process (`node --import tsx server/index.ts`), for tests and the
// benchmark: started on a fixed port so clients keep their URL across a SIGKILL and restart. A
// child of the caller, never detached, killed when the caller exits.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

export function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const s = createServer();
    s.once('error', fail);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => done(port));
    });
  });
}

export class ServerProcess {
  private child?: ChildProcess;
  private output = '';
  readonly url: string;

  constructor(
    readonly port: number,
    private readonly env: Record<string, string>,
  ) {
    this.url = `http://127.0.0.1:${port}`;
  }

  /** Starts the server and resolves once it listens. */
  async start(timeoutMs = 600_000): Promise<void> {
    const child = spawn(process.execPath, ['--import', 'tsx', 'server/index.ts'], {
      cwd: ROOT,
      env: { ...process.env, ...this.env, PORT: String(this.port), HOST: '127.0.0.1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    this.output = '';
    // Never outlive the process that started it (a test runner stopped mid-run included).
    const orphan = () => child.kill('SIGKILL');
    process.once('exit', orphan);
    child.once('exit', () => process.off('exit', orphan));
    await new Promise<void>((ready, fail) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        fail(new Error(`server did not start in ${timeoutMs} ms:\n${this.output}`));
      }, timeoutMs);
      const onData = (d: Buffer) => {
        this.output += d.toString();
        if (this.output.includes('listening on')) {
          clearTimeout(timer);
          ready();
        }
      };
      child.stdout!.on('data', onData);
      child.stderr!.on('data', onData);
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        fail(new Error(`server exited (${code ?? signal}) before listening:\n${this.output}`));
      });
    });
  }

  /** SIGKILL: no shutdown, in-flight requests and transactions are cut. */
  kill(): Promise<void> {
    return this.signal('SIGKILL');
  }

  /** SIGTERM and wait (a clean shutdown). */
  stop(): Promise<void> {
    return this.signal('SIGTERM');
  }

  private async signal(sig: NodeJS.Signals): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    await new Promise<void>((done) => {
      child.once('exit', () => done());
      child.kill(sig);
    });
  }

  get log(): string {
    return this.output;
  }
}
