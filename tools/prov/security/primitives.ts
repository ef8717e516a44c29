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

export function toBig(data: Uint8Array): bigint {
  return data.length === 0 ? 0n : BigInt('0x' + Buffer.from(data).toString('hex'));
}

/** Minimal big-endian bytes (Python's long_to_bytes, which esp_prov uses; §11.2), or left-padded to `width`. */
export function fromBig(value: bigint, width?: number): Uint8Array {
  let hex = value === 0n ? '' : value.toString(16);
  if (hex.length % 2) hex = '0' + hex;
  if (width !== undefined) {
    if (hex.length > width * 2) throw new RangeError('integer wider than its field');
    hex = hex.padStart(width * 2, '0');
  }
  return new Uint8Array(Buffer.from(hex, 'hex'));
}

/** Strips leading zero bytes: long_to_bytes(bytes_to_long(x)). */
export function stripZeros(data: Uint8Array): Uint8Array {
  let i = 0;
  while (i < data.length && data[i] === 0) i++;
  return data.slice(i);
}

export function modPow(base: bigint, exponent: bigint, modulus: bigint): bigint {
  let result = 1n % modulus;
  let b = base % modulus;
  let e = exponent;
  while (e > 0n) {
    if (e & 1n) result = (result * b) % modulus;
    b = (b * b) % modulus;
    e >>= 1n;
  }
  return result;
}
