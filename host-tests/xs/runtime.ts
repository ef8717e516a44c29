// Test runtime INSIDE the xsnap worker (bundled into every host-tests/xs entry). Entries register tests with
// test(); host-tests/xs/harness.ts runs them one command at a time ('harness.run'), each test reports its outcome with
// a synchronous request ('harness.result'), and the run ends with 'harness.finish', which answers with the completion
// marker ('harness.done'): xsnap exits 0 even when a script throws, so the parent trusts only that marker.
import type { Host } from '../../firmware/host/index';
import { createXsHost, XsChannel } from '../../firmware/host/xsnap/index';
import { equal, toHex } from '../../firmware/util/bytes';

export const COMPLETION_MARKER = 'XS-HARNESS-COMPLETE';

export const channel = XsChannel.install();
let host: Host | undefined;
let inputValue: unknown;

type TestFn = () => unknown;
const tests = new Map<string, TestFn>();

/** The XS Host, served by the Node host the harness was given. */
export function xsHost(): Host {
  if (!host) host = createXsHost(channel);
  return host;
}

/** The `input` option the harness passed (decoded with firmware/host/xsnap/codec.ts: bytes stay Uint8Array). */
export function input<T>(): T {
  return inputValue as T;
}

export function test(name: string, fn: TestFn): void {
  if (tests.has(name)) throw new Error(`duplicate XS test '${name}'`);
  tests.set(name, fn);
}

/** Sends a value back to the harness (collected per test in XsTestResult.values). */
export function emit(value: unknown): void {
  channel.request('harness.emit', [value]);
}

export function assert(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(`assertion failed: ${message}`);
}

export function assertEqual<T>(actual: T, expected: T, message: string): void {
  if (actual !== expected) throw new Error(`${message}: expected ${String(expected)}, got ${String(actual)}`);
}

export function assertBytes(actual: Uint8Array, expected: Uint8Array, message: string): void {
  if (!(actual instanceof Uint8Array)) throw new Error(`${message}: not a Uint8Array`);
  if (!equal(actual, expected)) throw new Error(`${message}: expected ${toHex(expected)}, got ${toHex(actual)}`);
}

/** Runs fn and returns the error it threw (fails if it did not throw). */
export function assertThrows(fn: () => unknown, message: string): Error {
  try {
    fn();
  } catch (error) {
    return error as Error;
  }
  throw new Error(`${message}: did not throw`);
}

function describe(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}${error.stack ? `\n${error.stack}` : ''}`;
  return String(error);
}

channel.onCommand('harness.input', (value) => {
  inputValue = value;
});
channel.onCommand('harness.list', () => [...tests.keys()]);
channel.onCommand('harness.run', (name) => {
  const fn = tests.get(name as string);
  if (!fn) throw new Error(`no XS test '${String(name)}'`);
  const report = (ok: boolean, error?: unknown) =>
    channel.request('harness.result', [{ name, ok, error: ok ? undefined : describe(error) }]);
  let result: unknown;
  try {
    result = fn();
  } catch (error) {
    report(false, error);
    return;
  }
  // Async tests finish in a later promise job, possibly after host events the parent delivers as commands.
  Promise.resolve(result).then(
    () => report(true),
    (error: unknown) => report(false, error),
  );
});
channel.onCommand('harness.finish', () => {
  channel.request('harness.done', [{ marker: COMPLETION_MARKER, registered: tests.size }]);
  return COMPLETION_MARKER;
});

/** For runCasesOnBoth (harness.ts): registers every case as a test that emits the case's result. */
export function registerCases(cases: Record<string, (host: Host) => unknown>): void {
  for (const [name, fn] of Object.entries(cases)) {
    test(name, async () => emit(await fn(xsHost())));
  }
}
