// ESP32 log, clock, device, button and console-UART hosts (firmware/host/{log,clock,device,button,uart}.ts) on
// the small native system binding native/system/system_xs.c (esp_log, esp_timer, SNTP, esp_read_mac,
// esp_chip_info, esp_restart, GPIO, UART0).

import type { ButtonEvent, ButtonHost } from '../button';
import type { ClockHost } from '../clock';
import type { DeviceHost } from '../device';
import type { LogHost, LogLevel } from '../log';
import type { TimerHost } from '../timers';
import type { UartHost } from '../uart';
import { bytes } from './status';

class NativeSystem extends Native('xs_nc_system_destructor') {
  constructor() {
    super();
    native('xs_nc_system_constructor').call(this);
  }
  log(level: number, tag: string, message: string): void {
    native('xs_nc_system_log').call(this, level, tag, message);
  }
  monotonicMs(): number {
    return native('xs_nc_system_monotonic_ms').call(this);
  }
  wallMs(): number | undefined {
    return native('xs_nc_system_wall_ms').call(this);
  }
  startSntp(server: string): void {
    native('xs_nc_system_start_sntp').call(this, server);
  }
  mac(): ArrayBuffer {
    return native('xs_nc_system_mac').call(this);
  }
  chipModel(): string {
    return native('xs_nc_system_chip_model').call(this);
  }
  restart(): void {
    native('xs_nc_system_restart').call(this);
  }
  freeHeap(): number {
    return native('xs_nc_system_free_heap').call(this);
  }
  gpioInput(pin: number): void {
    native('xs_nc_system_gpio_input').call(this, pin);
  }
  gpioRead(pin: number): number {
    return native('xs_nc_system_gpio_read').call(this, pin);
  }
  uartOpen(onData: (data: ArrayBuffer) => void): void {
    native('xs_nc_uart_open').call(this, onData);
  }
  uartWrite(data: Uint8Array): void {
    native('xs_nc_uart_write').call(this, data);
  }
  uartClose(): void {
    native('xs_nc_uart_close').call(this);
  }
}

const LEVELS: Record<LogLevel, number> = Object.freeze({ error: 1, warn: 2, info: 3, debug: 4 });

export class Esp32System implements LogHost, ClockHost, DeviceHost {
  readonly #native = new NativeSystem();

  write(level: LogLevel, tag: string, message: string): void {
    this.#native.log(LEVELS[level], tag, message); // UART0 when the IDF console is on (-i builds)
    trace(`${level} ${tag}: ${message}\n`); // xsbug in -d builds; a no-op without a debugger
  }
  monotonicMs(): number {
    return this.#native.monotonicMs();
  }
  wallMs(): number | undefined {
    return this.#native.wallMs();
  }
  /** Starts SNTP polling (needed before TLS: certificate validity is checked against this clock). */
  startSntp(server: string): void {
    this.#native.startSntp(server);
  }
  mac(): Uint8Array {
    return bytes(this.#native.mac());
  }
  chipModel(): string {
    return this.#native.chipModel();
  }
  restart(): void {
    this.#native.restart();
  }
  freeHeapBytes(): number {
    return this.#native.freeHeap();
  }
  open(onData: (data: Uint8Array) => void): void {
    this.#native.uartOpen((data) => onData(bytes(data)));
  }
  close(): void {
    this.#native.uartClose();
  }
  gpioInput(pin: number): void {
    this.#native.gpioInput(pin);
  }
  gpioRead(pin: number): number {
    return this.#native.gpioRead(pin);
  }
  /** UartHost.write (bytes); LogHost.write has the (level, tag, message) signature above. */
  uartWrite(data: Uint8Array): void {
    this.#native.uartWrite(data);
  }
}

/** UART0 console as a UartHost (separate object: LogHost and UartHost both name their method `write`). */
export class Esp32UartHost implements UartHost {
  constructor(private readonly system: Esp32System) {}
  open(onData: (data: Uint8Array) => void): void {
    this.system.open(onData);
  }
  write(data: Uint8Array): void {
    this.system.uartWrite(data);
  }
  close(): void {
    this.system.close();
  }
}

// Boot button: sampled every 20 ms, a level must hold for 2 samples (debounce). Active low (GPIO0 to ground).
const SAMPLE_MS = 20;
const SHORT_MAX_MS = 3000;
const LONG_MS = 10000;

export class Esp32ButtonHost implements ButtonHost {
  #callbacks: ((event: ButtonEvent) => void)[] = [];
  #stable = 1;
  #candidate = 1;
  #pressedAt = 0;
  #longSent = false;

  constructor(private readonly system: Esp32System, timers: TimerHost, private readonly pin = 0) {
    system.gpioInput(pin);
    timers.setInterval(() => this.#sample(), SAMPLE_MS);
  }

  onEvent(callback: (event: ButtonEvent) => void): void {
    this.#callbacks.push(callback);
  }

  #sample(): void {
    const level = this.system.gpioRead(this.pin);
    if (level !== this.#candidate) {
      this.#candidate = level; // first sample of a new level: wait for confirmation
      return;
    }
    const now = this.system.monotonicMs();
    if (level !== this.#stable) {
      this.#stable = level;
      if (level === 0) {
        this.#pressedAt = now;
        this.#longSent = false;
      } else if (!this.#longSent && now - this.#pressedAt < SHORT_MAX_MS) {
        this.#emit('short');
      }
    } else if (level === 0 && !this.#longSent && now - this.#pressedAt >= LONG_MS) {
      this.#longSent = true; // reported while still held
      this.#emit('long');
    }
  }

  #emit(event: ButtonEvent): void {
    for (const cb of this.#callbacks) cb(event);
  }
}
