// Simulator timer host on Node timers (firmware/host/timers.ts). Every callback goes through the firmware
// dispatcher, so it never runs while another firmware callback (or its XS Promise) is still running.
// For deterministic tests use VirtualClock (./clock), which is a TimerHost too.
import type { TimerHost, TimerId } from '../../../firmware/host/timers';
import { FirmwareDispatcher } from './dispatch';

export { VirtualClock } from './clock';

export interface RealTimers extends TimerHost {
  /** Clears every timer (simulated reboot or shutdown), so the process can exit. */
  clearAll(): void;
  readonly pending: number;
}

export function createRealTimers(dispatcher: FirmwareDispatcher = new FirmwareDispatcher()): RealTimers {
  const live = new Map<TimerId, NodeJS.Timeout>();
  let nextId = 1;

  const checkCallback = (callback: unknown): void => {
    if (typeof callback !== 'function') throw new TypeError('timer callback must be a function');
  };

  return {
    setTimeout(callback, ms) {
      checkCallback(callback);
      if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`setTimeout delay must be >= 0, got ${ms}`);
      const id = nextId++;
      live.set(
        id,
        setTimeout(() => {
          // Checked when it runs, not when Node fires it: a callback queued behind a slow one (an XS Promise)
          // and cleared meanwhile must not run.
          dispatcher.post(() => {
            if (!live.delete(id)) return undefined;
            return callback();
          });
        }, ms),
      );
      return id;
    },
    setInterval(callback, ms) {
      checkCallback(callback);
      if (!Number.isFinite(ms) || ms <= 0) throw new RangeError(`setInterval period must be > 0, got ${ms}`);
      const id = nextId++;
      live.set(
        id,
        setInterval(() => {
          // Same check as above for a tick queued behind a slow callback.
          dispatcher.post(() => (live.has(id) ? callback() : undefined));
        }, ms),
      );
      return id;
    },
    clear(id) {
      const handle = live.get(id);
      if (handle === undefined) return;
      clearTimeout(handle); // clearTimeout also clears intervals in Node
      live.delete(id);
    },
    clearAll() {
      for (const handle of live.values()) clearTimeout(handle);
      live.clear();
    },
    get pending() {
      return live.size;
    },
  };
}
