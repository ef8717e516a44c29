// Tests for the simulator clocks and timers (tools/sim/host/clock.ts, timers.ts, dispatch.ts): virtual time
// ordering, timers set by timers, no re-entrancy, unsynced wall clock, and the real-timer dispatcher.
import { describe, expect, it } from 'vitest';
import { VirtualClock, createRealClock } from '../../tools/sim/host/clock';
import { FirmwareDispatcher } from '../../tools/sim/host/dispatch';
import { createRealTimers } from '../../tools/sim/host/timers';

describe('VirtualClock', () => {
  it('fires due timers in time order, ties in scheduling order, and stops at the target', () => {
    const clock = new VirtualClock();
    const log: string[] = [];
    clock.setTimeout(() => log.push(`c@${clock.monotonicMs()}`), 30);
    clock.setTimeout(() => log.push(`a@${clock.monotonicMs()}`), 10);
    clock.setTimeout(() => log.push(`b@${clock.monotonicMs()}`), 10);
    clock.setTimeout(() => log.push('late'), 31);
    clock.advance(30);
    expect(log).toEqual(['a@10', 'b@10', 'c@30']);
    expect(clock.monotonicMs()).toBe(30);
    expect(clock.pending).toBe(1);
    clock.advance(1);
    expect(log.at(-1)).toBe('late');
  });

  it('fires timers set by timers inside the same advance, in time order', () => {
    const clock = new VirtualClock();
    const log: string[] = [];
    clock.setTimeout(() => {
      log.push(`outer@${clock.monotonicMs()}`);
      clock.setTimeout(() => log.push(`inner0@${clock.monotonicMs()}`), 0);
      clock.setTimeout(() => log.push(`inner5@${clock.monotonicMs()}`), 5);
    }, 10);
    clock.setTimeout(() => log.push(`other@${clock.monotonicMs()}`), 12);
    clock.advance(20);
    expect(log).toEqual(['outer@10', 'inner0@10', 'other@12', 'inner5@15']);
  });

  it('runs intervals on their period, and a clear from inside the callback stops them', () => {
    const clock = new VirtualClock();
    const ticks: number[] = [];
    const id = clock.setInterval(() => {
      ticks.push(clock.monotonicMs());
      if (ticks.length === 3) clock.clear(id);
    }, 100);
    clock.advance(1000);
    expect(ticks).toEqual([100, 200, 300]);
    expect(clock.pending).toBe(0);
    clock.clear(id); // unknown/fired ids are a no-op
    clock.clear(12345);
  });

  it('never runs callbacks re-entrantly: advance() inside a callback throws', () => {
    const clock = new VirtualClock();
    let depth = 0;
    let maxDepth = 0;
    let inner: unknown;
    clock.setTimeout(() => {
      depth++;
      maxDepth = Math.max(maxDepth, depth);
      try {
        clock.advance(10);
      } catch (error) {
        inner = error;
      }
      depth--;
    }, 1);
    clock.setTimeout(() => {
      depth++;
      maxDepth = Math.max(maxDepth, depth);
      depth--;
    }, 2);
    clock.advance(5);
    expect(String(inner)).toMatch(/inside a timer callback/);
    expect(maxDepth).toBe(1);
    expect(clock.monotonicMs()).toBe(5);
  });

  it('propagates a callback exception, leaving the other timers scheduled', () => {
    const clock = new VirtualClock();
    const fired: number[] = [];
    clock.setTimeout(() => {
      throw new Error('boom');
    }, 10);
    clock.setTimeout(() => fired.push(clock.monotonicMs()), 20);
    expect(() => clock.advance(50)).toThrow('boom');
    expect(clock.monotonicMs()).toBe(10);
    clock.advance(40);
    expect(fired).toEqual([20]);
  });

  it('runUntil stops as soon as the condition holds, and throws after maxMs', () => {
    const clock = new VirtualClock();
    let connected = false;
    clock.setTimeout(() => (connected = true), 1500);
    expect(clock.runUntil(() => connected, 5000)).toBe(1500);
    expect(clock.monotonicMs()).toBe(1500);
    expect(() => clock.runUntil(() => false, 1000)).toThrow(/still false after 1000 ms/);
    expect(clock.monotonicMs()).toBe(2500);
  });

  it('detects a timer that re-arms itself at the same instant forever', () => {
    const clock = new VirtualClock();
    const again = () => clock.setTimeout(again, 0);
    clock.setTimeout(again, 0);
    expect(() => clock.advance(1)).toThrow(/re-arms itself/);
  });

  it('keeps the wall clock undefined until setWall, then advances it with time', () => {
    const clock = new VirtualClock();
    expect(clock.wallMs()).toBeUndefined();
    clock.advance(1000);
    clock.setWall(1_700_000_000_000);
    clock.advance(250);
    expect(clock.wallMs()).toBe(1_700_000_000_250);
    expect(clock.monotonicMs()).toBe(1250);
  });

  it('rejects bad delays', () => {
    const clock = new VirtualClock();
    expect(() => clock.setTimeout(() => undefined, -1)).toThrow(RangeError);
    expect(() => clock.setInterval(() => undefined, 0)).toThrow(RangeError);
    expect(() => clock.advance(Number.NaN)).toThrow(RangeError);
  });

  it('advanceAsync awaits a callback that returns a Promise before firing the next one', async () => {
    const clock = new VirtualClock();
    const log: string[] = [];
    clock.setTimeout(async () => {
      log.push('a start');
      await new Promise((r) => setTimeout(r, 5));
      log.push('a end');
    }, 10);
    clock.setTimeout(() => log.push('b'), 10);
    await clock.advanceAsync(10);
    expect(log).toEqual(['a start', 'a end', 'b']);
    // The synchronous advance refuses a Promise-returning callback instead of silently overlapping it.
    clock.setTimeout(async () => undefined, 1);
    expect(() => clock.advance(1)).toThrow(/advanceAsync/);
  });

  it('runUntilAsync turns the event loop between timers, so real I/O can satisfy the condition', async () => {
    const clock = new VirtualClock();
    let done = false;
    // At virtual 100 ms the firmware starts something that completes on the Node event loop (like socket I/O).
    clock.setTimeout(() => void setImmediate(() => (done = true)), 100);
    clock.setInterval(() => undefined, 10);
    expect(await clock.runUntilAsync(() => done, 1000)).toBe(100);
    // The synchronous runUntil cannot see it: the event loop never turns inside it.
    done = false;
    clock.setTimeout(() => void setImmediate(() => (done = true)), 100);
    expect(() => clock.runUntil(() => done, 500)).toThrow(/still false/);
  });
});

describe('real clock and timers', () => {
  it('monotonic never goes back; wall can start unsynced', () => {
    const clock = createRealClock({ wallSynced: false });
    const a = clock.monotonicMs();
    const b = clock.monotonicMs();
    expect(b).toBeGreaterThanOrEqual(a);
    expect(clock.wallMs()).toBeUndefined();
    clock.setWall();
    expect(Math.abs(clock.wallMs()! - Date.now())).toBeLessThan(50);
  });

  it('fires timeouts in order, clears, and never overlaps a callback still running in a worker', async () => {
    const dispatcher = new FirmwareDispatcher();
    const timers = createRealTimers(dispatcher);
    const log: string[] = [];
    let running = 0;
    let overlap = false;
    const slow = () => {
      // Models the XS bridge: the callback returns a Promise that settles when the worker finished.
      running++;
      if (running > 1) overlap = true;
      log.push('slow start');
      return new Promise<void>((r) =>
        setTimeout(() => {
          log.push('slow end');
          running--;
          r();
        }, 30),
      ) as unknown as void;
    };
    timers.setTimeout(slow, 1);
    timers.setTimeout(() => {
      if (running > 0) overlap = true;
      log.push('fast');
    }, 5);
    const cleared = timers.setTimeout(() => log.push('cleared'), 10);
    // Cleared while queued behind the slow callback: must not run.
    setTimeout(() => timers.clear(cleared), 15);
    await new Promise((r) => setTimeout(r, 80));
    expect(log).toEqual(['slow start', 'slow end', 'fast']);
    expect(overlap).toBe(false);
    expect(timers.pending).toBe(0);
  });

  it('runs intervals until cleared', async () => {
    const timers = createRealTimers();
    let n = 0;
    const id = timers.setInterval(() => {
      if (++n === 3) timers.clear(id);
    }, 2);
    await new Promise((r) => setTimeout(r, 60));
    expect(n).toBe(3);
  });
});

describe('FirmwareDispatcher', () => {
  it('queues a callback posted from inside another (no re-entrancy) and runs idle posts synchronously', () => {
    const d = new FirmwareDispatcher();
    const log: string[] = [];
    d.post(() => {
      log.push('outer start');
      d.post(() => log.push('inner'));
      log.push('outer end');
    });
    expect(log).toEqual(['outer start', 'outer end', 'inner']);
  });

  it('request() resolves with an awaited result', async () => {
    const d = new FirmwareDispatcher();
    await expect(d.request(() => Promise.resolve(42))).resolves.toBe(42);
    await expect(d.request(() => 7)).resolves.toBe(7);
    await expect(
      d.request(() => {
        throw new Error('x');
      }),
    ).rejects.toThrow('x');
  });

  it('hands an exception from a posted callback to onError and keeps going', () => {
    const errors: unknown[] = [];
    const d = new FirmwareDispatcher((e) => errors.push(e));
    const log: string[] = [];
    d.post(() => {
      throw new Error('bad');
    });
    d.post(() => log.push('next'));
    expect(log).toEqual(['next']);
    return Promise.resolve().then(() => expect(String(errors[0])).toContain('bad'));
  });
});
