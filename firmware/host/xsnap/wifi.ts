// WifiStationHost inside the xsnap worker: station events and scan completions are callbacks in the channel table,
// invoked by the Node Wi-Fi simulator through the bridge. A scan's `done` is one-shot. The access point calls are
// synchronous requests (the Node side's RangeError comes back as a RangeError).
import type { WifiCallbacks, WifiScanErrorCode, WifiScanRecord, WifiStationHost, WifiStationInfo } from '../wifi';
import type { XsChannel } from './channel';

export function createXsWifiHost(channel: XsChannel): WifiStationHost {
  const call = (method: string, args: unknown[]) => channel.request(`wifi.${method}`, args);
  return {
    start(callbacks: WifiCallbacks) {
      const id = channel.register({
        invoke(method, a) {
          switch (method) {
            case 'onConnected':
              return callbacks.onConnected();
            case 'onGotIp':
              return callbacks.onGotIp(a[0] as string);
            case 'onLostIp':
              return callbacks.onLostIp();
            case 'onDisconnected':
              return callbacks.onDisconnected(a[0] as number);
            default:
              throw new Error(`wifi: unknown callback ${method}`);
          }
        },
      });
      try {
        call('start', [id]);
      } catch (error) {
        channel.unregister(id);
        throw error;
      }
    },
    setMode: (mode) => void call('setMode', [mode]),
    connect: (config) => void call('connect', [config]),
    disconnect: () => void call('disconnect', []),
    scan(options, done) {
      const id = channel.register({
        invoke(_method, a) {
          channel.unregister(id);
          return done(a[0] as WifiScanRecord[] | undefined, a[1] as WifiScanErrorCode | undefined);
        },
      });
      try {
        call('scan', [options, id]);
      } catch (error) {
        channel.unregister(id);
        throw error;
      }
    },
    stationInfo: () => call('stationInfo', []) as WifiStationInfo | undefined,
    mac: () => call('mac', []) as Uint8Array,
    startAccessPoint: (config) => void call('startAccessPoint', [config]),
    stopAccessPoint: () => void call('stopAccessPoint', []),
  };
}
