// The phone's provisioning flow as composable steps (unified-provisioning.md §6.4, §7, §11; openremote.md §1.4-§1.5,
// §2): proto-ver and security choice, session, Wi-Fi scan, credentials with status polling, the `or-cfg` channel
// and the backend calls. ProvisioningClient mirrors the web app's provider actions (CONNECT_TO_DEVICE,
// START_WIFI_SCAN, SEND_WIFI_CONFIGURATION, PROVISION_DEVICE, EXIT_PROVISIONING); every failure is a ProvError
// carrying the OpenRemote error code the apps would report. Nothing here ever formats a secret.
import { orconfig } from '../../firmware/generated/proto.js';
import { NoResponseError, OR_ERROR, ProvError, SecurityError } from './errors';
import * as msg from './messages';
import { chooseSecurity, describeVersion, parseProtoVersion, type ProtoVersion, type SecuritySelection } from './proto-ver';
import { createClientSecurity, type ClientSecurity, type RandomSource } from './security/index';
import type { Transport } from './transport/types';

/** Receives one human-readable line per step. Lines never contain secrets. */
export type Progress = (line: string) => void;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** An established protocomm session over one transport connection: encrypts requests, decrypts answers. */
export class ProvSession {
  constructor(
    readonly transport: Transport,
    private readonly security: ClientSecurity,
  ) {}

  /** Runs the handshake on `prov-session`. No answer / a bad proof → 301 (iOS maps session errors so, §2.3). */
  async establish(): Promise<void> {
    let request = this.security.step(undefined);
    while (request) {
      let response: Uint8Array;
      try {
        response = await this.transport.send('prov-session', request);
      } catch (error) {
        throw sessionError(error, 'session');
      }
      try {
        request = this.security.step(response);
      } catch (error) {
        throw sessionError(error, 'session');
      }
    }
  }

  /** One encrypted request/response on a REQ endpoint. Transport or crypto failure → 301. */
  async request(endpoint: string, plaintext: Uint8Array): Promise<Uint8Array> {
    const wire = this.security.encrypt(plaintext);
    let response: Uint8Array;
    try {
      response = await this.transport.send(endpoint, wire);
    } catch (error) {
      throw sessionError(error, endpoint);
    }
    try {
      return this.security.decrypt(response);
    } catch (error) {
      throw sessionError(error, endpoint);
    }
  }

  close(): void {
    this.security.close();
  }
}

function sessionError(error: unknown, step: string): ProvError {
  if (error instanceof ProvError) return error;
  if (error instanceof NoResponseError) return new ProvError(OR_ERROR.communicationError, `${error.message} (wrong PoP, or the session was lost)`, step);
  if (error instanceof SecurityError) return new ProvError(OR_ERROR.communicationError, error.message, step);
  return new ProvError(OR_ERROR.communicationError, `${step}: ${(error as Error).message}`, step);
}

// ---- proto-ver and session ----

export async function readProtoVersion(transport: Transport): Promise<ProtoVersion> {
  let answer: Uint8Array;
  try {
    // Android writes "ESP" (§6.1); the body is ignored but must be non-empty on HTTP and NimBLE.
    answer = await transport.send('proto-ver', new TextEncoder().encode('ESP'));
  } catch (error) {
    throw sessionError(error, 'proto-ver');
  }
  return parseProtoVersion(new TextDecoder().decode(answer));
}

export interface SessionOptions {
  pop?: string;
  /** sec2 identity; the OpenRemote apps use "UNUSED". */
  username?: string;
  secVer?: 0 | 1 | 2;
  /** Pins client randomness (tests only). */
  random?: RandomSource;
}

/** Security choice plus the app's pre-checks: a PoP-protected sec1/sec2 device without a PoP is error 400. */
export function selectSecurity(version: ProtoVersion, options: SessionOptions): SecuritySelection {
  const selection = chooseSecurity(version, options.secVer);
  const needsPop = selection.version === 2 || (selection.version === 1 && !version.caps.includes('no_pop'));
  if (needsPop && !options.pop) throw new ProvError(OR_ERROR.securityError, `the device needs a PoP for sec${selection.version}`, 'proto-ver');
  return selection;
}

// ---- Wi-Fi scan (§7.2) ----

export interface ScanOptions {
  /** Results per ScanResult request: 4 on BLE (characteristic limit), 100 on HTTP (esp_prov). */
  pageSize?: number;
  /** esp_prov: 5 on softap/httpd (keeps the SoftAP alive), 0 otherwise. */
  groupChannels?: number;
  periodMs?: number;
  timeoutMs?: number;
}

export async function scanWifi(session: ProvSession, options: ScanOptions = {}): Promise<msg.ScannedNetwork[]> {
  const ble = session.transport.kind === 'ble';
  msg.parseScanStart(await session.request('prov-scan', msg.scanStartRequest({ blocking: true, passive: false, groupChannels: options.groupChannels ?? (ble ? 0 : 5), periodMs: options.periodMs ?? 120 })));
  // A blocking start returns when the scan is done; poll the status anyway in case a device answers early.
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  let status = msg.parseScanStatus(await session.request('prov-scan', msg.scanStatusRequest()));
  while (!status.finished) {
    if (Date.now() > deadline) throw new ProvError(OR_ERROR.timeoutError, 'Wi-Fi scan did not finish', 'wifi-scan');
    await sleep(200);
    status = msg.parseScanStatus(await session.request('prov-scan', msg.scanStatusRequest()));
  }
  const page = options.pageSize ?? (ble ? 4 : 100);
  const out: msg.ScannedNetwork[] = [];
  for (let start = 0; start < status.count; start += page) {
    const count = Math.min(page, status.count - start);
    const r = msg.parseScanResult(await session.request('prov-scan', msg.scanResultRequest(start, count)));
    out.push(...r.entries);
    // An InternalError status means the list shrank under us: keep what came back and stop (§7.2 ScanResult).
    if (r.status !== 0 || r.entries.length < count) break;
  }
  return out;
}

// ---- Wi-Fi credentials (§7.1) ----

export interface WifiOptions {
  /** Delay between GetStatus polls. Default 2000. */
  pollIntervalMs?: number;
  /** Give up (600) after this long without Connected/failure. Default 60000. */
  timeoutMs?: number;
  progress?: Progress;
}

export type WifiConnected = Extract<msg.StationStatus, { state: 'connected' }>;

/** SetConfig + ApplyConfig + GetStatus polling. Failure codes as iOS maps them (openremote.md §2.5): auth 502,
 * not found 503, configuration/disconnected 500, unknown 501, session 301, timeout 600. Callable again in the same
 * session after a failure (the app's retry with other credentials). */
export async function sendWifiConfig(session: ProvSession, ssid: string, passphrase: string, options: WifiOptions = {}): Promise<WifiConnected> {
  const ssidBytes = new TextEncoder().encode(ssid);
  const passBytes = new TextEncoder().encode(passphrase);
  // The device's limits (§7.1 SetConfig): checked here so the user gets a clear message instead of status 4.
  if (ssidBytes.length === 0 || ssidBytes.length > 32) throw new ProvError(OR_ERROR.wifiConfigurationError, 'the SSID must be 1-32 bytes', 'wifi-config');
  if (passBytes.length > 63) throw new ProvError(OR_ERROR.wifiConfigurationError, 'the passphrase must be at most 63 bytes', 'wifi-config');

  const apply = async (): Promise<number> => {
    const set = msg.parseSetConfig(await session.request('prov-config', msg.setConfigRequest(ssidBytes, passBytes)));
    if (set !== 0) throw new ProvError(OR_ERROR.wifiConfigurationError, `SetConfig refused (status ${set})`, 'wifi-config');
    return msg.parseApplyConfig(await session.request('prov-config', msg.applyConfigRequest()));
  };
  let applied = await apply();
  if (applied === 5 && hasCtrl(session)) {
    // IDF refuses new credentials after a failure until CtrlReset (§7.1 ApplyConfig, §7.3): reset and retry once.
    // A device without a working prov-ctrl (IDF < v5.1) keeps the original refusal (500).
    const reset = await ctrl(session, 'reset').catch((error: unknown) => {
      if (error instanceof ProvError && error.code !== OR_ERROR.communicationError) return -1;
      throw error;
    });
    options.progress?.(`· ApplyConfig refused; CtrlReset status ${reset}, retrying`);
    if (reset === 0) applied = await apply();
  }
  if (applied !== 0) throw new ProvError(OR_ERROR.wifiConfigurationError, `ApplyConfig refused (status ${applied})`, 'wifi-config');

  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  let disconnectedPolls = 0;
  for (;;) {
    const st = msg.parseGetStatus(await session.request('prov-config', msg.getStatusRequest()));
    if (st.state === 'connected') return st;
    if (st.state === 'failed') {
      if (st.reason === 'auth') throw new ProvError(OR_ERROR.wifiAuthenticationError, 'Wi-Fi authentication failed (wrong passphrase?)', 'wifi-status');
      if (st.reason === 'not-found') throw new ProvError(OR_ERROR.wifiNetworkNotFound, `Wi-Fi network "${ssid}" not found`, 'wifi-status');
      throw new ProvError(OR_ERROR.wifiCommunicationError, 'Wi-Fi connection failed for an unknown reason', 'wifi-status');
    }
    if (st.state === 'disconnected') {
      // esp_prov retries a Disconnected state 3 times before calling it a failure (§11.5).
      if (++disconnectedPolls > 3) throw new ProvError(OR_ERROR.wifiConfigurationError, 'the device reports Wi-Fi disconnected', 'wifi-status');
    } else {
      disconnectedPolls = 0;
      if (st.attemptsRemaining !== undefined) options.progress?.(`· connection attempt failed, ${st.attemptsRemaining} left`);
    }
    if (Date.now() >= deadline) throw new ProvError(OR_ERROR.timeoutError, 'timed out waiting for the Wi-Fi connection', 'wifi-status');
    await sleep(options.pollIntervalMs ?? 2000);
  }
}

function hasCtrl(session: ProvSession): boolean {
  const eps = session.transport.endpoints();
  return eps === undefined || eps.includes('prov-ctrl');
}

export async function ctrl(session: ProvSession, which: 'reset' | 'reprov'): Promise<number> {
  const request = which === 'reset' ? msg.ctrlResetRequest() : msg.ctrlReprovRequest();
  return msg.parseCtrl(await session.request('prov-ctrl', request), which === 'reset' ? 2 : 4);
}

// ---- or-cfg (openremote.md §1) ----

/** One per connection, like the apps' ORConfigChannel: ids "0", "1", … (§1.4). Every reply is checked. */
export class OrConfigChannel {
  private nextId = 0;

  constructor(private readonly session: ProvSession) {}

  private async call(body: msg.OrBody, config?: orconfig.Request.OpenRemoteConfig.$Properties): Promise<orconfig.Response> {
    const id = String(this.nextId++);
    const answer = await this.session.request('or-cfg', msg.orRequest(id, body, config));
    return msg.parseOrResponse(answer, id, body);
  }

  async deviceInfo(): Promise<{ deviceId: string; modelName: string }> {
    const r = await this.call('deviceInfo');
    const deviceId = r.deviceInfo?.deviceId ?? '';
    if (!deviceId) throw new ProvError(OR_ERROR.communicationError, 'or-cfg deviceInfo: empty device_id', 'device-info');
    return { deviceId, modelName: r.deviceInfo?.modelName ?? '' };
  }

  async openRemoteConfig(config: orconfig.Request.OpenRemoteConfig.$Properties): Promise<void> {
    const r = await this.call('openRemoteConfig', config);
    if ((r.openRemoteConfig?.status ?? 0) !== 0) throw new ProvError(OR_ERROR.communicationError, 'or-cfg openRemoteConfig: device answered FAIL', 'or-config');
  }

  async backendConnectionStatus(): Promise<number> {
    const r = await this.call('backendConnectionStatus');
    const s = r.backendConnectionStatus?.status ?? 0;
    if (s < 0 || s > 3) throw new ProvError(OR_ERROR.communicationError, `or-cfg backendConnectionStatus: unrecognized status ${s}`, 'backend-status');
    return s;
  }

  async exitProvisioning(): Promise<void> {
    await this.call('exitProvisioning');
  }
}

export const BACKEND_STATUS = ['DISCONNECTED', 'CONNECTING', 'CONNECTED', 'FAILED'] as const;

/** §1.5 step 7: poll back to back (no delay) until CONNECTED; more than `timeoutMs` (60 s) → 600. FAILED keeps
 * polling as in both apps' main branches, or stops with 301 when `stopOnFailed` (the newer iOS branch). */
export async function waitBackendConnected(channel: OrConfigChannel, options: { timeoutMs?: number; stopOnFailed?: boolean } = {}): Promise<{ polls: number; statuses: string[] }> {
  const start = Date.now();
  const seen: string[] = [];
  for (let polls = 1; ; polls++) {
    if (Date.now() - start > (options.timeoutMs ?? 60_000)) throw new ProvError(OR_ERROR.timeoutError, 'Timeout waiting for backend to get connected', 'backend-status');
    const s = await channel.backendConnectionStatus();
    const name = BACKEND_STATUS[s]!;
    if (seen[seen.length - 1] !== name) seen.push(name);
    if (s === 2) return { polls, statuses: seen };
    if (s === 3 && options.stopOnFailed) throw new ProvError(OR_ERROR.communicationError, 'Backend connection failed', 'backend-status');
    // Yield to the event loop between polls without adding delay (a BLE round trip is the app's only pacing).
    await new Promise((r) => setImmediate(r));
  }
}

export { describeVersion };
