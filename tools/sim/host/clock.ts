// Simulator clocks for firmware/host/clock.ts (and, for the virtual one, firmware/host/timers.ts too).
// Real: monotonic from performance.now() (ms since the host started, like esp_timer since boot), wall from
// Date.now(). Virtual: a deterministic clock for tests; time moves only when the test advances it, and the wall
// clock stays undefined ("SNTP not synced yet") until setWall(), so firmware must cope with unsynced time.
import { performance } from 'node:perf_hooks';
import type { ClockHost } from '../../../firmware/host/clock';
import type { TimerHost, TimerId } from '../../../firmware/host/timers';

export interface RealClockOptions {
  /** false: wallMs() answers undefined until setWall() is called (models a device before SNTP). Default true. */
  wallSynced?: boolean;
}

export interface RealClock extends ClockHost {
  /** Marks the wall clock synced (SNTP done); optionally with an offset so wall time = Date.now() + offsetMs. */
  setWall(offsetMs?: number): void;
}

export function createRealClock(options: RealClockOptions = {}): RealClock {
  const origin = performance.now();
  let synced = options.wallSynced ?? true;
  let offset = 0;
  return {
    monotonicMs: () => Math.floor(performance.now() - origin),
    wallMs: () => (synced ? Date.now() + offset : undefined),
    setWall(offsetMs = 0) {
      synced = true;
      offset = offsetMs;
    },
  };
}

interface VirtualTimer {
  id: TimerId;
  due: number;
  /** Scheduling order: ties on `due` fire in the order they were (re)scheduled. */
  seq: number;
  period: number | undefined;
  callback: () => unknown;
}

/** More callbacks than this inside one advance()/runUntil() means timers keep re-arming at the same instant. */
const MAX_CALLBACKS_PER_RUN = 1_000_000;

/**
 * Deterministic time for tests: one object serves as both the ClockHost and the TimerHost of a simulated device.
 * advance(ms) fires every timer that falls due within the window in time order (timers set by a callback fire in
 * the same advance if they fall due inside it); callbacks never run re-entrantly, and advance() from inside a
 * callback throws. An exception from a callback propagates out of advance()/runUntil(); the clock then stands
 * at that timer's due time and the remaining timers are still scheduled.
 * advanceAsync()/runUntilAsync() do the same but await a thenable returned by a callback (firmware running in an
 * xsnap worker) and let the Node event loop turn between callbacks, so real I/O can interleave.
 */
export class VirtualClock implements ClockHost, TimerHost {
  private now: number;
  private wall: number | undefined;
  private readonly timers = new Map<TimerId, VirtualTimer>();
  private nextId = 1;
  private nextSeq = 0;
  private firing = false;
  private asyncRun = false;

  constructor(options: { startMs?: number } = {}) {
    this.now = options.startMs ?? 0;
  }

  monotonicMs(): number {
    return this.now;
  }

  /** Undefined until setWall(): the device has not synced its wall clock yet. */
  wallMs(): number | undefined {
    return this.wall === undefined ? undefined : this.wall + this.now;
  }

  /** Sets the wall clock to `ms` (epoch milliseconds) now; it then advances with the monotonic clock. */
  setWall(ms: number): void {
    if (!Number.isFinite(ms)) throw new RangeError('setWall needs finite epoch milliseconds');
    this.wall = ms - this.now;
  }

  /** Back to "not synced". */
  clearWall(): void {
    this.wall = undefined;
  }

  setTimeout(callback: () => void, ms: number): TimerId {
    if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`setTimeout delay must be >= 0, got ${ms}`);
    return this.add(callback, ms, undefined);
  }

  setInterval(callback: () => void, ms: number): TimerId {
    if (!Number.isFinite(ms) || ms <= 0) throw new RangeError(`setInterval period must be > 0, got ${ms}`);
    return this.add(callback, ms, ms);
  }

  clear(id: TimerId): void {
    this.timers.delete(id);
  }

  /** Drops every timer (simulated reboot: the firmware that set them is gone). Time keeps its value. */
  clearAll(): void {
    this.timers.clear();
  }

  /** Timers still scheduled. */
  get pending(): number {
    return this.timers.size;
  }

  /** Due time of the earliest timer, or undefined when none is scheduled. */
  nextDue(): number | undefined {
    return this.earliest()?.due;
  }

  /** Moves time forward by `ms`, firing due timers in order. */
  advance(ms: number): void {
    this.checkWindow(ms);
    const target = this.now + ms;
    this.enter();
    try {
      for (let n = 0; ; n++) {
        const timer = this.earliest();
        if (!timer || timer.due > target) break;
        this.guard(n);
        this.fire(timer);
      }
      this.now = target;
    } finally {
      this.firing = false;
    }
  }

  /** Fires timers in order until `predicate` holds (checked first and after every callback). Returns the virtual
   * ms that passed. Throws if it still does not hold after `maxMs`, leaving the clock at start + maxMs. */
  runUntil(predicate: () => boolean, maxMs: number): number {
    this.checkWindow(maxMs);
    const start = this.now;
    const deadline = start + maxMs;
    this.enter();
    try {
      for (let n = 0; ; n++) {
        if (predicate()) return this.now - start;
        const timer = this.earliest();
        if (!timer || timer.due > deadline) break;
        this.guard(n);
        this.fire(timer);
      }
      this.now = deadline;
    } finally {
      this.firing = false;
    }
    if (predicate()) return this.now - start;
    throw new Error(`VirtualClock.runUntil: condition still false after ${maxMs} ms`);
  }

  /** advance() for firmware whose callbacks return Promises (XS bridge) or that waits on real I/O. */
  async advanceAsync(ms: number): Promise<void> {
    this.checkWindow(ms);
    this.enterAsync();
    try {
      await this.advanceAsyncInner(this.now + ms);
    } finally {
      this.asyncRun = false;
    }
  }

  private async advanceAsyncInner(target: number): Promise<void> {
    for (let n = 0; ; n++) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      const timer = this.earliest();
      if (!timer || timer.due > target) break;
      this.guard(n);
      await this.fireAsync(timer);
    }
    this.now = target;
  }

  /** runUntil() for asynchronous firmware; the predicate may itself be async. */
  async runUntilAsync(predicate: () => boolean | Promise<boolean>, maxMs: number): Promise<number> {
    this.checkWindow(maxMs);
    this.enterAsync();
    try {
      return await this.runUntilAsyncInner(predicate, maxMs);
    } finally {
      this.asyncRun = false;
    }
  }

  private async runUntilAsyncInner(predicate: () => boolean | Promise<boolean>, maxMs: number): Promise<number> {
    const start = this.now;
    const deadline = start + maxMs;
    for (let n = 0; ; n++) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      if (await predicate()) return this.now - start;
      const timer = this.earliest();
      if (!timer || timer.due > deadline) break;
      this.guard(n);
      await this.fireAsync(timer);
    }
    this.now = deadline;
    if (await predicate()) return this.now - start;
    throw new Error(`VirtualClock.runUntilAsync: condition still false after ${maxMs} ms`);
  }

  private add(callback: () => void, ms: number, period: number | undefined): TimerId {
    if (typeof callback !== 'function') throw new TypeError('timer callback must be a function');
    const id = this.nextId++;
    this.timers.set(id, { id, due: this.now + ms, seq: this.nextSeq++, period, callback });
    return id;
  }

  private earliest(): VirtualTimer | undefined {
    let best: VirtualTimer | undefined;
    for (const t of this.timers.values()) {
      if (!best || t.due < best.due || (t.due === best.due && t.seq < best.seq)) best = t;
    }
    return best;
  }

  /** Takes the timer off (or re-arms an interval) before calling it, so a throwing callback leaves a sane state
   * and a callback that clears its own interval really stops it. */
  private take(timer: VirtualTimer): void {
    this.now = timer.due;
    if (timer.period === undefined) {
      this.timers.delete(timer.id);
    } else {
      timer.due += timer.period;
      timer.seq = this.nextSeq++;
    }
  }

  private fire(timer: VirtualTimer): void {
    this.take(timer);
    const result = timer.callback();
    if (result && typeof (result as PromiseLike<unknown>).then === 'function') {
      throw new Error('a timer callback returned a Promise: drive this clock with advanceAsync()/runUntilAsync()');
    }
  }

  private async fireAsync(timer: VirtualTimer): Promise<void> {
    if (this.firing) throw new Error('VirtualClock: advance called from inside a timer callback');
    this.firing = true;
    try {
      this.take(timer);
      await timer.callback();
    } finally {
      this.firing = false;
    }
  }

  private enterAsync(): void {
    if (this.firing || this.asyncRun) throw new Error('VirtualClock: advanceAsync/runUntilAsync already running');
    this.asyncRun = true;
  }

  private enter(): void {
    if (this.asyncRun) throw new Error('VirtualClock: advance/runUntil called while an async run is in progress');
    if (this.firing) throw new Error('VirtualClock: advance/runUntil called from inside a timer callback');
    this.firing = true;
  }

  private checkWindow(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`VirtualClock: time window must be >= 0, got ${ms}`);
  }

  private guard(n: number): void {
    if (n >= MAX_CALLBACKS_PER_RUN) {
      throw new Error(`VirtualClock: more than ${MAX_CALLBACKS_PER_RUN} timer callbacks at ${this.now} ms (a timer re-arms itself with 0 ms?)`);
    }
  }
}
