// The `prov-scan` endpoint handler: ScanStart / ScanStatus / ScanResult on WiFiScanPayload
// (unified-provisioning.md §7.2). A blocking ScanStart answers through the reply callback when the scan is done.
// Status lives at the top level of WiFiScanPayload; a failed scan is InternalError, never an empty success.
import { Status, WiFiScanMsgType, WiFiScanPayload } from '../generated/proto.js';
import type { EndpointHandler, Reply } from '../protocomm/types';
import type { Logger } from '../util/log';
import type { ScanEntry, ScanParams } from './scanner';

export interface WifiScanApi {
  readonly maxEntries: number;
  readonly finished: boolean;
  readonly failed: boolean;
  readonly count: number;
  entry(index: number): ScanEntry | undefined;
  start(params: ScanParams, onDone?: (ok: boolean) => void): boolean;
}

export function createWifiScanHandler(api: WifiScanApi, log: Logger): EndpointHandler {
  const startResponse = (ok: boolean): Uint8Array =>
    WiFiScanPayload.encode({
      msg: WiFiScanMsgType.TypeRespScanStart,
      status: ok ? Status.Success : Status.InternalError,
      respScanStart: {},
    }).finish();

  const scanStart = (cmd: NonNullable<WiFiScanPayload.$Properties['cmdScanStart']>, reply: Reply): void => {
    const params: ScanParams = {
      passive: !!cmd.passive,
      groupChannels: cmd.groupChannels ?? 0,
      periodMs: cmd.periodMs ?? 0,
    };
    if (cmd.blocking) {
      let answered = false;
      const started = api.start(params, (ok) => {
        if (answered) return;
        answered = true;
        reply(startResponse(ok));
      });
      if (!started && !answered) {
        answered = true;
        reply(startResponse(false));
      }
      return;
    }
    reply(startResponse(api.start(params)));
  };

  const scanStatus = (): Uint8Array =>
    WiFiScanPayload.encode({
      msg: WiFiScanMsgType.TypeRespScanStatus,
      status: api.failed ? Status.InternalError : Status.Success,
      respScanStatus: { scanFinished: api.finished, resultCount: api.count },
    }).finish();

  const scanResult = (cmd: NonNullable<WiFiScanPayload.$Properties['cmdScanResult']>): Uint8Array => {
    const start = cmd.startIndex ?? 0;
    const count = cmd.count ?? 0;
    const entries: ScanEntry[] = [];
    // Never build more than the list can hold, whatever `count` says (it is a client-chosen uint32).
    const end = Math.min(start + count, start + api.maxEntries);
    for (let i = start; i < end; i++) {
      const e = api.entry(i);
      if (!e) break;
      entries.push(e);
    }
    // Overrun: return what exists and say InternalError (IDF sets the status and stops; §7.2 recommendation).
    const overrun = api.failed || start + count > api.count;
    return WiFiScanPayload.encode({
      msg: WiFiScanMsgType.TypeRespScanResult,
      status: overrun ? Status.InternalError : Status.Success,
      respScanResult: {
        entries: entries.map((e) => ({ ssid: e.ssid, channel: e.channel, rssi: e.rssi, bssid: e.bssid, auth: e.auth })),
      },
    }).finish();
  };

  return (_sessionId, request, rawReply) => {
    // Exactly one reply per request, even if something throws after a (possibly deferred) answer went out.
    let replied = false;
    const reply: Reply = (response) => {
      if (replied) return;
      replied = true;
      rawReply(response);
    };
    try {
      const req = WiFiScanPayload.decode(request);
      switch (req.msg) {
        case WiFiScanMsgType.TypeCmdScanStart:
          // Commands with parameters need their sub-message (IDF 5.5.4 dereferences it; IEC rejects).
          if (!req.cmdScanStart) return reply(undefined);
          return scanStart(req.cmdScanStart, reply);
        case WiFiScanMsgType.TypeCmdScanStatus:
          return reply(scanStatus());
        case WiFiScanMsgType.TypeCmdScanResult:
          if (!req.cmdScanResult) return reply(undefined);
          return reply(scanResult(req.cmdScanResult));
        default:
          return reply(undefined); // unknown or response-type msg: handler error (§1.3)
      }
    } catch (e) {
      log.warn(`prov-scan: malformed request or handler failure (${e instanceof Error ? e.message : 'error'})`);
      reply(undefined);
    }
  };
}
