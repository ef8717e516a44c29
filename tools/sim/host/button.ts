// Simulated boot button (firmware/host/button.ts). The C host debounces GPIO0 and classifies presses; here the
// simulator or a test says what happened with press('short' | 'long'). Not modelled: bounce, timing of the hold
// (a 'long' press is reported at once), presses while the firmware has not registered a callback (dropped, as a
// real press with no handler does nothing).
import type { ButtonEvent, ButtonHost } from '../../../firmware/host/button';
import { FirmwareDispatcher } from './dispatch';

export class SimButton implements ButtonHost {
  private readonly callbacks: ((event: ButtonEvent) => void)[] = [];

  constructor(private readonly dispatcher: FirmwareDispatcher = new FirmwareDispatcher()) {}

  onEvent(callback: (event: ButtonEvent) => void): void {
    if (typeof callback !== 'function') throw new TypeError('button callback must be a function');
    this.callbacks.push(callback);
  }

  /** Delivers one event through the firmware dispatcher (at once when the firmware is idle). */
  press(event: ButtonEvent): void {
    if (event !== 'short' && event !== 'long') throw new RangeError(`button event must be 'short' or 'long', got ${String(event)}`);
    for (const callback of this.callbacks) this.dispatcher.post(() => callback(event));
  }
}
