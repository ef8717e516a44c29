// The small host parts inside the xsnap worker: clock, log, device, button, console UART. Each call is one
// synchronous request; button presses and UART input arrive as callback commands.
import type { ButtonEvent, ButtonHost } from '../button';
import type { ClockHost } from '../clock';
import type { DeviceHost } from '../device';
import type { LogHost } from '../log';
import type { UartHost } from '../uart';
import type { XsChannel } from './channel';

export function createXsClockHost(channel: XsChannel): ClockHost {
  return {
    monotonicMs: () => channel.request('clock.monotonicMs', []) as number,
    wallMs: () => channel.request('clock.wallMs', []) as number | undefined,
  };
}

export function createXsLogHost(channel: XsChannel): LogHost {
  return { write: (level, tag, message) => void channel.request('log.write', [level, tag, message]) };
}

export function createXsDeviceHost(channel: XsChannel): DeviceHost {
  return {
    mac: () => channel.request('device.mac', []) as Uint8Array,
    chipModel: () => channel.request('device.chipModel', []) as string,
    restart: () => void channel.request('device.restart', []),
    freeHeapBytes: () => channel.request('device.freeHeapBytes', []) as number,
  };
}

export function createXsButtonHost(channel: XsChannel): ButtonHost {
  return {
    onEvent(callback) {
      const id = channel.register({ invoke: (_m, a) => callback(a[0] as ButtonEvent) });
      channel.request('button.onEvent', [id]);
    },
  };
}

export function createXsUartHost(channel: XsChannel): UartHost {
  let openId: number | undefined;
  return {
    open(onData) {
      const id = channel.register({ invoke: (_m, a) => onData(a[0] as Uint8Array) });
      try {
        channel.request('uart.open', [id]);
      } catch (error) {
        channel.unregister(id);
        throw error;
      }
      openId = id;
    },
    write: (data) => void channel.request('uart.write', [data]),
    close() {
      channel.request('uart.close', []);
      if (openId !== undefined) channel.unregister(openId);
      openId = undefined;
    },
  };
}
