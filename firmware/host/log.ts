// Log host: one line per call. ESP32: esp_log_write at the matching level (compiled-out levels are dropped in C).
// Simulator: stderr or a test sink. Firmware never passes secrets here: firmware/util/log.ts redacts first.

export type LogLevel = 'error' | 'warn' | 'info' | 'debug';

export interface LogHost {
  write(level: LogLevel, tag: string, message: string): void;
}
