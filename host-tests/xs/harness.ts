// Runs TypeScript test entries on the real XS engine (xsnap-worker, XS 13.3: the XS that CI has, moddable-xs.md §8,
// §10) with the XS provider bridged to a Node Host (tools/sim/xs-bridge.ts). An entry imports host-tests/xs/runtime.ts
// and registers tests; the harness bundles it (tools/build/bundle.mjs plugins: one IIFE script), evaluates it, runs
// each test, and requires the completion marker.
// Infrastructure failures (XS exception while loading, worker death, missing marker, uncaught errors in firmware
// callbacks, timeouts) throw XsHarnessError; test failures are returned in the results (see expectAllPassed).
import { mkdirSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Host } from '../../firmware/host/index';
import { XsBridge, type ExtraOp } from '../../tools/sim/xs-bridge';
import { XsWorker, type MeterUsage } from '../../tools/xs/worker';
import { bundleXsEntry, XsFirmwareError } from '../../tools/xs/firmware';

export { bundleXsEntry, startFirmwareOnXs, type XsFirmware } from '../../tools/xs/firmware';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '..', '..');
const COMPLETION_MARKER = 'XS-HARNESS-COMPLETE'; // runtime.ts

/** Infrastructure failures (the same class tools/xs/firmware.ts throws). */
export const XsHarnessError = XsFirmwareError;
export type XsHarnessError = XsFirmwareError;

export interface XsHarnessOptions {
  /** Node host parts the XS provider reaches; a part left out answers every call with an error. */
  host?: Partial<Host>;
  /** Handed to the entry before any test runs (runtime.ts input()). */
  input?: unknown;
  /** Per test, including its asynchronous part. Default 20 s. */
  timeoutMs?: number;
  /** Computron limit per exchange (xsnap -l); default none. */
  meteringLimit?: number;
  extraOps?: Record<string, ExtraOp>;
  /** Run only these tests (default: all, in registration order). */
  only?: string[];
}

export interface XsTestResult {
  name: string;
  ok: boolean;
  /** XS error name, message and stack when !ok. */
  error?: string;
  /** Computrons spent by this test (all exchanges from its start to its result, host events included). */
  compute: number;
  /** Values the test sent with runtime.ts emit(). */
  values: unknown[];
}

export interface XsRunResult {
  results: XsTestResult[];
  passed: number;
  failed: number;
  /** Meter of the last exchange (heap figures are machine-wide). */
  meter: MeterUsage;
  /** Computrons spent evaluating the bundle (module top level). */
  loadCompute: number;
  bundleBytes: number;
  console: { level: string; text: string }[];
  stdout: string;
  stderr: string;
}

// ---------------------------------------------------------------------------------------------------------------
// Sessions.

/** A worker with an entry loaded and the bridge attached; for tests that drive the firmware step by step. */
export class XsSession {
  readonly results: XsTestResult[] = [];
  private doneReport: { marker: string; registered: number } | undefined;
  private current: { result: XsTestResult; settle: () => void } | undefined;
  loadCompute = 0;
  bundleBytes = 0;

  private readonly death: Promise<never>;

  private constructor(readonly worker: XsWorker, readonly bridge: XsBridge) {
    this.death = worker.exited.then(() => {
      throw new XsHarnessError(`xsnap worker died${this.stderrTail()}`);
    });
    this.death.catch(() => {}); // observed by runTest; a normal close must not become an unhandled rejection
  }

  static async start(entryTs: string, options: XsHarnessOptions = {}): Promise<XsSession> {
    const code = await bundleXsEntry(entryTs);
    const worker = new XsWorker({ name: `xs-test`, meteringLimit: options.meteringLimit });
    let session: XsSession | undefined;
    const extraOps: Record<string, ExtraOp> = {
      ...options.extraOps,
      'harness.result': (report) => session!.onResult(report as { name: string; ok: boolean; error?: string }),
      'harness.emit': (value) => session!.current?.result.values.push(value),
      'harness.done': (report) => {
        session!.doneReport = report as { marker: string; registered: number };
      },
    };
    const bridge = new XsBridge(worker, options.host ?? {}, { extraOps });
    session = new XsSession(worker, bridge);
    session.bundleBytes = code.length;
    try {
      await worker.evaluate(code);
      session.loadCompute = worker.lastMeter?.compute ?? 0;
      if (options.input !== undefined) await bridge.command('harness.input', options.input);
    } catch (error) {
      await worker.close().catch(() => {});
      throw new XsHarnessError(`${entryTs} failed to load on XS: ${(error as Error).message}${session.stderrTail()}`);
    }
    return session;
  }

  /** Sends a command to a handler the entry registered with channel.onCommand(). */
  command(kind: string, payload?: unknown): Promise<unknown> {
    return this.bridge.command(kind, payload);
  }

  async listTests(): Promise<string[]> {
    return (await this.bridge.command('harness.list')) as string[];
  }

  /** Runs one registered test to completion (its async part included). */
  async runTest(name: string, timeoutMs = 20_000): Promise<XsTestResult> {
    const result: XsTestResult = { name, ok: false, compute: 0, values: [] };
    const startCompute = this.worker.totalCompute;
    let timer: NodeJS.Timeout | undefined;
    const settled = new Promise<void>((resolvePromise, reject) => {
      this.current = { result, settle: resolvePromise };
      timer = setTimeout(() => reject(new XsHarnessError(`XS test '${name}' did not finish within ${timeoutMs} ms`)), timeoutMs);
    });
    try {
      await Promise.race([this.bridge.command('harness.run', name).then(() => settled), settled, this.death]);
    } catch (error) {
      throw error instanceof XsHarnessError ? error : new XsHarnessError(`XS test '${name}': ${(error as Error).message}`);
    } finally {
      clearTimeout(timer);
      this.current = undefined;
    }
    // Let events the test left queued (e.g. the last timer callback) run before charging the next test.
    await this.bridge.idle();
    result.compute = this.worker.totalCompute - startCompute;
    this.results.push(result);
    return result;
  }

  /** Ends the run: requires the completion marker and no uncaught firmware errors. */
  async finish(): Promise<void> {
    const reply = await this.bridge.command('harness.finish').catch((error: Error) => {
      throw new XsHarnessError(`harness.finish failed on XS: ${error.message}${this.stderrTail()}`);
    });
    if (reply !== COMPLETION_MARKER || this.doneReport?.marker !== COMPLETION_MARKER) {
      throw new XsHarnessError(`XS run ended without the completion marker${this.stderrTail()}`);
    }
    this.checkUncaught();
  }

  checkUncaught(): void {
    if (this.bridge.callbackErrors.length > 0) {
      const list = this.bridge.callbackErrors.map((e) => `${e.name}: ${e.message}`).join('\n  ');
      throw new XsHarnessError(`uncaught errors in firmware on XS:\n  ${list}`);
    }
  }

  get registeredCount(): number | undefined {
    return this.doneReport?.registered;
  }

  close(): Promise<void> {
    return this.worker.close();
  }

  stderrTail(): string {
    const tail = this.worker.stderr.trim().slice(-600);
    return tail ? `\nxsnap stderr: ${tail}` : '';
  }

  private onResult(report: { name: string; ok: boolean; error?: string }): void {
    const current = this.current;
    if (!current || current.result.name !== report.name) {
      this.bridge.callbackErrors.push(new XsHarnessError(`unexpected result for XS test '${report.name}'`));
      return;
    }
    current.result.ok = report.ok;
    if (report.error !== undefined) current.result.error = report.error;
    current.settle();
  }
}

/** Bundles and runs every test of an entry on XS; throws XsHarnessError on any infrastructure failure. */
export async function runXsTests(entryTs: string, options: XsHarnessOptions = {}): Promise<XsRunResult> {
  const session = await XsSession.start(entryTs, options);
  try {
    const names = options.only ?? (await session.listTests());
    for (const name of names) await session.runTest(name, options.timeoutMs);
    await session.finish();
    if (!options.only && session.registeredCount !== session.results.length) {
      throw new XsHarnessError(`XS registered ${session.registeredCount} tests but ${session.results.length} ran`);
    }
    const passed = session.results.filter((r) => r.ok).length;
    return {
      results: session.results,
      passed,
      failed: session.results.length - passed,
      meter: session.worker.lastMeter!,
      loadCompute: session.loadCompute,
      bundleBytes: session.bundleBytes,
      console: session.bridge.consoleLines,
      stdout: session.worker.stdout,
      stderr: session.worker.stderr,
    };
  } finally {
    await session.close();
  }
}

/** Throws one error listing every failed XS test (use inside a vitest test). */
export function expectAllPassed(run: XsRunResult): void {
  if (run.results.length === 0) throw new XsHarnessError('no XS test ran');
  const failures = run.results.filter((r) => !r.ok);
  if (failures.length) {
    throw new XsHarnessError(`${failures.length} XS test(s) failed:\n${failures.map((f) => `- ${f.name}: ${f.error}`).join('\n')}`);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Same logic on both engines.

export type XsCases = Record<string, (host: Host) => unknown>;

/**
 * Runs the cases exported as `exportName` by `moduleTs` (a Record<string, (host) => value | Promise<value>>) once on
 * Node with `nodeHost` and once on XS with the XS provider bridged to `xsHost` (default: nodeHost), and returns both
 * result maps (values pass through the XS codec, so Uint8Arrays compare byte for byte with toEqual). A case that
 * throws yields {error: "<name>: <message>"} on either engine.
 */
export async function runCasesOnBoth(
  moduleTs: string,
  exportName: string,
  options: XsHarnessOptions & { nodeHost: Host; xsHost?: Partial<Host> },
): Promise<{ node: Record<string, unknown>; xs: Record<string, unknown> }> {
  const modulePath = resolve(root, moduleTs);
  const cases = (await import(pathToFileURL(modulePath).href))[exportName] as XsCases | undefined;
  if (!cases || typeof cases !== 'object') throw new XsHarnessError(`${moduleTs} exports no '${exportName}' cases`);
  const node: Record<string, unknown> = {};
  for (const [name, fn] of Object.entries(cases)) {
    try {
      node[name] = await fn(options.nodeHost);
    } catch (error) {
      node[name] = { error: `${(error as Error).name}: ${(error as Error).message}` };
    }
  }

  // A generated entry that registers the same cases with the XS runtime.
  const genDir = join(root, 'build', 'xs-tests');
  mkdirSync(genDir, { recursive: true });
  const hash = createHash('sha256').update(`${modulePath}#${exportName}`).digest('hex').slice(0, 12);
  const entry = join(genDir, `cases-${hash}.ts`);
  const runtime = join(here, 'runtime');
  writeFileSync(
    entry,
    `// generated by host-tests/xs/harness.ts runCasesOnBoth\n` +
      `import { ${exportName} as cases } from ${JSON.stringify(modulePath.replace(/\.ts$/, ''))};\n` +
      `import { registerCases, xsHost } from ${JSON.stringify(runtime)};\n` +
      `import { encodeError } from ${JSON.stringify(join(root, 'firmware', 'host', 'xsnap', 'codec'))};\n` +
      `registerCases(Object.fromEntries(Object.entries(cases).map(([n, f]) => [n, async () => {\n` +
      `  try { return await (f as (h: unknown) => unknown)(xsHost()); }\n` +
      `  catch (e) { const x = encodeError(e); return { error: x.name + ': ' + x.message }; }\n` +
      `}])));\n`,
  );
  const run = await runXsTests(entry, { ...options, host: options.xsHost ?? options.nodeHost });
  expectAllPassed(run);
  const xs: Record<string, unknown> = {};
  for (const r of run.results) xs[r.name] = r.values[0];
  return { node, xs };
}

