// BlePeripheralHost inside the xsnap worker. The GATT callbacks are registered in the channel's callback table; the
// Node BLE simulator invokes them as commands. onWrite/onRead results travel back in the command reply, so on the
// Node side they arrive as a Promise (tools/sim/xs-bridge.ts): the simulator must await them.
import type { BleCallbacks, BlePeripheralHost, GattHandles } from '../ble';
import type { XsChannel } from './channel';

export function createXsBleHost(channel: XsChannel): BlePeripheralHost {
  const call = (method: string, args: unknown[]) => channel.request(`ble.${method}`, args);
  return {
    start(options, callbacks: BleCallbacks): GattHandles {
      const id = channel.register({
        invoke(method, a) {
          switch (method) {
            case 'onConnect':
              return callbacks.onConnect(a[0] as number, a[1] as Uint8Array);
            case 'onDisconnect':
              return callbacks.onDisconnect(a[0] as number, a[1] as number);
            case 'onMtu':
              return callbacks.onMtu(a[0] as number, a[1] as number);
            case 'onWrite':
              return callbacks.onWrite(a[0] as number, a[1] as number, a[2] as Uint8Array);
            case 'onRead':
              return callbacks.onRead(a[0] as number, a[1] as number, a[2] as number);
            default:
              throw new Error(`ble: unknown callback ${method}`);
          }
        },
      });
      try {
        return call('start', [options, id]) as GattHandles;
      } catch (error) {
        channel.unregister(id);
        throw error;
      }
    },
    startAdvertising: (advertisingData, scanResponseData, intervalMs) =>
      void call('startAdvertising', [advertisingData, scanResponseData, intervalMs]),
    stopAdvertising: () => void call('stopAdvertising', []),
    disconnect: (connection) => void call('disconnect', [connection]),
    completeWrite: (connection, status) => void call('completeWrite', [connection, status]),
    stop: () => void call('stop', []),
  };
}
