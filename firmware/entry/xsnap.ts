// Simulator entry on the real XS engine (bundled by rollup.config.mjs to build/firmware.js and evaluated in an
// xsnap-worker): builds the XS Host over the worker's command pipe and boots the firmware when the parent
// (tools/sim/xs-bridge.ts) sends the 'boot' command with the JSON boot configuration.
import { DemoApp } from '../app/demo';
import { boot, type BootConfig, type BootExtras } from '../boot';
import { createXsHost, XsChannel } from '../host/xsnap/index';

/** The simulator runs the demo application (a simulated sensor and a writable switch, firmware/app/demo.ts). */
export const simulatorApplication: BootExtras = {
  application: ({ host, log, firmwareVersion }) =>
    new DemoApp({ timers: host.timers, clock: host.clock, crypto: host.crypto, wifi: host.wifi, logger: log, firmwareVersion }),
};

const channel = XsChannel.install();
const host = createXsHost(channel);
let booted = false;

channel.onCommand('boot', (config) => {
  if (booted) throw new Error('already booted (restart the worker to reboot)');
  booted = true;
  const device = boot(host, config as BootConfig, simulatorApplication);
  // The parent's completion check (tools/xs/firmware.ts XsBootStatus).
  return { status: 'booted', mode: device.mode, deviceName: device.deviceName, httpPort: device.httpPort() };
});
