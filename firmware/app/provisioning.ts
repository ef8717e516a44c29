// Assembles one provisioning run from the boot configuration (unified-provisioning.md §8.2): a fresh protocomm
// (keys die with the run: protocomm.cleanup() refuses later sessions), the provisioning manager, and every
// configured transport (BLE, SoftAP/HTTP, console) feeding that one protocomm, one secure session at a time.
// SoftAP (§9.2): the access point (SSID = device name, WPA2 with the product's key or open, 5 stations) comes up
// before the HTTP server and goes down after it when the run stops (§8.6: back to STA).
import type { Host } from '../host/index';
import type { Listener } from '../host/socket';
import { createProtocomm, type ProtocommCore } from '../protocomm/protocomm';
import type { SecurityConfig } from '../protocomm/security/index';
import type { EndpointHandler } from '../protocomm/types';
import type { CredentialStore } from '../provisioning/credentials';
import { ProvisioningManager, type ProvEvent, type ProvisioningTransport } from '../provisioning/manager';
import { BleTransport } from '../transport/ble';
import { defaultDeviceName } from '../transport/ble-uuid';
import { ProtocommConsole } from '../transport/console';
import { ProtocommHttpd } from '../transport/httpd';
import { fromHex, utf8Encode } from '../util/bytes';
import type { Logger, SecretRegistry } from '../util/log';
import type { BootConfig } from './config';
import type { WifiRouter } from '../net/wifi-router';

export interface ProvisioningServiceOptions {
  host: Host;
  config: BootConfig;
  log: Logger;
  secrets: SecretRegistry;
  credentials: CredentialStore;
  router: WifiRouter;
  onEvent?: (event: ProvEvent) => void;
}

export function securityFromBootConfig(config: BootConfig, secrets: SecretRegistry): SecurityConfig {
  const sec = config.security;
  switch (sec.version) {
    case 0:
      return { version: 0 };
    case 1:
      secrets.add(sec.pop);
      return { version: 1, pop: sec.pop };
    case 2: {
      const salt = fromHex(sec.saltHex);
      const verifier = fromHex(sec.verifierHex);
      if (!salt || !verifier) throw new RangeError('sec2 salt/verifier must be hex');
      secrets.add(sec.verifierHex);
      return { version: 2, salt, verifier, patchVersion: sec.patchVersion ?? 1 };
    }
  }
}

/** scheme_softap's defaults (unified-provisioning.md §9.2): channel 1, at most 5 stations. */
export const SOFTAP_CHANNEL = 1;
export const SOFTAP_MAX_STATIONS = 5;

interface TransportPart {
  start(endpoints: readonly { name: string }[]): unknown;
  stop(): void;
}

/** Starts and stops several transports as the manager's one transport. Filled after the manager exists, because
 * the BLE table needs the manager's endpoint list (custom endpoints are created on the manager). */
class TransportSet implements ProvisioningTransport {
  readonly parts: TransportPart[] = [];
  start(endpoints: readonly { name: string }[]): void {
    for (const p of this.parts) p.start(endpoints);
  }
  stop(): void {
    for (const p of this.parts) p.stop();
  }
}

export class ProvisioningService {
  readonly manager: ProvisioningManager;
  readonly protocomm: ProtocommCore;
  readonly deviceName: string;
  private httpListener: Listener | undefined;

  constructor(private readonly options: ProvisioningServiceOptions) {
    const { host, config, log, secrets } = options;
    const prov = config.provisioning ?? {};
    this.deviceName = config.deviceName ?? defaultDeviceName(host.device.mac());
    const transports = new TransportSet();
    this.manager = new ProvisioningManager({
      wifi: host.wifi,
      timers: host.timers,
      log: log.child('prov'),
      credentials: options.credentials,
      startStation: false,
      wifiMode: config.transports.softap ? 'apsta' : 'sta',
      wifiConnAttempts: prov.wifiConnAttempts,
      windowTimeoutMs: prov.windowTimeoutMs,
      strictReference: prov.strictReference,
      cleanupDelayMs: prov.cleanupDelayMs,
      secrets,
      onEvent: options.onEvent,
      transport: transports,
    });
    for (const name of prov.customEndpoints ?? []) this.manager.createEndpoint(name);
    if (prov.autoStop === false) this.manager.disableAutoStop(prov.cleanupDelayMs ?? 1000);

    this.protocomm = createProtocomm({
      crypto: host.crypto,
      clock: host.clock,
      log: log.child('protocomm'),
      security: securityFromBootConfig(config, secrets),
      version: this.manager.protoVersionFlags(),
      attemptLimit: config.attemptLimit,
    });

    const parts = transports.parts;
    const t = config.transports;
    if (t.ble) {
      const ble = new BleTransport({
        host: host.ble,
        protocomm: this.protocomm,
        logger: log.child('ble'),
        endpoints: this.manager.bleEndpoints(),
        deviceName: this.deviceName,
        serviceUuid: t.ble.serviceUuid,
        customMaxMessage: t.ble.customMaxMessage,
        manufacturerData: t.ble.manufacturerDataHex ? fromHex(t.ble.manufacturerDataHex) : undefined,
      });
      parts.push({ start: () => ble.start(), stop: () => ble.stop() });
    }
    if (t.softap) {
      const wifi = host.wifi;
      if (!wifi.startAccessPoint || !wifi.stopAccessPoint) {
        throw new Error('transports.softap: this Wi-Fi host cannot run an access point (no startAccessPoint)');
      }
      const startAp = wifi.startAccessPoint.bind(wifi);
      const stopAp = wifi.stopAccessPoint.bind(wifi);
      if (t.softap.passphrase !== undefined) secrets.add(t.softap.passphrase);
      const ap = {
        ssid: utf8Encode(this.deviceName),
        password: utf8Encode(t.softap.passphrase ?? ''),
        channel: SOFTAP_CHANNEL,
        maxStations: SOFTAP_MAX_STATIONS,
      };
      const apLog = log.child('softap');
      const httpd = new ProtocommHttpd({
        socket: host.socket,
        timers: host.timers,
        crypto: host.crypto,
        logger: log.child('httpd'),
        protocomm: this.protocomm,
        port: t.softap.port,
      });
      parts.push({
        start: (eps) => {
          // The AP first: the HTTP server is reached through it on the chip (192.168.4.1:80).
          startAp(ap);
          apLog.info(`access point "${this.deviceName}" up (${ap.password.length ? 'WPA2-PSK' : 'open'}, channel ${ap.channel}, max ${ap.maxStations} stations)`);
          try {
            this.httpListener = httpd.start(eps);
          } catch (e) {
            stopAp(); // no half-started transport: an AP nobody serves is of no use
            throw e;
          }
        },
        stop: () => {
          this.httpListener = undefined;
          try {
            httpd.stop();
          } finally {
            stopAp();
            apLog.info('access point down');
          }
        },
      });
    }
    if (t.console) {
      const cons = new ProtocommConsole({ uart: host.uart, protocomm: this.protocomm, logger: log.child('console') });
      parts.push({ start: (eps) => cons.start(eps), stop: () => cons.stop() });
    }
  }

  /** Starts the run; `handlers` attach custom endpoints (created from config.provisioning.customEndpoints). */
  start(handlers: Record<string, EndpointHandler> = {}): void {
    this.options.router.attach(this.manager.wifiEvents);
    this.manager.start(this.protocomm);
    for (const [name, handler] of Object.entries(handlers)) this.manager.registerEndpoint(name, handler);
  }

  /** The HTTP port actually bound (simulator: port 0 means any). */
  httpPort(): number | undefined {
    return this.httpListener?.port;
  }
}
