// The Host for firmware running in an xsnap worker (XS 13.3; moddable-xs.md §10): every seam part in
// firmware/host/index.ts, reached through the worker's command pipe (channel.ts) and served by the Node hosts via
// tools/sim/xs-bridge.ts.
// Firmware code sees the same synchronous interfaces as on the chip and on Node.
import type { Host } from '../index';
import { createXsBleHost } from './ble';
import { XsChannel } from './channel';
import { createXsCryptoHost } from './crypto';
import { createXsNvsHost } from './nvs';
import { createXsSocketHost } from './socket';
import { createXsButtonHost, createXsClockHost, createXsDeviceHost, createXsLogHost, createXsUartHost } from './system';
import { createXsTimerHost } from './timers';
import { createXsWifiHost } from './wifi';

export { XsChannel };

export function createXsHost(channel: XsChannel): Host {
  return {
    crypto: createXsCryptoHost(channel),
    nvs: createXsNvsHost(channel),
    ble: createXsBleHost(channel),
    wifi: createXsWifiHost(channel),
    socket: createXsSocketHost(channel),
    timers: createXsTimerHost(channel),
    clock: createXsClockHost(channel),
    log: createXsLogHost(channel),
    device: createXsDeviceHost(channel),
    button: createXsButtonHost(channel),
    uart: createXsUartHost(channel),
  };
}
