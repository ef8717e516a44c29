// The boot flow, the same on the chip, on Node and on XS (issue 8): load the stored configuration; not provisioned
// -> start provisioning on the configured transports; provisioned -> join Wi-Fi and stay on it. The button: a long
// press is a factory reset (erase everything, reboot into provisioning); a short press re-opens provisioning for
// Wi-Fi only (a one-shot flag in NVS, then reboot: BLE controller memory is released after a run and only comes
// back with a reboot, see firmware/host/ble.ts).
import { validateBootConfig, type BootConfig } from './app/config';
import { ProvisioningService } from './app/provisioning';
import type { Host } from './host/index';
import { StationController } from './net/station';
import { WifiRouter } from './net/wifi-router';
import { CredentialStore, printableSsid, type WifiCredentials } from './provisioning/credentials';
import type { ProvEvent } from './provisioning/manager';
import { toHex, utf8Decode } from './util/bytes';
import { Logger, SecretRegistry } from './util/log';

export type { BootConfig } from './app/config';

const DEVICE_NAMESPACE = 'device';
const REPROVISION_FLAG = 'reprov';

export type DeviceMode = 'provisioning' | 'station';

/** What boot() hands back: enough for the simulator and tests to observe the device, nothing to drive it with
 * except the host (button, radio) — like a real board. */
export interface Device {
  readonly mode: DeviceMode;
  readonly provisioning: ProvisioningService | undefined;
  readonly station: StationController;
  readonly deviceName: string | undefined;
  /** Bound SoftAP/HTTP port while provisioning over HTTP runs. */
  httpPort(): number | undefined;
}

export function boot(host: Host, config: BootConfig): Device {
  const secrets = new SecretRegistry();
  const log = new Logger(host.log, 'boot', secrets, config.logLevel ?? 'info');
  validateBootConfig(config);
  const mac = toHex(host.device.mac()).replace(/(..)(?!$)/g, '$1:');
  log.info(`chip ${host.device.chipModel()}, mac ${mac}`);

  const credentials = new CredentialStore({ nvs: host.nvs, log: log.child('creds') });
  const router = new WifiRouter(host.wifi);
  const station = new StationController({
    wifi: host.wifi,
    timers: host.timers,
    crypto: host.crypto,
    log: log.child('station'),
    firstRetryMs: config.station?.firstRetryMs,
    maxRetryMs: config.station?.maxRetryMs,
  });

  host.button.onEvent((event) => {
    if (event === 'long') {
      log.warn('factory reset (long press): erasing stored configuration');
      try {
        credentials.clear();
      } catch (e) {
        log.error(`factory reset: ${e instanceof Error ? e.message : String(e)}`);
      }
      host.device.restart();
    } else {
      log.info('re-opening provisioning (short press)');
      setReprovisionFlag(host, log, true);
      host.device.restart();
    }
  });

  const stored = credentials.load();
  const reprovision = takeReprovisionFlag(host, log);
  if (stored.ok && !reprovision) {
    log.info(`provisioned for SSID "${printableSsid(stored.credentials.ssid)}"; joining Wi-Fi`);
    secrets.add(utf8Decode(stored.credentials.password));
    router.attach(station.events);
    station.start(stored.credentials);
    return { mode: 'station', provisioning: undefined, station, deviceName: undefined, httpPort: () => undefined };
  }

  log.info(reprovision ? 'provisioning re-opened by the user' : 'not provisioned: starting provisioning');
  let service: ProvisioningService | undefined;
  let joined: { credentials: WifiCredentials; ip: string } | undefined;
  const onEvent = (event: ProvEvent): void => {
    if (event.name === 'cred-success') {
      const saved = credentials.load();
      if (saved.ok) joined = { credentials: saved.credentials, ip: event.ip };
    } else if (event.name === 'end') {
      // The station stays up after a successful run; from now on the station controller keeps it up.
      router.attach(station.events);
      if (joined) station.adopt(joined.credentials, joined.ip);
    }
  };
  service = new ProvisioningService({ host, config, log, secrets, credentials, router, onEvent });
  service.start();
  log.info(`provisioning as "${service.deviceName}" (security ${config.security.version})`);
  const running = service;
  return {
    mode: 'provisioning',
    provisioning: running,
    station,
    deviceName: running.deviceName,
    httpPort: () => running.httpPort(),
  };
}

function setReprovisionFlag(host: Host, log: Logger, value: boolean): void {
  try {
    const ns = host.nvs.open(DEVICE_NAMESPACE, 'readwrite');
    try {
      if (value) ns.setU8(REPROVISION_FLAG, 1);
      else ns.erase(REPROVISION_FLAG);
      ns.commit();
    } finally {
      ns.close();
    }
  } catch (e) {
    log.error(`cannot write the re-provisioning flag: ${e instanceof Error ? e.message : String(e)}`);
  }
}

/** Reads and clears the one-shot flag, so a power cut after this boot does not re-enter provisioning forever. */
function takeReprovisionFlag(host: Host, log: Logger): boolean {
  let set = false;
  try {
    const ns = host.nvs.open(DEVICE_NAMESPACE, 'readonly');
    try {
      set = ns.getU8(REPROVISION_FLAG) === 1;
    } finally {
      ns.close();
    }
  } catch {
    return false;
  }
  if (set) setReprovisionFlag(host, log, false);
  return set;
}
