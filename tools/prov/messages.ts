// Plaintext protobuf messages of the Wi-Fi endpoints (unified-provisioning.md §7) and of OpenRemote's `or-cfg`
// channel (openremote.md §1.2), built exactly as esp_prov / the phone apps build them: commands without parameters
// carry `msg` only (CmdScanStatus = 08 02, CmdApplyConfig = 08 04) while CmdGetStatus carries the empty
// sub-message (52 00) (§11.5 last item). Parsers turn bad answers into ProvError with the app's error code.
import {
  WiFiConfigPayload,
  WiFiCtrlPayload,
  WiFiScanPayload,
  orconfig,
  type RespGetStatus,
  type WiFiScanResult,
} from '../../firmware/generated/proto.js';
import { OR_ERROR, ProvError, type OrErrorCode } from './errors';

function decode<T>(fn: () => T, what: string, code: OrErrorCode): T {
  try {
    return fn();
  } catch (error) {
    throw new ProvError(code, `${what}: undecodable answer (${(error as Error).message})`);
  }
}

// ---- prov-scan (§7.2) ----

export interface ScanStartOptions {
  blocking?: boolean;
  passive?: boolean;
  groupChannels?: number;
  periodMs?: number;
}

export function scanStartRequest(o: ScanStartOptions = {}): Uint8Array {
  return WiFiScanPayload.encode({
    msg: 0,
    cmdScanStart: { blocking: o.blocking ?? true, passive: o.passive ?? false, groupChannels: o.groupChannels ?? 0, periodMs: o.periodMs ?? 120 },
  }).finish();
}

export function scanStatusRequest(): Uint8Array {
  return WiFiScanPayload.encode({ msg: 2 }).finish();
}

export function scanResultRequest(startIndex: number, count: number): Uint8Array {
  return WiFiScanPayload.encode({ msg: 4, cmdScanResult: { startIndex, count } }).finish();
}

function scanPayload(data: Uint8Array, want: number, what: string): WiFiScanPayload {
  const p = decode(() => WiFiScanPayload.decode(data), what, OR_ERROR.communicationError);
  if (p.msg !== want) throw new ProvError(OR_ERROR.communicationError, `${what}: answer has msg ${p.msg}, want ${want}`);
  return p;
}

export function parseScanStart(data: Uint8Array): void {
  const p = scanPayload(data, 1, 'ScanStart');
  if (p.status) throw new ProvError(OR_ERROR.communicationError, `ScanStart: device status ${p.status}`);
}

export function parseScanStatus(data: Uint8Array): { finished: boolean; count: number } {
  const p = scanPayload(data, 3, 'ScanStatus');
  if (p.status) throw new ProvError(OR_ERROR.communicationError, `ScanStatus: device status ${p.status}`);
  return { finished: !!p.respScanStatus?.scanFinished, count: p.respScanStatus?.resultCount ?? 0 };
}

export interface ScannedNetwork {
  ssid: string;
  bssid: string;
  channel: number;
  rssi: number;
  auth: number;
}

export function parseScanResult(data: Uint8Array): { status: number; entries: ScannedNetwork[] } {
  const p = scanPayload(data, 5, 'ScanResult');
  const entries = (p.respScanResult?.entries ?? []).map((e: WiFiScanResult.$Properties) => ({
    ssid: Buffer.from(e.ssid ?? new Uint8Array(0)).toString('utf8'),
    bssid: Buffer.from(e.bssid ?? new Uint8Array(0)).toString('hex'),
    channel: e.channel ?? 0,
    rssi: e.rssi ?? 0,
    auth: e.auth ?? 0,
  }));
  return { status: p.status ?? 0, entries };
}

// ---- prov-config (§7.1) ----

export function setConfigRequest(ssid: Uint8Array, passphrase: Uint8Array): Uint8Array {
  return WiFiConfigPayload.encode({ msg: 2, cmdSetConfig: { ssid, passphrase } }).finish();
}

export function applyConfigRequest(): Uint8Array {
  return WiFiConfigPayload.encode({ msg: 4 }).finish();
}

export function getStatusRequest(): Uint8Array {
  return WiFiConfigPayload.encode({ msg: 0, cmdGetStatus: {} }).finish();
}

function configPayload(data: Uint8Array, want: number, what: string): WiFiConfigPayload {
  const p = decode(() => WiFiConfigPayload.decode(data), what, OR_ERROR.wifiCommunicationError);
  if (p.msg !== want) throw new ProvError(OR_ERROR.wifiCommunicationError, `${what}: answer has msg ${p.msg}, want ${want}`);
  return p;
}

/** Status of RespSetConfig / RespApplyConfig (0 = Success, 4 = InvalidArgument, 5 = InternalError). */
export function parseSetConfig(data: Uint8Array): number {
  return configPayload(data, 3, 'SetConfig').respSetConfig?.status ?? 0;
}

export function parseApplyConfig(data: Uint8Array): number {
  return configPayload(data, 5, 'ApplyConfig').respApplyConfig?.status ?? 0;
}

export type StationStatus =
  | { state: 'connected'; ip: string; ssid: string; bssid: string; channel: number; authMode: number }
  | { state: 'connecting'; attemptsRemaining?: number }
  | { state: 'failed'; reason: 'auth' | 'not-found' | 'unknown' }
  | { state: 'disconnected' };

export function parseGetStatus(data: Uint8Array): StationStatus {
  const p = configPayload(data, 1, 'GetStatus');
  const r: RespGetStatus.$Properties = p.respGetStatus ?? {};
  if (r.status) throw new ProvError(OR_ERROR.wifiCommunicationError, `GetStatus: device status ${r.status}`);
  switch (r.staState ?? 0) {
    case 0: {
      const c = r.connected ?? {};
      return {
        state: 'connected',
        ip: c.ip4Addr ?? '',
        ssid: Buffer.from(c.ssid ?? new Uint8Array(0)).toString('utf8'),
        bssid: Buffer.from(c.bssid ?? new Uint8Array(0)).toString('hex'),
        channel: c.channel ?? 0,
        authMode: c.authMode ?? 0,
      };
    }
    case 1:
      return r.attemptFailed ? { state: 'connecting', attemptsRemaining: r.attemptFailed.attemptsRemaining ?? 0 } : { state: 'connecting' };
    case 2:
      return { state: 'disconnected' };
    case 3: {
      const reason = r.failReason === 0 ? 'auth' : r.failReason === 1 ? 'not-found' : 'unknown';
      return { state: 'failed', reason };
    }
    default:
      throw new ProvError(OR_ERROR.wifiCommunicationError, `GetStatus: unknown sta_state ${r.staState}`);
  }
}

// ---- prov-ctrl (§7.3) ----

export function ctrlResetRequest(): Uint8Array {
  return WiFiCtrlPayload.encode({ msg: 1, cmdCtrlReset: {} }).finish();
}

export function ctrlReprovRequest(): Uint8Array {
  return WiFiCtrlPayload.encode({ msg: 3, cmdCtrlReprov: {} }).finish();
}

/** Top-level status of RespCtrlReset (want msg 2) / RespCtrlReprov (want msg 4). */
export function parseCtrl(data: Uint8Array, want: 2 | 4): number {
  const p = decode(() => WiFiCtrlPayload.decode(data), 'prov-ctrl', OR_ERROR.communicationError);
  if (p.msg !== want) throw new ProvError(OR_ERROR.communicationError, `prov-ctrl: answer has msg ${p.msg}, want ${want}`);
  return p.status ?? 0;
}

// ---- or-cfg (openremote.md §1.2, §1.4) ----

export type OrBody = 'deviceInfo' | 'backendConnectionStatus' | 'openRemoteConfig' | 'exitProvisioning';

export function orRequest(id: string, body: OrBody, config?: orconfig.Request.OpenRemoteConfig.$Properties): Uint8Array {
  const message: orconfig.Request.$Properties = { id };
  if (body === 'openRemoteConfig') message.openRemoteConfig = config ?? {};
  else message[body] = {};
  return orconfig.Request.encode(message).finish();
}

/** Applies the apps' acceptance rules (§1.4); every violation is a communicationError (301). */
export function parseOrResponse(data: Uint8Array, id: string, body: OrBody): orconfig.Response {
  const r = decode(() => orconfig.Response.decode(data), `or-cfg ${body}`, OR_ERROR.communicationError);
  const fail = (why: string) => new ProvError(OR_ERROR.communicationError, `or-cfg ${body}: ${why}`);
  if (r.id !== id) throw fail(`message out of order (id "${r.id}", want "${id}")`);
  if (!r.result) throw fail('response has no result');
  const result = r.result.result ?? 0;
  if (result !== 0) throw fail(`result ${orconfig.Response.ResponseResult.Result[result] ?? result}`);
  if (r.body !== body) throw fail(`unexpected body ${r.body ?? 'none'}`);
  return r;
}
