// Moddable entry on the board (and in the lin simulator): assembles firmware/host/index.ts Host from the ESP32
// hosts and boots the firmware (manifest.json creation.main). The BootConfig comes from mc/config (manifest
// "config", per product; docs/board.md "Per-product settings").

import config from 'mc/config';
import { demoApplication } from '../../../app/demo-application';
import { boot, type BootConfig } from '../../../boot';
import type { Host } from '../../index';
import { Esp32BleHost } from '../ble';
import { Esp32CryptoHost } from '../crypto';
import { Esp32NvsHost } from '../nvs';
import { Esp32SocketHost } from '../socket';
import { Esp32ButtonHost, Esp32System, Esp32UartHost } from '../system';
import { Esp32TimerHost } from '../timers';
import { Esp32WifiHost } from '../wifi';

const system = new Esp32System();
const timers = new Esp32TimerHost();
const host: Host = {
  crypto: new Esp32CryptoHost(),
  nvs: new Esp32NvsHost(),
  ble: new Esp32BleHost(),
  wifi: new Esp32WifiHost(),
  socket: new Esp32SocketHost(),
  timers,
  clock: system,
  log: system,
  device: system,
  button: new Esp32ButtonHost(system, timers),
  uart: new Esp32UartHost(system),
};
// Certificates are checked against the wall clock; SNTP keeps polling until the network is up.
system.startSntp('pool.ntp.org');
// The manifest's "config" is the product's BootConfig (firmware/app/config.ts); boot() validates it and fails
// loudly on a bad product configuration. The development image runs the demo application; a product passes its own
// (firmware/app/attributes.ts defineAttributes) here.
boot(host, config as unknown as BootConfig, demoApplication);
