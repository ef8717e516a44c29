// The one seam between firmware and platform (design card: "firmware/host/"). Every firmware module receives the
// parts of Host it needs; none imports a platform API. Implementations:
// - ESP32: native C hosts (xsmc) listed in manifest.json;
// - simulator on Node: tools/sim/host (in-process, used by unit tests);
// - simulator on XS: firmware/host/xsnap (runs inside the xsnap worker, reaches tools/sim/host over its command pipe).

import type { BlePeripheralHost } from './ble';
import type { ButtonHost } from './button';
import type { ClockHost } from './clock';
import type { CryptoHost } from './crypto';
import type { DeviceHost } from './device';
import type { LogHost } from './log';
import type { NvsHost } from './nvs';
import type { SocketHost } from './socket';
import type { TimerHost } from './timers';
import type { UartHost } from './uart';
import type { WifiStationHost } from './wifi';

export interface Host {
  crypto: CryptoHost;
  nvs: NvsHost;
  ble: BlePeripheralHost;
  wifi: WifiStationHost;
  socket: SocketHost;
  timers: TimerHost;
  clock: ClockHost;
  log: LogHost;
  device: DeviceHost;
  button: ButtonHost;
  uart: UartHost;
}

export type { BlePeripheralHost, ButtonHost, ClockHost, CryptoHost, DeviceHost, LogHost, NvsHost, SocketHost, TimerHost, UartHost, WifiStationHost };
