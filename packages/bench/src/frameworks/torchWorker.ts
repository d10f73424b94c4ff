import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { fileURLToPath } from 'node:url';

// This file sits in packages/bench/{src,dist}/frameworks/, so both paths hold from either place.
const SCRIPT = fileURLToPath(new URL('../../python/torch_worker.py', import.meta.url));
const REPO_ROOT = fileURLToPath(new URL('../../../../', import.meta.url));

/** A reply from the worker: its JSON header and the raw bytes that followed it. */
export interface Reply {
  header: Record<string, unknown>;
  payload: Buffer;
}

/**
 * The Pythons to try, in order: `DL_BENCH_PYTHON` alone when it is set; otherwise the repository's
 * `.venv`, then `python3` on the PATH.
 * @example pythonCandidates({ DL_BENCH_PYTHON: '/opt/py/bin/python' }) // ['/opt/py/bin/python']
 */
export function pythonCandidates(env: NodeJS.ProcessEnv = process.env): string[] {
  const chosen = env.DL_BENCH_PYTHON;
  if (chosen !== undefined && chosen !== '') return [chosen];
  const venv = process.platform === 'win32' ? '.venv/Scripts/python.exe' : '.venv/bin/python';
  return [`${REPO_ROOT}${venv}`, 'python3'];
}

/**
 * One long-lived Python process running python/torch_worker.py. Requests are answered one at a
 * time, in order; a request is a JSON header plus raw little-endian arrays.
 * @example
 * const w = await TorchWorker.find();
 * if (typeof w !== 'string') { await w.request({ op: 'dispose', id: 0 }); w.close(); }
 */
export class TorchWorker {
  private buffered = Buffer.alloc(0);
  private readonly waiting: { resolve(r: Reply): void; reject(e: Error): void }[] = [];
  private stderrTail = '';
  private exited: string | undefined;

  private constructor(
    private readonly child: ChildProcessWithoutNullStreams,
    /** The Python executable running the worker. */
    readonly python: string,
  ) {
    child.stdout.on('data', (chunk: Buffer) => this.receive(chunk));
    child.stderr.on('data', (chunk: Buffer) => {
      this.stderrTail = (this.stderrTail + chunk.toString()).slice(-2000);
    });
    child.on('error', (e) => this.fail(e.message));
    // 'close' comes after stdout has drained, so a last reply (say, why torch failed to import) is read first.
    child.on('close', (code, signal) => this.fail(`exited (${signal ?? `code ${code}`})`));
    // EPIPE after an early exit is reported through 'exit'; do not let it throw.
    child.stdin.on('error', () => {});
  }

  /** torch.__version__, from the worker's greeting. */
  version = '';
  /** torch's default thread count there (before any request sets it). */
  defaultThreads = 1;

  /**
   * Starts a worker with the first candidate Python that imports torch, or returns why none did:
   * every candidate tried, each with its reason (not found, no torch, ...). Never throws.
   */
  static async find(env: NodeJS.ProcessEnv = process.env): Promise<TorchWorker | string> {
    const tried: string[] = [];
    for (const python of pythonCandidates(env)) {
      const w = await TorchWorker.start(python, env);
      if (typeof w !== 'string') return w;
      tried.push(`${python === env.DL_BENCH_PYTHON ? 'DL_BENCH_PYTHON=' : ''}${python}: ${w}`);
    }
    const hint = env.DL_BENCH_PYTHON ? '' : '; set DL_BENCH_PYTHON to a Python that has torch';
    return `no Python with torch (${tried.join('; ')})${hint}`;
  }

  /**
   * Starts the worker on `python` (with environment `env`) and waits for its greeting; returns the
   * reason on failure: `not found`, or the error torch's import raised.
   */
  static async start(python: string, env: NodeJS.ProcessEnv = process.env): Promise<TorchWorker | string> {
    let child: ChildProcessWithoutNullStreams;
    try {
      child = spawn(python, [SCRIPT], { stdio: ['pipe', 'pipe', 'pipe'], env });
    } catch (e) {
      return (e as Error).message;
    }
    const w = new TorchWorker(child, python);
    try {
      const hello = await w.next();
      w.version = String(hello.header.torch);
      w.defaultThreads = Number(hello.header.threads);
      return w;
    } catch (e) {
      w.close();
      const m = (e as Error).message;
      return /ENOENT/.test(m) ? 'not found' : m;
    }
  }

  /**
   * Sends one request and resolves with the reply; rejects with the worker's error message.
   * @example const { header } = await w.request({ op: 'step', id: 3 }); header.loss;
   */
  request(header: Record<string, unknown>, arrays: readonly ArrayBufferView[] = []): Promise<Reply> {
    const reply = this.next();
    const line = JSON.stringify({ ...header, bytes: arrays.map((a) => a.byteLength) });
    this.child.stdin.write(`${line}\n`);
    for (const a of arrays) this.child.stdin.write(Buffer.from(a.buffer, a.byteOffset, a.byteLength));
    return reply;
  }

  /** Ends the worker (it exits when its stdin closes). */
  close(): void {
    if (this.exited !== undefined) return;
    this.child.stdin.end();
    this.exited = 'closed';
  }

  private next(): Promise<Reply> {
    if (this.exited !== undefined) return Promise.reject(new Error(`torch worker ${this.exited}`));
    return new Promise((resolve, reject) => this.waiting.push({ resolve, reject }));
  }

  private receive(chunk: Buffer): void {
    this.buffered = Buffer.concat([this.buffered, chunk]);
    for (;;) {
      const eol = this.buffered.indexOf(10);
      if (eol < 0) return;
      const header = JSON.parse(this.buffered.subarray(0, eol).toString()) as Record<string, unknown>;
      const end = eol + 1 + Number(header.bytes ?? 0);
      if (this.buffered.length < end) return;
      const payload = Buffer.from(this.buffered.subarray(eol + 1, end));
      this.buffered = this.buffered.subarray(end);
      const w = this.waiting.shift();
      if (w === undefined) continue;
      if (typeof header.error === 'string') w.reject(new Error(header.error));
      else w.resolve({ header, payload });
    }
  }

  private fail(why: string): void {
    const last = this.stderrTail.trim().split('\n').pop();
    this.exited ??= last ? `${why}: ${last}` : why;
    for (const w of this.waiting.splice(0)) w.reject(new Error(this.exited));
  }
}
