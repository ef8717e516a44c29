// The `prov-ctrl` endpoint handler: CtrlReset / CtrlReprov on WiFiCtrlPayload (unified-provisioning.md §7.3).
// Responses carry an empty resp_ctrl_* plus a top-level status; the decisions are the manager's (WifiCtrlApi).
import { Status, WiFiCtrlMsgType, WiFiCtrlPayload } from '../generated/proto.js';
import type { EndpointHandler } from '../protocomm/types';
import type { Logger } from '../util/log';

export interface WifiCtrlApi {
  /** wifi_prov_mgr_reset_sm_state_on_failure: true = Success, false = InternalError. */
  reset(): boolean;
  /** wifi_prov_mgr_reset_sm_state_for_reprovision: true = Success, false = InternalError. */
  reprov(): boolean;
}

export function createWifiCtrlHandler(api: WifiCtrlApi, log: Logger): EndpointHandler {
  return (_sessionId, request, reply) => {
    let response: Uint8Array | undefined;
    try {
      const req = WiFiCtrlPayload.decode(request);
      switch (req.msg) {
        case WiFiCtrlMsgType.TypeCmdCtrlReset: {
          const ok = api.reset();
          response = WiFiCtrlPayload.encode({
            msg: WiFiCtrlMsgType.TypeRespCtrlReset,
            status: ok ? Status.Success : Status.InternalError,
            respCtrlReset: {},
          }).finish();
          break;
        }
        case WiFiCtrlMsgType.TypeCmdCtrlReprov: {
          const ok = api.reprov();
          response = WiFiCtrlPayload.encode({
            msg: WiFiCtrlMsgType.TypeRespCtrlReprov,
            status: ok ? Status.Success : Status.InternalError,
            respCtrlReprov: {},
          }).finish();
          break;
        }
        default:
          response = undefined; // TypeCtrlReserved, response types and unknown values: handler error (§1.3)
      }
    } catch (e) {
      log.warn(`prov-ctrl: malformed request (${e instanceof Error ? e.message : 'error'})`);
      response = undefined;
    }
    reply(response);
  };
}
