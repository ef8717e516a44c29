// Unit tests of XsWorker (tools/xs/worker.ts) against the real xsnap-worker, plus a fake worker binary for replies
// the real one never sends (malformed framing, unknown prefixes).
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { XsException, XsWorker, XsWorkerError } from '../../tools/xs/worker';

const text = (s: string) => new TextEncoder().encode(s);
const str = (b: Uint8Array) => new TextDecoder().decode(b);
const workers: XsWorker[] = [];
function start(options: ConstructorParameters<typeof XsWorker>[0] = {}): XsWorker {
  const w = new XsWorker(options);
  workers.push(w);
  return w;
}
afterEach(async () => {
  for (const w of workers.splice(0)) {
    w.kill();
    await w.exited;
  }
});

describe('XsWorker on xsnap-worker', () => {
  test('evaluate returns an ArrayBuffer completion value and meter usage', async () => {
    const w = start();
    const reply = await w.evaluate('new TextEncoder().encode("XS " + (1n << 70n)).buffer');
    expect(str(reply)).toBe('XS 1180591620717411303424');
    expect(w.lastMeter!.compute).toBeGreaterThan(0);
    expect(w.lastMeter!.allocate).toBeGreaterThan(0);
    expect(w.lastMeter!.currentHeapCount).toBeGreaterThan(0);
    expect(str(await w.evaluate('1 + 1'))).toBe(''); // non-ArrayBuffer results give an empty reply
  });

  test('an exception in evaluated code rejects with its message; the worker stays usable', async () => {
    const w = start();
    await expect(w.evaluate('throw new RangeError("bad thing")')).rejects.toThrow(new XsException('RangeError: bad thing'));
    await expect(w.evaluate('syntax error here')).rejects.toThrow(XsException);
    await w.isReady();
  });

  test('command calls handleCommand; issueCommand is served synchronously by onRequest (sync or async)', async () => {
    const w = start({
      onRequest: (request) => {
        const s = str(request);
        return s.startsWith('async:') ? Promise.resolve(text(`A(${s})`)) : text(`S(${s})`);
      },
    });
    await w.evaluate(`
      const enc = new TextEncoder(), dec = new TextDecoder();
      globalThis.handleCommand = (ab) => {
        const s = dec.decode(ab);
        const a = dec.decode(issueCommand(enc.encode('sync:' + s).buffer));
        const b = dec.decode(issueCommand(enc.encode('async:' + s).buffer));
        return enc.encode(a + '|' + b).buffer;
      };`);
    // Three commands at once: each is written only after the previous answer, so replies never interleave.
    const replies = await Promise.all(['x', 'y', 'z'].map((s) => w.command(text(s))));
    expect(replies.map(str)).toEqual(['S(sync:x)|A(async:x)', 'S(sync:y)|A(async:y)', 'S(sync:z)|A(async:z)']);
  });

  test('promise jobs are drained before the worker answers', async () => {
    const w = start({ onRequest: (r) => r });
    const reply = await w.evaluate(`
      globalThis.log = [];
      Promise.resolve().then(() => log.push('job')).then(() => issueCommand(new ArrayBuffer(1)));
      log.push('sync');
      ({ get result() { return new TextEncoder().encode(log.join()).buffer; } })`);
    // The `result` getter is read after the jobs ran (xsnap-worker.c reads it after fxRunLoop).
    expect(str(reply)).toBe('sync,job');
  });

  test('command without a handleCommand global rejects with the XS error', async () => {
    const w = start();
    await expect(w.command(text('x'))).rejects.toThrow(XsException);
  });

  test('a throwing request handler kills the worker with a clear error', async () => {
    const w = start({ onRequest: () => { throw new Error('host exploded'); } });
    await expect(w.evaluate('issueCommand(new ArrayBuffer(0))')).rejects.toThrow(/request handler threw: host exploded/);
    await expect(w.isReady()).rejects.toThrow(XsWorkerError);
    expect(w.alive).toBe(false);
  });

  test('worker death rejects the exchange in flight and everything queued', async () => {
    const w = start();
    // An exception escaping a setImmediate callback aborts the XS machine.
    const first = w.evaluate('setImmediate(() => { throw new Error("fatal in immediate"); }); 0');
    const second = w.isReady();
    await expect(first).rejects.toThrow(/exited with exit code/);
    await expect(second).rejects.toThrow(XsWorkerError);
    await expect(w.evaluate('1')).rejects.toThrow(XsWorkerError);
  });

  test('a metering limit stops runaway code', async () => {
    const w = start({ meteringLimit: 100_000 });
    await expect(w.evaluate('for (;;) {}')).rejects.toThrow(/too much computation/);
  });

  test('close() quits after the queued exchanges', async () => {
    const w = start();
    const pending = w.evaluate('new TextEncoder().encode("done").buffer');
    await w.close();
    expect(str(await pending)).toBe('done');
    expect((await w.exited).code).toBe(0);
  });
});

describe('XsWorker protocol errors (fake worker)', () => {
  function fakeWorker(reply: string): string {
    const dir = mkdtempSync(join(tmpdir(), 'fake-xsnap-'));
    const file = join(dir, 'fake-worker');
    // Reads one command from fd 3, answers with `reply` verbatim on fd 4, then waits.
    writeFileSync(
      file,
      `#!/usr/bin/env node\nconst fs = require('fs');\nfs.createReadStream(null, { fd: 3 }).once('data', () => fs.writeSync(4, ${JSON.stringify(reply)}));\nsetInterval(() => {}, 1000);\n`,
    );
    chmodSync(file, 0o755);
    return file;
  }

  test.each([
    ['3:abc;', /malformed reply: netstring: missing trailing comma/],
    ['x:', /malformed reply/],
    ['2:#x,', /unknown reply prefix 0x23/],
    ['0:,', /empty message/],
    ['8:.{bad}\u0001x,', /malformed meter data/],
  ])('reply %j is refused and the worker killed', async (reply, message) => {
    const w = start({ workerPath: fakeWorker(reply) });
    await expect(w.isReady()).rejects.toThrow(message);
    const { signal } = await w.exited;
    expect(signal).toBe('SIGKILL');
  });
});

describe('XsWorker.close', () => {
  test('kills a worker stuck in an exchange after the grace period', async () => {
    const w = start({ onRequest: () => new Promise<Uint8Array>(() => {}) }); // never answers
    const stuck = w.evaluate('issueCommand(new ArrayBuffer(0))');
    stuck.catch(() => {});
    await w.close(200);
    await expect(stuck).rejects.toThrow(XsWorkerError);
    expect(w.alive).toBe(false);
  });

  test('close() from idle quits at once: a command issued right after is refused, never read as a reply', async () => {
    // Regression: close() used to write 'q' after an await, so a command issued in the same tick went out first;
    // the worker then blocked in issueCommand() read 'q' as its reply ("Received unexpected command reply").
    const w = start({ onRequest: () => new Promise<Uint8Array>((resolve) => setTimeout(() => resolve(text('late')), 20)) });
    await w.evaluate('globalThis.handleCommand = (m) => issueCommand(m)');
    const closing = w.close();
    await expect(w.command(text('b'))).rejects.toThrow(/closing/);
    await closing;
    expect((await w.exited).code).toBe(0);
    expect(w.stderr).not.toMatch(/unexpected/i);
  });

  test('close() waits for work in flight and for work that arrives meanwhile, then quits cleanly', async () => {
    const w = start({ onRequest: () => new Promise<Uint8Array>((resolve) => setTimeout(() => resolve(text('late')), 20)) });
    await w.evaluate('globalThis.handleCommand = (m) => issueCommand(m)');
    const inFlight = w.command(text('a'));
    const closing = w.close();
    const meanwhile = w.command(text('b'));
    expect(str(await inFlight)).toBe('late');
    expect(str(await meanwhile)).toBe('late');
    await closing;
    expect((await w.exited).code).toBe(0);
    expect(w.stderr).not.toMatch(/unexpected/i);
    await expect(w.command(text('c'))).rejects.toThrow(/closing|exited/);
  });
});
