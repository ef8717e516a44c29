// Host-side primitives for the provisioning client: node:crypto through the simulator's crypto host (X25519,
// AES-CTR, AES-GCM, SHA) plus BigInt helpers for SRP. Written for the client; it shares no protocol logic with the
// device code in firmware/protocomm (only the primitive provider, which the pinned esp_prov vectors check).
import * as nodeCrypto from 'node:crypto';
import { createNodeCryptoHost } from '../../sim/host/crypto';
import type { RandomSource } from './types';

export const primitives = createNodeCryptoHost();

export const systemRandom: RandomSource = (length) => new Uint8Array(nodeCrypto.randomBytes(length));

export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  return new Uint8Array(Buffer.concat(parts));
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && nodeCrypto.timingSafeEqual(a, b);
}

/** BigInt helpers for SRP, shared with the simulator's crypto host (host-side code only). */
export { bytesToBigInt as toBig, bigIntToBytes as fromBig, modPow } from '../../common/bigint';

/** Strips leading zero bytes: long_to_bytes(bytes_to_long(x)). */
export function stripZeros(data: Uint8Array): Uint8Array {
  let i = 0;
  while (i < data.length && data[i] === 0) i++;
  return data.slice(i);
}
