// runProvisioning(): the whole phone-app flow in one call, for the CLI (tools/prov/main.ts) and for in-process use
// (`npm start`). Order as the OpenRemote web app drives it (openremote.md §1.5, §2): connect (proto-ver, security,
// session), optional Wi-Fi scan, Wi-Fi credentials, then PROVISION_DEVICE (DeviceInfo, backend login and
// /rest/device, OpenRemoteConfig, BackendConnectionStatus polling) and EXIT_PROVISIONING. Returns a structured
// result; progress lines pass through a scrubber that masks every secret the run knows.
import { observeTransport, type Exchange } from './transport/observe';
import { SecretRegistry } from '../../firmware/util/log';
import { generateDevicePassword, login, provisionDevice } from './backend';
import { OR_ERROR, ProvError, type OrErrorCode } from './errors';
import {
  BACKEND_STATUS,
  OrConfigChannel,
  ProvSession,
  ctrl,
  readProtoVersion,
  scanWifi,
  selectSecurity,
  sendWifiConfig,
  waitBackendConnected,
  type Progress,
  type WifiConnected,
} from './flows';
import type { ScannedNetwork } from './messages';
import { describeVersion, type ProtoVersion, type SecuritySelection } from './proto-ver';
import { createClientSecurity, type RandomSource } from './security/index';
import { BleTransport } from './transport/ble';
import { HttpTransport } from './transport/http';
import type { Transport } from './transport/types';

export interface ProvisionOptions {
  transport: 'ble' | 'httpd';
  /** BLE link protocol port of the simulator (transport 'ble'). */
  blePort?: number;
  bleHost?: string;
  namePrefix?: string;
  nameMatch?: 'android' | 'ios';
  bleMtu?: number;
  /** Scan window in ms (Android 6000, iOS 5000). */
  bleScanTimeoutMs?: number;
  /** host:port of the device's HTTP server (transport 'httpd'). */
  http?: string;
  pop?: string;
  secVer?: 0 | 1 | 2;
  /** sec2 identity (default "UNUSED", as the OpenRemote apps). */
  username?: string;
  ssid?: string;
  passphrase?: string;
  scan?: boolean;
  reset?: boolean;
  reprov?: boolean;
  wifiPollIntervalMs?: number;
  wifiTimeoutMs?: number;
  openremote?: {
    backend: string;
    realm?: string;
    user: string;
    password: string;
    /** Full broker URL; default mqtts://<backend host>:<mqttPort ?? 8883> (§1.5 step 6). */
    mqttUrl?: string;
    mqttPort?: number;
    /** Model name for /rest/device when the device reports none. */
    modelName?: string;
    backendTimeoutMs?: number;
    stopOnFailed?: boolean;
  };
  /** Send ExitProvisioning at the end (default true when or-cfg is used). */
  exit?: boolean;
  /** Pins client randomness (tests only). */
  random?: RandomSource;
  /** Sees every protocomm exchange (endpoint, sizes, timing; never contents): npm start's sequence diagram. */
  onExchange?: (exchange: Exchange) => void;
}

export interface ProvResult {
  ok: boolean;
  code?: OrErrorCode;
  message?: string;
  failedStep?: string;
  protoVersion?: ProtoVersion;
  security?: SecuritySelection;
  networks?: ScannedNetwork[];
  wifi?: WifiConnected;
  deviceInfo?: { deviceId: string; modelName: string };
  assetId?: string;
  mqttUser?: string;
  mqttUrl?: string;
  backendPolls?: number;
  /** The progress lines, as printed. */
  lines: string[];
}

/** SSIDs are arbitrary bytes: show hidden ones and control characters visibly. */
function printable(ssid: string): string {
  return ssid ? JSON.stringify(ssid).slice(1, -1) : '(hidden)';
}

export function parseHostPort(text: string): { host: string; port: number } {
  const m = /^\[?([^\]]+?)\]?:(\d{1,5})$/.exec(text);
  const port = m ? Number(m[2]) : NaN;
  if (!m || port < 1 || port > 65535) throw new ProvError(OR_ERROR.genericError, `--http wants HOST:PORT, got "${text}"`, 'args');
  return { host: m[1]!, port };
}

export function defaultMqttUrl(backend: string, port?: number): string {
  return `mqtts://${new URL(backend).hostname}:${port ?? 8883}`;
}

async function openTransport(o: ProvisionOptions): Promise<Transport> {
  if (o.transport === 'httpd') {
    if (!o.http) throw new ProvError(OR_ERROR.genericError, 'transport httpd needs --http HOST:PORT', 'args');
    const { host, port } = parseHostPort(o.http);
    return new HttpTransport({ host, port });
  }
  if (o.blePort === undefined) throw new ProvError(OR_ERROR.genericError, 'transport ble needs --ble-port', 'args');
  return BleTransport.open({ port: o.blePort, host: o.bleHost, namePrefix: o.namePrefix ?? 'PROV_', nameMatch: o.nameMatch, mtu: o.bleMtu, scanTimeoutMs: o.bleScanTimeoutMs });
}

export async function runProvisioning(options: ProvisionOptions, progress: Progress = () => undefined): Promise<ProvResult> {
  const secrets = new SecretRegistry();
  for (const s of [options.pop, options.passphrase, options.openremote?.password]) secrets.add(s);
  const result: ProvResult = { ok: false, lines: [] };
  const say = (line: string) => {
    const clean = secrets.scrub(line);
    result.lines.push(clean);
    progress(clean);
  };
  let transport: Transport | undefined;
  let session: ProvSession | undefined;
  let step = 'connect';
  try {
    transport = await openTransport(options);
    if (transport instanceof BleTransport) say(`✓ ble: ${transport.device.parsed.localName} (${transport.device.address}), MTU ${transport.mtu}`);
    else say(`✓ http: ${options.http}`);
    if (options.onExchange) transport = observeTransport(transport, options.onExchange);

    step = 'proto-ver';
    const version = await readProtoVersion(transport);
    const security = selectSecurity(version, options);
    result.protoVersion = version;
    result.security = security;
    say(`✓ proto-ver: ${describeVersion(version, security)}`);

    step = 'session';
    session = new ProvSession(transport, createClientSecurity(security, { pop: options.pop, username: options.username, random: options.random }));
    await session.establish();
    say(`✓ session: sec${security.version} established`);

    if (options.reset) {
      step = 'ctrl-reset';
      say(`✓ CtrlReset: status ${await ctrl(session, 'reset')}`);
    }
    if (options.reprov) {
      step = 'ctrl-reprov';
      say(`✓ CtrlReprov: status ${await ctrl(session, 'reprov')}`);
    }

    if (options.scan) {
      step = 'wifi-scan';
      // The apps only scan when the device says it can (openremote.md §2.4).
      if (!version.caps.includes('wifi_scan')) throw new ProvError(OR_ERROR.communicationError, 'the device has no wifi_scan capability', step);
      result.networks = await scanWifi(session);
      say(`✓ wifi-scan: ${result.networks.length} networks: ${result.networks.map((n) => `${printable(n.ssid)} (${n.rssi} dBm)`).join(', ')}`);
    }

    if (options.ssid !== undefined) {
      step = 'wifi-config';
      result.wifi = await sendWifiConfig(session, options.ssid, options.passphrase ?? '', {
        pollIntervalMs: options.wifiPollIntervalMs,
        timeoutMs: options.wifiTimeoutMs,
        progress: say,
      });
      say(`✓ wifi: connected to ${result.wifi.ssid} as ${result.wifi.ip} (channel ${result.wifi.channel})`);
    }

    const or = options.openremote;
    if (or) {
      const channel = new OrConfigChannel(session);
      step = 'device-info';
      const info = await channel.deviceInfo();
      result.deviceInfo = info;
      say(`✓ or-cfg DeviceInfo: device_id ${info.deviceId}, model ${info.modelName || '-'}`);

      step = 'backend';
      const realm = or.realm ?? 'master';
      const token = await login({ backend: or.backend, realm, user: or.user, password: or.password });
      secrets.add(token);
      const devicePassword = generateDevicePassword();
      secrets.add(devicePassword);
      const modelName = info.modelName || or.modelName || '';
      if (!modelName) throw new ProvError(OR_ERROR.genericError, 'the device reported no model name and none was given', step);
      const asset = await provisionDevice({ backend: or.backend, realm, token, deviceId: info.deviceId, password: devicePassword, modelName });
      result.assetId = asset.assetId;
      say(`✓ backend: logged in to realm ${realm}; asset ${asset.assetId} for ${info.deviceId}`);

      step = 'or-config';
      // §1.5 step 5-6: user = device_id lower-cased (en locale), URL = mqtts://<host>:8883.
      const mqttUser = info.deviceId.toLocaleLowerCase('en');
      const mqttUrl = or.mqttUrl ?? defaultMqttUrl(or.backend, or.mqttPort);
      result.mqttUser = mqttUser;
      result.mqttUrl = mqttUrl;
      await channel.openRemoteConfig({
        mqttBrokerUrl: mqttUrl,
        user: mqttUser,
        mqttPassword: devicePassword,
        realm,
        assetId: asset.assetId,
        ...(asset.properties ? { properties: asset.properties } : {}),
      });
      say(`✓ or-cfg OpenRemoteConfig: ${mqttUrl} user ${mqttUser} realm ${realm}`);

      step = 'backend-status';
      const waited = await waitBackendConnected(channel, { timeoutMs: or.backendTimeoutMs, stopOnFailed: or.stopOnFailed });
      result.backendPolls = waited.polls;
      say(`✓ or-cfg BackendConnectionStatus: ${waited.statuses.join(' → ')} after ${waited.polls} polls`);
      if (waited.statuses[waited.statuses.length - 1] !== BACKEND_STATUS[2]) throw new ProvError(OR_ERROR.timeoutError, 'not connected', step);

      if (options.exit ?? true) {
        step = 'exit';
        await channel.exitProvisioning();
        say('✓ or-cfg ExitProvisioning');
      }
    }
    result.ok = true;
  } catch (error) {
    const e = error instanceof ProvError ? error : new ProvError(OR_ERROR.genericError, (error as Error).message ?? String(error), step);
    result.code = e.code;
    result.message = secrets.scrub(e.message);
    result.failedStep = e.step ?? step;
    say(`✗ ${result.failedStep}: ${result.message} (error ${e.code})`);
  } finally {
    session?.close();
    await transport?.close();
  }
  return result;
}
