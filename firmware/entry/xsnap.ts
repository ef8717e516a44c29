// Simulator entry on the real XS engine (bundled by rollup.config.mjs to build/firmware.js and evaluated in an
// xsnap-worker): builds the XS Host over the worker's command pipe and boots the firmware when the parent
// (tools/sim/xs-bridge.ts) sends the 'boot' command with the JSON boot configuration.
import { demoApplication } from '../app/demo-application';
import { boot, type BootConfig } from '../boot';
import { createXsHost, XsChannel } from '../host/xsnap/index';

const channel = XsChannel.install();
const host = createXsHost(channel);
let booted = false;

channel.onCommand('boot', (config) => {
  if (booted) throw new Error('already booted (restart the worker to reboot)');
  booted = true;
  const device = boot(host, config as BootConfig, demoApplication);
  // The parent's completion check (tools/xs/firmware.ts XsBootStatus).
  return { status: 'booted', mode: device.mode, deviceName: device.deviceName, httpPort: device.httpPort() };
});
