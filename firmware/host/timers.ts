// Timer host. ESP32: esp_timer callbacks posted to the XS task (Moddable `timer`). Simulator: Node timers or a
// virtual clock (tests). Callbacks always run on the firmware's single thread, never re-entrantly.

export type TimerId = number;

export interface TimerHost {
  /** Calls `callback` once after `ms` (>= 0) milliseconds. */
  setTimeout(callback: () => void, ms: number): TimerId;
  /** Calls `callback` every `ms` (> 0) milliseconds until cleared. */
  setInterval(callback: () => void, ms: number): TimerId;
  /** Clearing an unknown or fired id is a no-op. */
  clear(id: TimerId): void;
}
