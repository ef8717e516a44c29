// createNodeHost: assembles a full firmware/host `Host` from the Node simulator providers in this folder.
// BLE and Wi-Fi come from options (tools/sim/ble, tools/sim/wifi-world); a part that was not supplied is a
// placeholder that throws a clear error on first use, so a test that does not need the radio does not build one.
import type { BlePeripheralHost } from '../../../firmware/host/ble';
import type { Host } from '../../../firmware/host/index';
import type { LogHost } from '../../../firmware/host/log';
import type { UartHost } from '../../../firmware/host/uart';
import type { WifiStationHost } from '../../../firmware/host/wifi';
import { SimButton } from './button';
import { VirtualClock, createRealClock, type RealClock } from './clock';
import { createNodeCryptoHost, scriptedRandom, type RandomSource } from './crypto';
import { createSimDevice, type SimDevice, type SimDeviceOptions } from './device';
import { FirmwareDispatcher, type DispatchErrorHandler } from './dispatch';
import { CaptureLog, createStderrLog } from './log';
import { SimNvs, type SimNvsOptions } from './nvs';
import { createNodeSocketHost, type NodeSocketHost, type NodeSocketHostOptions } from './socket';
import { createRealTimers, type RealTimers } from './timers';
import { MemoryUart, createStreamUart, type StreamUartOptions } from './uart';

export interface NodeHostOptions {
  /** A random source, or byte strings to hand out first (then system randomness), for pinned vectors. */
  random?: RandomSource | Uint8Array[];
  /** An existing SimNvs (to keep "flash" across simulated reboots), or options for a new one. */
  nvs?: SimNvs | SimNvsOptions;
  /** 'real' (default): Node timers and performance.now/Date.now. 'virtual' or a VirtualClock: deterministic. */
  clock?: 'real' | 'virtual' | VirtualClock;
  /** Only for clock 'real': false starts with the wall clock unsynced. Default true. */
  wallSynced?: boolean;
  /** 'stderr' (default), 'capture' (a CaptureLog), or any LogHost. */
  log?: 'stderr' | 'capture' | LogHost;
  device?: SimDeviceOptions;
  /** 'stdio' (default, stdin/stdout), 'memory' (a MemoryUart), stream options, or any UartHost. */
  uart?: 'stdio' | 'memory' | StreamUartOptions | UartHost;
  socket?: Omit<NodeSocketHostOptions, 'dispatcher' | 'log'>;
  ble?: BlePeripheralHost;
  wifi?: WifiStationHost;
  /** What to do with an exception escaping a firmware callback (default: rethrown as an uncaught exception). */
  onCallbackError?: DispatchErrorHandler;
}

/** The Host plus the simulator's handles on it (to press the button, cut power, advance time, read logs). */
export interface NodeHost extends Host {
  sim: {
    dispatcher: FirmwareDispatcher;
    nvs: SimNvs;
    button: SimButton;
    device: SimDevice;
    socket: NodeSocketHost;
    /** Present with a virtual clock. */
    virtualClock?: VirtualClock;
    /** Present with the real clock. */
    realClock?: RealClock;
    realTimers?: RealTimers;
    /** Present with log 'capture'. */
    capture?: CaptureLog;
    /** Present with uart 'memory'. */
    memoryUart?: MemoryUart;
    /** Stops real timers, sockets and UART reception without calling firmware (simulated power-off or test
     * teardown). The same host can be handed to a freshly booted firmware afterwards. */
    shutdown(): void;
  };
}

/** A stand-in for a host part nobody supplied: any use throws, naming the option to pass. */
export function missingPart<T extends object>(name: string, hint: string): T {
  return new Proxy({} as T, {
    get(_target, property) {
      // Let Promise resolution, inspection and string conversion probe it without throwing.
      if (property === 'then' || typeof property === 'symbol' || property === 'toJSON') return undefined;
      throw new Error(`host.${name}.${String(property)}: no ${name} host was configured (${hint})`);
    },
  });
}

function isUartHost(value: unknown): value is UartHost {
  return typeof (value as UartHost)?.open === 'function' && typeof (value as UartHost)?.write === 'function';
}

export function createNodeHost(options: NodeHostOptions = {}): NodeHost {
  const dispatcher = new FirmwareDispatcher(options.onCallbackError);

  const random = Array.isArray(options.random) ? scriptedRandom(options.random) : options.random;
  const crypto = createNodeCryptoHost(random);

  const nvs = options.nvs instanceof SimNvs ? options.nvs : new SimNvs(options.nvs);

  let virtualClock: VirtualClock | undefined;
  let realClock: RealClock | undefined;
  let realTimers: RealTimers | undefined;
  if (options.clock === 'virtual' || options.clock instanceof VirtualClock) {
    virtualClock = options.clock instanceof VirtualClock ? options.clock : new VirtualClock();
  } else {
    realClock = createRealClock({ wallSynced: options.wallSynced ?? true });
    realTimers = createRealTimers(dispatcher);
  }
  const clock = (virtualClock ?? realClock)!;
  const timers = (virtualClock ?? realTimers)!;

  let capture: CaptureLog | undefined;
  let log: LogHost;
  if (options.log === 'capture') log = capture = new CaptureLog(clock);
  else if (options.log === undefined || options.log === 'stderr') log = createStderrLog({ clock });
  else log = options.log;

  const device = createSimDevice(options.device);
  const button = new SimButton(dispatcher);

  let memoryUart: MemoryUart | undefined;
  let uart: UartHost;
  if (options.uart === 'memory') uart = memoryUart = new MemoryUart(dispatcher);
  else if (options.uart === undefined || options.uart === 'stdio') uart = createStreamUart({ dispatcher });
  else if (isUartHost(options.uart)) uart = options.uart;
  else uart = createStreamUart({ ...options.uart, dispatcher });

  const socket = createNodeSocketHost({ ...options.socket, dispatcher, log });

  return {
    crypto,
    nvs,
    ble: options.ble ?? missingPart<BlePeripheralHost>('ble', 'pass options.ble, e.g. the tools/sim/ble simulator'),
    wifi: options.wifi ?? missingPart<WifiStationHost>('wifi', 'pass options.wifi, e.g. the tools/sim Wi-Fi world'),
    socket,
    timers,
    clock,
    log,
    device,
    button,
    uart,
    sim: {
      dispatcher,
      nvs,
      button,
      device,
      socket,
      virtualClock,
      realClock,
      realTimers,
      capture,
      memoryUart,
      shutdown() {
        realTimers?.clearAll();
        virtualClock?.clearAll();
        socket.shutdown();
        uart.close();
      },
    },
  };
}
