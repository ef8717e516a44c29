// Security 0 client (unified-provisioning.md §3): one plaintext exchange, no encryption. esp_prov sends
// `52 03 a2 01 00` and accepts any decodable SessionData carrying a sec0 response.
import { SessionData } from '../../../firmware/generated/proto.js';
import { SecurityError } from '../errors';
import type { ClientSecurity } from './types';

export class Sec0Client implements ClientSecurity {
  readonly version = 0 as const;
  private stage = 0;

  get established(): boolean {
    return this.stage === 2;
  }

  step(response: Uint8Array | undefined): Uint8Array | undefined {
    if (this.stage === 0) {
      this.stage = 1;
      // sec_ver 0 is omitted (proto3 zero); the empty `sc` sub-message is present (§2.6).
      return SessionData.encode({ secVer: 0, sec0: { msg: 0, sc: {} } }).finish();
    }
    if (this.stage === 1) {
      const data = decodeSession(response);
      if (!data.sec0?.sr) throw new SecurityError('sec0: the answer is not an S0SessionResp');
      if (data.sec0.sr.status) throw new SecurityError(`sec0: device status ${data.sec0.sr.status}`);
      this.stage = 2;
      return undefined;
    }
    throw new SecurityError('sec0: handshake already complete');
  }

  encrypt(plaintext: Uint8Array): Uint8Array {
    return plaintext.slice();
  }
  decrypt(ciphertext: Uint8Array): Uint8Array {
    return ciphertext.slice();
  }
  close(): void {
    this.stage = 0;
  }
}

/** Decodes a SessionData answer; any decode failure is a SecurityError (the device sent garbage). */
export function decodeSession(response: Uint8Array | undefined): SessionData {
  if (!response) throw new SecurityError('no session response');
  try {
    return SessionData.decode(response);
  } catch (error) {
    throw new SecurityError(`undecodable SessionData: ${(error as Error).message}`);
  }
}
