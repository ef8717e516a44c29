// Entry point of the simulator's Wi-Fi world: builds the WifiStationHost (station.ts) from a world file, an
// inline world object, or the default world (default-world.json), on the simulator's TimerHost.
import { fileURLToPath } from 'node:url';
import type { TimerHost } from '../../../firmware/host/timers';
import { SimWifiStation } from './station';
import { DEFAULT_WORLD_PATH, loadWorldFile, parseWorld, type WifiWorld } from './world';

export { SimWifiStation, type SimAccessPoint } from './station';
export { DEFAULT_WORLD_PATH, loadWorldFile, parseWorld, WorldError, type AccessPoint, type WifiWorld } from './world';

export interface CreateSimWifiOptions {
  timers: TimerHost;
  /** A world file path, a world object (validated), or nothing for the default world. */
  world?: string | unknown;
  mac?: Uint8Array;
}

export function createSimWifi(options: CreateSimWifiOptions): SimWifiStation {
  let world: WifiWorld;
  if (options.world === undefined) world = loadWorldFile(fileURLToPath(DEFAULT_WORLD_PATH));
  else if (typeof options.world === 'string') world = loadWorldFile(options.world);
  else world = parseWorld(options.world);
  return new SimWifiStation({ world, timers: options.timers, mac: options.mac });
}
