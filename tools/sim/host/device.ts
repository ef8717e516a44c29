// Simulated device identity and system services (firmware/host/device.ts): MAC and chip model from options,
// restart() delegated to the simulator (which reboots the firmware with the same NVS and fresh RAM), and a free
// heap figure that is a modelled number, not a measurement: Node has no ESP32 heap to measure.

export const SIM_CHIP_MODEL = 'sim';

/** Default free heap: 100 000 bytes, a nominal ESP32 (no PSRAM) figure with Wi-Fi station, NimBLE and the XS
 * machine up (a Moddable maintainer reports NimBLE alone costs about 32 KB, moddable-xs.md §3.1; TLS needs a
 * contiguous ~30 KB block, field-notes.md §2 item 9). It only lets firmware exercise its low-memory paths; pass
 * a function to script how it changes. */
export const SIM_DEFAULT_FREE_HEAP_BYTES = 100_000;

/** Locally administered, unicast default MAC 02:53:49:4d:00:01 ("SIM"). */
export const SIM_DEFAULT_MAC = new Uint8Array([0x02, 0x53, 0x49, 0x4d, 0x00, 0x01]);

export interface SimDeviceOptions {
  /** 6 bytes, or text like "24:6f:28:aa:bb:cc". */
  mac?: Uint8Array | string;
  chipModel?: string;
  /** A constant, or a function called on every freeHeapBytes(). */
  freeHeapBytes?: number | (() => number);
  /** Called by restart(). The simulator tears the firmware down and boots it again (same NVS, fresh RAM). */
  onRestart?: () => void;
}

export interface SimDevice {
  mac(): Uint8Array;
  chipModel(): string;
  /** On the chip esp_restart() never returns. Here it calls the simulator's hook and returns; firmware must not
   * rely on code after restart() running or not. Without a hook it throws, so a missing hook is not silent. */
  restart(): void;
  freeHeapBytes(): number;
  /** How many times restart() was called (for tests). */
  readonly restarts: number;
}

export function parseMac(mac: Uint8Array | string): Uint8Array {
  if (typeof mac === 'string') {
    const parts = mac.split(/[:-]/);
    if (parts.length !== 6 || !parts.every((p) => /^[0-9a-fA-F]{2}$/.test(p))) {
      throw new RangeError(`MAC "${mac}" is not six hex bytes`);
    }
    return new Uint8Array(parts.map((p) => parseInt(p, 16)));
  }
  if (!(mac instanceof Uint8Array) || mac.length !== 6) throw new RangeError('MAC must be 6 bytes');
  return new Uint8Array(mac);
}

export function createSimDevice(options: SimDeviceOptions = {}): SimDevice {
  const mac = parseMac(options.mac ?? SIM_DEFAULT_MAC);
  const heap = options.freeHeapBytes ?? SIM_DEFAULT_FREE_HEAP_BYTES;
  let restarts = 0;
  return {
    mac: () => new Uint8Array(mac),
    chipModel: () => options.chipModel ?? SIM_CHIP_MODEL,
    restart() {
      restarts++;
      if (!options.onRestart) throw new Error('device.restart(): the simulator supplied no onRestart hook');
      options.onRestart();
    },
    freeHeapBytes() {
      const value = typeof heap === 'function' ? heap() : heap;
      if (!Number.isInteger(value) || value < 0) throw new RangeError(`modelled free heap ${value} is not a byte count`);
      return value;
    },
    get restarts() {
      return restarts;
    },
  };
}
