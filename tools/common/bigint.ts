// Big-endian bytes <-> BigInt and modular exponentiation for host-side tools: the simulator's crypto host
// (tools/sim/host/crypto.ts, CryptoHost.modPow) and the provisioning client's SRP (tools/prov/security, §5).
// Never used by firmware/: the device has its own in firmware/protocomm/security/srp.ts.

/** Unsigned big-endian bytes to BigInt; empty input is 0. */
export function bytesToBigInt(data: Uint8Array): bigint {
  return data.length === 0 ? 0n : BigInt('0x' + Buffer.from(data).toString('hex'));
}

/** Minimal big-endian bytes (0 is empty; Python's long_to_bytes, which esp_prov uses; §11.2), or left-padded to
 * `width` bytes (RangeError when the value does not fit). */
export function bigIntToBytes(value: bigint, width?: number): Uint8Array {
  let hex = value === 0n ? '' : value.toString(16);
  if (hex.length % 2) hex = '0' + hex;
  if (width !== undefined) {
    if (hex.length > width * 2) throw new RangeError('integer wider than its field');
    hex = hex.padStart(width * 2, '0');
  }
  return new Uint8Array(Buffer.from(hex, 'hex'));
}

/** Right-to-left square-and-multiply; exponents here are SRP values of at most about 800 bits (b, a + u·x). */
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
