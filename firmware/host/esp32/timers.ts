// ESP32 timer host: firmware/host/timers.ts on Moddable's `timer` module (callbacks run on the XS task, never
// re-entrantly). Ids are our own numbers so clearing a fired or unknown id is a no-op as the seam requires.

import Timer from 'timer';
import type { TimerHost, TimerId } from '../timers';

type ModdableTimer = ReturnType<typeof Timer.set>;

export class Esp32TimerHost implements TimerHost {
  #next = 1;
  // The SDK types a Moddable timer as an opaque `Timer` object (typings/timer.d.ts); keep whatever Timer.set returns.
  readonly #live = new Map<TimerId, ModdableTimer>();

  setTimeout(callback: () => void, ms: number): TimerId {
    const id = this.#next++;
    this.#live.set(id, Timer.set(() => {
      this.#live.delete(id); // fired: a later clear() must not touch the Moddable timer
      callback();
    }, Math.max(0, ms)));
    return id;
  }

  setInterval(callback: () => void, ms: number): TimerId {
    if (!(ms > 0)) throw new RangeError('setInterval: ms must be > 0');
    const id = this.#next++;
    this.#live.set(id, Timer.repeat(() => callback(), ms));
    return id;
  }

  clear(id: TimerId): void {
    const timer = this.#live.get(id);
    if (timer === undefined) return;
    this.#live.delete(id);
    Timer.clear(timer);
  }
}
