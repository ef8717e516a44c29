// The `prov-config` endpoint handler: GetStatus / SetConfig / ApplyConfig on WiFiConfigPayload
// (unified-provisioning.md §7.1, §1.3, §11.5). Plaintext in, plaintext out; the manager behind WifiConfigApi owns
// the state machine (§8). The command is chosen by `msg` because esp_prov omits empty sub-messages.
import { Status, WiFiConfigMsgType, WiFiConfigPayload, WifiConnectFailedReason, WifiStationState } from '../generated/proto.js';
import type { EndpointHandler } from '../protocomm/types';
import type { Logger } from '../util/log';
import { clampAuthMode } from './auth-mode';
import { printableSsid, type WifiCredentials } from './credentials';

/** What GetStatus reports. 'failed' is IDF's WIFI_PROV_STA_DISCONNECTED, sent as ConnectionFailed (3). */
export type StationStatus =
  | { state: 'connecting' }
  | { state: 'attempt-failed'; attemptsRemaining: number }
  | { state: 'connected'; ip: string; auth: number; ssid: Uint8Array; bssid: Uint8Array; channel: number }
  | { state: 'failed'; reason: FailReason };

export type FailReason = 'auth-error' | 'network-not-found';

export interface WifiConfigApi {
  getStatus(): StationStatus;
  /** A GetStatus just reported Connected (IDF calls wifi_prov_mgr_done here: the auto-stop trigger, §8.5). */
  connectedReported(): void;
  /** configure_sta (§8.3): true = accepted (Success), false = rejected (InternalError). The callee copies. */
  applyConfig(credentials: WifiCredentials): boolean;
}

export const SSID_MAX = 32;
export const PASSPHRASE_MAX = 63;

export interface WifiConfigHandler {
  readonly handler: EndpointHandler;
  /** Drops (and wipes) credentials received by SetConfig but not yet applied. */
  discardPending(): void;
}

export function createWifiConfigHandler(api: WifiConfigApi, log: Logger): WifiConfigHandler {
  let pending: WifiCredentials | undefined;

  const discardPending = (): void => {
    if (pending) pending.password.fill(0);
    pending = undefined;
  };

  const getStatus = (): Uint8Array => {
    const s = api.getStatus();
    let resp: WiFiConfigPayload.$Properties['respGetStatus'];
    switch (s.state) {
      case 'connecting':
        // IDF leaves the oneof pointer NULL here: only sta_state goes on the wire (08 01 5a 02 10 01).
        resp = { staState: WifiStationState.Connecting };
        break;
      case 'attempt-failed':
        resp = { staState: WifiStationState.Connecting, attemptFailed: { attemptsRemaining: s.attemptsRemaining } };
        break;
      case 'connected':
        resp = {
          staState: WifiStationState.Connected,
          connected: { ip4Addr: s.ip, authMode: clampAuthMode(s.auth), ssid: s.ssid, bssid: s.bssid, channel: s.channel },
        };
        break;
      case 'failed':
        // The oneof member is emitted even when 0 (AuthError): `10 03 50 00`.
        resp = {
          staState: WifiStationState.ConnectionFailed,
          failReason: s.reason === 'auth-error' ? WifiConnectFailedReason.AuthError : WifiConnectFailedReason.NetworkNotFound,
        };
        break;
    }
    const out = WiFiConfigPayload.encode({ msg: WiFiConfigMsgType.TypeRespGetStatus, respGetStatus: resp }).finish();
    if (s.state === 'connected') api.connectedReported();
    return out;
  };

  const setConfig = (cmd: NonNullable<WiFiConfigPayload.$Properties['cmdSetConfig']>): Uint8Array => {
    const ssid = cmd.ssid ?? new Uint8Array(0);
    let passphrase = cmd.passphrase ?? new Uint8Array(0);
    const bssid = cmd.bssid ?? new Uint8Array(0);
    let status = Status.Success;
    // §7.1 limits (checked before anything is stored). An empty SSID is also refused: it can never connect, and
    // answering InvalidArgument now beats a NetworkNotFound a few seconds later (IDF stores it).
    if (bssid.length !== 0 && bssid.length !== 6) status = Status.InvalidArgument;
    else if (ssid.length > SSID_MAX || ssid.length === 0) status = Status.InvalidArgument;
    else if (passphrase.length > PASSPHRASE_MAX) status = Status.InvalidArgument;
    if (status === Status.Success) {
      // IDF stores the passphrase as a C string, so the driver sees it only up to the first NUL.
      const nul = passphrase.indexOf(0);
      if (nul >= 0) passphrase = passphrase.subarray(0, nul);
      discardPending();
      // bssid and channel are accepted but not used, as in IDF's manager: pinning the BSSID a phone saw can break
      // mesh networks where another AP answers.
      // Own copies: decoded bytes may be views into the request buffer (Buffer slices on Node), and the pending
      // passphrase is wiped later, which must never touch a buffer we do not own.
      pending = { ssid: new Uint8Array(ssid), password: new Uint8Array(passphrase) };
      log.info(`SetConfig: ssid "${printableSsid(ssid)}", passphrase ${passphrase.length} bytes`);
    } else {
      log.warn(`SetConfig rejected: ssid ${ssid.length} B, passphrase ${passphrase.length} B, bssid ${bssid.length} B`);
    }
    return WiFiConfigPayload.encode({ msg: WiFiConfigMsgType.TypeRespSetConfig, respSetConfig: { status } }).finish();
  };

  const applyConfig = (): Uint8Array => {
    let status = Status.InternalError;
    if (pending) {
      status = api.applyConfig(pending) ? Status.Success : Status.InternalError;
      discardPending(); // "the pending credentials are discarded in all cases" (§7.1)
    } else {
      log.warn('ApplyConfig without SetConfig');
    }
    return WiFiConfigPayload.encode({ msg: WiFiConfigMsgType.TypeRespApplyConfig, respApplyConfig: { status } }).finish();
  };

  const handler: EndpointHandler = (_sessionId, request, reply) => {
    let response: Uint8Array | undefined;
    try {
      const req = WiFiConfigPayload.decode(request);
      switch (req.msg) {
        case WiFiConfigMsgType.TypeCmdGetStatus:
          response = getStatus();
          break;
        case WiFiConfigMsgType.TypeCmdSetConfig:
          // A SetConfig without its sub-message is malformed (IEC >= 1.2.3 rejects it; IDF 5.5.4 crashes).
          response = req.cmdSetConfig ? setConfig(req.cmdSetConfig) : undefined;
          break;
        case WiFiConfigMsgType.TypeCmdApplyConfig:
          response = applyConfig();
          break;
        default:
          response = undefined; // unknown or response-type msg: handler error, no response (§1.3)
      }
    } catch (e) {
      log.warn(`prov-config: malformed request (${e instanceof Error ? e.message : 'error'})`);
      response = undefined;
    }
    if (response === undefined) log.debug('prov-config: no response');
    reply(response);
  };

  return { handler, discardPending };
}
