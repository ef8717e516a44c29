// The boot flow, the same on the chip, on Node and on XS (issue 8): load the stored configuration; not provisioned
// -> start provisioning on the configured transports (with OpenRemote's or-cfg endpoint when configured);
// provisioned -> join Wi-Fi, then the OpenRemote MQTT link, and stay on both. The button: a long
// press is a factory reset (erase everything, reboot into provisioning); a short press re-opens provisioning for
// Wi-Fi only (a one-shot flag in NVS, then reboot: BLE controller memory is released after a run and only comes
// back with a reboot, see firmware/host/ble.ts).
import { validateBootConfig, type BootConfig } from './app/config';
import { OpenRemoteService, type CloudApplication } from './app/openremote';
import { ProvisioningService } from './app/provisioning';
import { OR_CFG_ENDPOINT } from './openremote/index';
import type { Host } from './host/index';
import { StationController } from './net/station';
import { WifiRouter } from './net/wifi-router';
import { CredentialStore, printableSsid, type WifiCredentials } from './provisioning/credentials';
import type { ProvEvent } from './provisioning/manager';
import type { EndpointHandler } from './protocomm/types';
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
  /** Present when the build configures OpenRemote. */
  readonly openremote: OpenRemoteService | undefined;
  readonly application: CloudApplication | undefined;
  readonly deviceName: string | undefined;
  /** Bound SoftAP/HTTP port while provisioning over HTTP runs. */
  httpPort(): number | undefined;
}

/** Product code the boot flow runs beside provisioning and the cloud link (used when config.openremote is set). */
export interface BootExtras {
  application?: (context: { host: Host; log: Logger; firmwareVersion: string }) => CloudApplication;
}

export function boot(host: Host, config: BootConfig, extras: BootExtras = {}): Device {
  const secrets = new SecretRegistry();
  const log = new Logger(host.log, 'boot', secrets, config.logLevel ?? 'info');
  validateBootConfig(config);
  const mac = toHex(host.device.mac()).replace(/(..)(?!$)/g, '$1:');
  log.info(`chip ${host.device.chipModel()}, mac ${mac}`);

  const credentials = new CredentialStore({ nvs: host.nvs, log: log.child('creds') });
  const router = new WifiRouter(host.wifi);
  const application = config.openremote && extras.application
    ? extras.application({ host, log: log.child('app'), firmwareVersion: config.openremote.firmwareVersion ?? '0.0.0' })
    : undefined;
  const cloud = config.openremote
    ? new OpenRemoteService({ host, config: config.openremote, log: log.child('openremote'), secrets, application })
    : undefined;
  application?.start();
  let onStationOnline: (ip: string) => void = () => {};
  const station = new StationController({
    onOnline: (ip) => onStationOnline(ip),
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
        cloud?.clear();
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
  // With OpenRemote, "provisioned" means both the Wi-Fi credentials and the backend config are stored.
  const cloudConfig = cloud?.storedConfig();
  if (stored.ok && (!cloud || cloudConfig) && !reprovision) {
    log.info(`provisioned for SSID "${printableSsid(stored.credentials.ssid)}"; joining Wi-Fi`);
    secrets.add(utf8Decode(stored.credentials.password));
    let linkStarted = false;
    onStationOnline = () => {
      // The MQTT client reconnects by itself across Wi-Fi drops; the link is started once per boot.
      if (cloud && cloudConfig && !linkStarted) {
        cloud.link.start(cloudConfig);
        linkStarted = true;
      }
    };
    router.attach(station.events);
    station.start(stored.credentials);
    return { mode: 'station', provisioning: undefined, station, openremote: cloud, application, deviceName: undefined, httpPort: () => undefined };
  }

  log.info(reprovision ? 'provisioning re-opened by the user' : 'not provisioned: starting provisioning');
  let joined: { credentials: WifiCredentials; ip: string } | undefined;
  const onEvent = (event: ProvEvent): void => {
    if (event.name === 'cred-success') {
      const saved = credentials.load();
      if (saved.ok) joined = { credentials: saved.credentials, ip: event.ip };
      // Wi-Fi re-provisioned on a device whose backend config is already stored: go back online at once (the app
      // may still send a new OpenRemoteConfig, which restarts the link).
      if (cloud && cloud.link.state().status === 'DISCONNECTED') cloud.startStored();
    } else if (event.name === 'end') {
      // The station stays up after a successful run; from now on the station controller keeps it up.
      router.attach(station.events);
      if (joined) station.adopt(joined.credentials, joined.ip);
    }
  };
  // OpenRemote's app talks to or-cfg AFTER Wi-Fi succeeded, so the endpoint is created before start (BLE id 0xFF54)
  // and auto-stop is off: ExitProvisioning ends the run (openremote.md §1.3, §2.10).
  const provConfig: BootConfig = cloud
    ? {
        ...config,
        provisioning: {
          ...config.provisioning,
          autoStop: false,
          customEndpoints: [OR_CFG_ENDPOINT, ...(config.provisioning?.customEndpoints ?? []).filter((n) => n !== OR_CFG_ENDPOINT)],
        },
      }
    : config;
  const service = new ProvisioningService({ host, config: provConfig, log, secrets, credentials, router, onEvent });
  const handlers: Record<string, EndpointHandler> = {};
  if (cloud) {
    handlers[OR_CFG_ENDPOINT] = cloud.channel({ onExit: () => service.manager.stop(), appInfo: service.protocomm.versionInfo }).handler;
  }
  service.start(handlers);
  log.info(`provisioning as "${service.deviceName}" (security ${config.security.version})`);
  if (cloud) stopWhenAppVanishes(host, log, service, cloud, config.provisioning?.lingerAfterOnlineMs ?? 300_000);
  return {
    mode: 'provisioning',
    provisioning: service,
    station,
    openremote: cloud,
    application,
    deviceName: service.deviceName,
    httpPort: () => service.httpPort(),
  };
}

/** The OpenRemote app ends provisioning with ExitProvisioning; an app that was closed after the device went online
 * never sends it. Once the backend link is CONNECTED, provisioning stops after `lingerMs` unless it ended already. */
function stopWhenAppVanishes(host: Host, log: Logger, service: ProvisioningService, cloud: OpenRemoteService, lingerMs: number): void {
  if (lingerMs <= 0) return;
  let armed = false;
  cloud.link.onChange((state) => {
    if (armed || state.status !== 'CONNECTED' || !service.manager.running) return;
    armed = true;
    host.timers.setTimeout(() => {
      if (!service.manager.running) return;
      log.warn(`no ExitProvisioning ${Math.round(lingerMs / 1000)} s after the backend came online: stopping provisioning`);
      service.manager.stop();
    }, lingerMs);
  });
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
