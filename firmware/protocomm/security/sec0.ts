// protocomm security 0 (unified-provisioning.md §3): no session state and no encryption. The session endpoint
// answers an S0SessionCmd with S0SessionResp{Success}; REQ endpoints pass plaintext through.
import { Sec0MsgType, Status } from '../../generated/proto.js';
import type { SecurityScheme } from '../types';
import { decodeSessionData, encodeSessionData } from './session-data';

export class Security0 implements SecurityScheme {
  readonly version = 0 as const;
  readonly patchVersion = 0;

  newTransportSession(): void {}
  closeTransportSession(): void {}
  cleanup(): void {}

  handleSession(_sessionId: number, request: Uint8Array): Uint8Array | undefined {
    const req = decodeSessionData(request);
    // sec_ver must be 0 (§3). Beyond the reference (which checks sec_ver only), a payload that is not an
    // S0 Command with its `sc` member is also refused (field-notes.md §3.2 "missing fields", "oneof confusion");
    // esp_prov and the Android client always send `52 03 a2 01 00`.
    if (!req || req.secVer !== 0 || req.proto !== 'sec0' || !req.sec0) return undefined;
    if ((req.sec0.msg ?? 0) !== Sec0MsgType.S0_Session_Command || req.sec0.payload !== 'sc' || !req.sec0.sc) return undefined;
    return encodeSessionData({
      sec0: { msg: Sec0MsgType.S0_Session_Response, sr: { status: Status.Success } },
    });
  }

  /** sec0 has no decrypt/encrypt in the reference: handlers see the transport bytes (§1.1). */
  decrypt(_sessionId: number, data: Uint8Array): Uint8Array | undefined {
    return data;
  }

  encrypt(_sessionId: number, data: Uint8Array): Uint8Array | undefined {
    return data;
  }
}
