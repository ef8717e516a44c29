// Decoding and encoding of prov-session SessionData (unified-provisioning.md §2.2-§2.6) shared by sec0/1/2.
// Decoding never throws: a payload protobufjs cannot parse is simply "no message" (the scheme then answers nothing).
import { SessionData } from '../../generated/proto.js';

export type DecodedSessionData = ReturnType<typeof SessionData.decode>;

export function decodeSessionData(request: Uint8Array): DecodedSessionData | undefined {
  try {
    return SessionData.decode(request);
  } catch {
    return undefined;
  }
}

export function encodeSessionData(message: Parameters<typeof SessionData.encode>[0]): Uint8Array {
  return SessionData.encode(message).finish();
}
