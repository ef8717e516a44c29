// Ambient typing of the one Moddable SDK runtime module the ESP32 glue imports (timers.ts), matching the SDK's
// typings/timer.d.ts so the project's own typecheck (tsconfig.json) covers the glue. mcconfig builds use the
// SDK's declaration instead (this folder is not listed in manifest.json).
declare module 'timer' {
  // Opaque handle, as in the SDK (a host object there, not a number).
  class Timer {
    private constructor();
    static set(callback: (timer: Timer) => void, interval?: number, repeat?: number): Timer;
    static repeat(callback: (timer: Timer) => void, interval: number): Timer;
    static clear(timer: Timer | undefined | null): void;
  }
  export default Timer;
}

// Build-time configuration (manifest "config", merged with `mcconfig ... key=value` arguments; frozen).
declare module 'mc/config' {
  const config: Record<string, unknown>;
  export default config;
}

// XS global (SDK xs/includes/xs.d.ts): prints to xsbug in debug builds, does nothing without a debugger.
declare const trace: (...log: (string | number | boolean)[]) => void;
