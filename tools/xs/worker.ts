// XsWorker: drives one @agoric/xsnap `xsnap-worker` process (XS 13.3, moddable-xs.md §10 "XS versions compared")
// over its netstring pipes, without the package's Node API (which needs SES lockdown in the Node process).
// Protocol, from xsnap-worker.c:
//   fd 3 (parent→worker) commands: `e<utf-8 source>` eval, `?<bytes>` call globalThis.handleCommand(ArrayBuffer),
//     `R` ready check, `q` quit. (`s`/`m` run files and `w` snapshots are not used here.)
//   fd 4 (worker→parent): `.<meter JSON>\x01<reply bytes>` success, `!<message>` uncaught exception of that command,
//     or `?<bytes>` = the worker's synchronous issueCommand(ArrayBuffer): it blocks until the parent writes `/<reply>`.
// The worker runs one command at a time and drains promise jobs (and setImmediate) before it answers, so exactly one
// exchange is in flight here; later commands queue. Writing anything while the worker waits for an issueCommand
// reply would be read AS that reply, so commands are never written until the previous answer arrived.
// The reply of `e`/`?` is the command's result if it is an ArrayBuffer (or has an ArrayBuffer `result`), else empty.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { encodeNetstring, NetstringDecoder } from './netstring';

/** Meter usage the worker reports with every successful answer (xsnap-worker.c fxWriteOkay). */
export interface MeterUsage {
  /** Computrons spent by this exchange (XS metering: roughly one per bytecode/host-call step). */
  compute: number;
  /** Bytes of chunk heap the machine has allocated so far (the->allocatedSpace; grows, never shrinks). */
  allocate: number;
  /** Slots in use in the slot heap after the exchange. */
  currentHeapCount: number;
}

/** Answers a worker's issueCommand(); may be async (the worker blocks meanwhile). */
export type RequestHandler = (request: Uint8Array) => Uint8Array | Promise<Uint8Array>;

export interface XsWorkerOptions {
  name?: string;
  /** Serves the worker's issueCommand() requests. Default: a handler that fails the exchange. */
  onRequest?: RequestHandler;
  /** Per-exchange computron limit (xsnap `-l`); exceeding it kills the worker (exit 17, "too much computation"). */
  meteringLimit?: number;
  /** Path of the xsnap-worker binary (default: the one built inside @agoric/xsnap). */
  workerPath?: string;
}

/** The XS code of a command threw: `message` is XS's String(exception), e.g. "RangeError: bad thing". */
export class XsException extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'XsException';
  }
}

/** The worker process is gone, or the pipe protocol broke (the worker is killed in that case). */
export class XsWorkerError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'XsWorkerError';
  }
}

const EXIT_MEANING: Record<number, string> = {
  1: 'bad argument usage',
  2: 'I/O error',
  11: 'not enough memory',
  12: 'stack overflow',
  15: 'unhandled exception',
  16: 'property (key) name space exhausted',
  17: 'too much computation',
  255: 'aborted (unhandled exception in a job or timer)',
};

const OK = 0x2e; // '.'
const ERROR = 0x21; // '!'
const QUERY = 0x3f; // '?'
const encoder = new TextEncoder();
const decoder = new TextDecoder();

export function defaultWorkerPath(): string {
  const require = createRequire(import.meta.url);
  const pkgDir = dirname(require.resolve('@agoric/xsnap/package.json'));
  return join(pkgDir, 'xsnap-native', 'xsnap', 'build', 'bin', 'lin', 'release', 'xsnap-worker');
}

interface Exchange {
  frame: Uint8Array;
  resolve: (reply: Uint8Array) => void;
  reject: (error: Error) => void;
}

export class XsWorker {
  /** Serves issueCommand() requests from the worker; may be replaced at any time between exchanges. */
  onRequest: RequestHandler;
  /** Meter usage of the last successful exchange. */
  lastMeter: MeterUsage | undefined;
  /** Sum of `compute` over all successful exchanges since the last resetMeterTotals(). */
  totalCompute = 0;
  /** Everything the worker printed (print() goes to stdout; XS reports go to stderr). */
  stdout = '';
  stderr = '';
  /** Resolves when the process exited (never rejects). */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  private readonly process: ChildProcess;
  private readonly toWorker: Writable;
  private readonly decoderStream = new NetstringDecoder();
  private readonly queue: Exchange[] = [];
  private current: Exchange | undefined;
  private failure: XsWorkerError | undefined;
  private closing = false;
  private readonly name: string;

  constructor(options: XsWorkerOptions = {}) {
    this.name = options.name ?? 'xsnap';
    this.onRequest = options.onRequest ?? (() => {
      throw new Error('this XsWorker has no onRequest handler');
    });
    const bin = options.workerPath ?? defaultWorkerPath();
    if (!existsSync(bin)) throw new XsWorkerError(`xsnap-worker not found at ${bin}: run node tools/xs/build-xsnap.mjs`);
    const args = [this.name];
    if (options.meteringLimit) args.push('-l', String(options.meteringLimit));
    this.process = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe', 'pipe', 'pipe'] });
    const stdio = this.process.stdio as unknown as [null, Readable, Readable, Writable, Readable];
    this.toWorker = stdio[3];
    stdio[1].on('data', (d: Buffer) => (this.stdout += d.toString('utf8')));
    stdio[2].on('data', (d: Buffer) => (this.stderr += d.toString('utf8')));
    stdio[4].on('data', (d: Buffer) => this.onData(d));
    // EPIPE after the worker died is reported through 'exit'; never let it become an uncaught stream error.
    this.toWorker.on('error', () => {});
    stdio[4].on('error', () => {});
    this.exited = new Promise((resolve) => {
      this.process.once('close', (code: number | null, signal: NodeJS.Signals | null) => {
        const meaning = code !== null ? EXIT_MEANING[code] : undefined;
        const why = signal ? `signal ${signal}` : `exit code ${code}${meaning ? ` (${meaning})` : ''}`;
        this.fail(new XsWorkerError(`${this.name} exited with ${why}${this.stderrTail()}`), false);
        resolve({ code, signal });
      });
    });
  }

  /** True while an exchange is in flight (including while the worker waits on an issueCommand reply). */
  get busy(): boolean {
    return this.current !== undefined;
  }

  get alive(): boolean {
    return this.failure === undefined;
  }

  resetMeterTotals(): void {
    this.totalCompute = 0;
  }

  /** Evaluates a script (classic script semantics, global scope). Resolves with the result bytes (empty unless the
   * completion value is an ArrayBuffer); rejects with XsException if it throws. */
  evaluate(code: string): Promise<Uint8Array> {
    return this.exchange(encodeNetstring(encoder.encode('e'), encoder.encode(code)));
  }

  /** Calls the worker's globalThis.handleCommand(ArrayBuffer) with a copy of `message`; resolves with its ArrayBuffer
   * result (empty if it returned something else). */
  command(message: Uint8Array): Promise<Uint8Array> {
    return this.exchange(encodeNetstring(encoder.encode('?'), message));
  }

  /** Round trip that runs no JS: proves the process is up and in sync. */
  async isReady(): Promise<void> {
    await this.exchange(encodeNetstring(encoder.encode('R')));
  }

  /** Asks the worker to quit after the exchanges already queued (waiting at most `graceMs` for them), then kills
   * it if it has not exited within another `graceMs`. Exchanges still pending then reject.
   * 'q' is written only at a moment when no exchange is in flight or queued: host events keep arriving while we
   * wait, and a frame written while the worker is blocked in issueCommand() is read AS its reply ("Received
   * unexpected command reply"). From then on exchange() refuses new work. */
  async close(graceMs = 5000): Promise<void> {
    if (!this.failure) {
      const deadline = Date.now() + graceMs;
      while (!this.failure && (this.current || this.queue.length > 0) && Date.now() < deadline) {
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([
          this.whenIdle().catch(() => undefined),
          new Promise<void>((resolve) => (timer = setTimeout(resolve, Math.max(0, deadline - Date.now())))),
        ]);
        clearTimeout(timer);
      }
      if (!this.failure && !this.current && this.queue.length === 0) {
        this.closing = true;
        this.toWorker.write(encodeNetstring(encoder.encode('q')));
        this.toWorker.end();
      } else {
        this.kill();
      }
    }
    const timer = setTimeout(() => this.process.kill('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(timer);
  }

  /** False once close() sent 'q' or the worker failed: commands would be refused. */
  get acceptsCommands(): boolean {
    return !this.failure && !this.closing;
  }

  /** Kills the process at once; pending exchanges reject. */
  kill(): void {
    this.fail(new XsWorkerError(`${this.name} was killed`), true);
  }

  private whenIdle(): Promise<void> {
    if (!this.current && this.queue.length === 0) return Promise.resolve();
    // Queue a no-JS round trip: it completes after everything before it.
    return this.isReady();
  }

  private exchange(frame: Uint8Array): Promise<Uint8Array> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.closing) return Promise.reject(new XsWorkerError(`${this.name} is closing`));
    return new Promise((resolve, reject) => {
      this.queue.push({ frame, resolve, reject });
      this.pump();
    });
  }

  private pump(): void {
    if (this.current || this.failure) return;
    const next = this.queue.shift();
    if (!next) return;
    this.current = next;
    this.toWorker.write(next.frame);
  }

  private onData(chunk: Buffer): void {
    let messages: Uint8Array[];
    try {
      messages = this.decoderStream.push(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
    } catch (error) {
      this.fail(new XsWorkerError(`${this.name}: malformed reply: ${(error as Error).message}`), true);
      return;
    }
    for (const message of messages) this.onMessage(message);
  }

  private onMessage(message: Uint8Array): void {
    if (this.failure) return;
    const exchange = this.current;
    if (!exchange) {
      this.fail(new XsWorkerError(`${this.name}: unsolicited message from the worker`), true);
      return;
    }
    const kind = message[0];
    if (message.length === 0) {
      this.fail(new XsWorkerError(`${this.name}: empty message from the worker`), true);
    } else if (kind === OK) {
      const separator = message.indexOf(1, 1);
      let reply = message.subarray(1);
      if (separator >= 0) {
        try {
          const meter = JSON.parse(decoder.decode(message.subarray(1, separator))) as MeterUsage;
          this.lastMeter = { compute: meter.compute, allocate: meter.allocate, currentHeapCount: meter.currentHeapCount };
          this.totalCompute += meter.compute;
        } catch {
          this.fail(new XsWorkerError(`${this.name}: malformed meter data in reply`), true);
          return;
        }
        reply = message.subarray(separator + 1);
      }
      this.current = undefined;
      exchange.resolve(reply.slice());
      this.pump();
    } else if (kind === ERROR) {
      this.current = undefined;
      exchange.reject(new XsException(decoder.decode(message.subarray(1))));
      this.pump();
    } else if (kind === QUERY) {
      this.serveRequest(message.slice(1));
    } else {
      this.fail(new XsWorkerError(`${this.name}: unknown reply prefix 0x${kind.toString(16)}`), true);
    }
  }

  private serveRequest(request: Uint8Array): void {
    let reply: Uint8Array | Promise<Uint8Array>;
    try {
      reply = this.onRequest(request);
    } catch (error) {
      this.fail(new XsWorkerError(`${this.name}: request handler threw: ${(error as Error).message}`), true);
      return;
    }
    Promise.resolve(reply).then(
      (bytes) => {
        if (this.failure) return;
        if (!(bytes instanceof Uint8Array)) {
          this.fail(new XsWorkerError(`${this.name}: request handler returned no Uint8Array`), true);
          return;
        }
        this.toWorker.write(encodeNetstring(encoder.encode('/'), bytes));
      },
      (error: unknown) =>
        this.fail(new XsWorkerError(`${this.name}: request handler failed: ${(error as Error).message}`), true),
    );
  }

  /** Final: rejects the exchange in flight and every queued one; optionally kills the process. */
  private fail(error: XsWorkerError, kill: boolean): void {
    if (!this.failure) this.failure = error;
    const pending = [...(this.current ? [this.current] : []), ...this.queue.splice(0)];
    this.current = undefined;
    for (const e of pending) e.reject(this.failure);
    if (kill && this.process.exitCode === null && this.process.signalCode === null) this.process.kill('SIGKILL');
  }

  private stderrTail(): string {
    const tail = this.stderr.trim().slice(-600);
    return tail ? `; stderr: ${tail}` : '';
  }
}
