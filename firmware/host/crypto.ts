// Crypto host: the only way firmware reaches cryptographic primitives.
// ESP32: native C on PSA Crypto (mbedTLS 4 in ESP-IDF v6) plus mbedtls_mpi for SRP modexp (hardware MPI).
// Simulator: node:crypto. All byte strings are Uint8Array; integers for modPow are big-endian, unsigned.
//
// Contract for every implementation:
// - Functions are synchronous and never return shared buffers: the caller owns every returned array.
// - Wrong argument sizes throw CryptoHostError('INVALID_ARGUMENT'); an engine failure throws 'INTERNAL'.
// - aesGcmOpen returns undefined when the tag does not verify (never throws for that, never returns partial data).

export class CryptoHostError extends Error {
  constructor(readonly code: 'INVALID_ARGUMENT' | 'INTERNAL' | 'CLOSED', message: string) {
    super(message);
    this.name = 'CryptoHostError';
  }
}

/** One AES-256-CTR keystream. Encrypt and decrypt are the same operation; the stream continues across calls,
 * including partial blocks (mbedTLS aes_crypt_ctr semantics; unified-provisioning.md §4.3). */
export interface AesCtrStream {
  update(data: Uint8Array): Uint8Array;
  /** Wipes the key schedule. update() after close() throws CryptoHostError('CLOSED'). */
  close(): void;
}

export interface CryptoHost {
  /** Cryptographically secure random bytes (ESP32: esp_fill_random with RF on or the bootloader RNG enabled). */
  randomBytes(length: number): Uint8Array;
  sha256(data: Uint8Array): Uint8Array;
  sha512(data: Uint8Array): Uint8Array;
  hmacSha256(key: Uint8Array, data: Uint8Array): Uint8Array;
  /** RFC 7748 X25519: 32-byte little-endian scalar and u-coordinate in, 32-byte u-coordinate out.
   * x25519(priv, BASEPOINT) gives the public key. Throws INVALID_ARGUMENT unless both are 32 bytes,
   * and INTERNAL if the result is all zero (low-order peer point). */
  x25519(privateKey: Uint8Array, peerPublicKey: Uint8Array): Uint8Array;
  /** key: 32 bytes; initialCounter: 16 bytes, incremented as a 128-bit big-endian integer. */
  aesCtr(key: Uint8Array, initialCounter: Uint8Array): AesCtrStream;
  /** AES-256-GCM, 16-byte tag appended. iv: 12 bytes, or 16 bytes (GHASH-derived J0, for sec2 patch 0). */
  aesGcmSeal(key: Uint8Array, iv: Uint8Array, plaintext: Uint8Array, aad?: Uint8Array): Uint8Array;
  aesGcmOpen(key: Uint8Array, iv: Uint8Array, ciphertextAndTag: Uint8Array, aad?: Uint8Array): Uint8Array | undefined;
  /** base^exponent mod modulus on unsigned big-endian integers; result is minimal big-endian (empty for zero).
   * ESP32: mbedtls_mpi_exp_mod. Throws INVALID_ARGUMENT for an even or zero modulus. */
  modPow(base: Uint8Array, exponent: Uint8Array, modulus: Uint8Array): Uint8Array;
}

/** The X25519 base point u = 9 (RFC 7748 §4.1), little-endian. */
export const X25519_BASEPOINT: Uint8Array = (() => {
  const b = new Uint8Array(32);
  b[0] = 9;
  return b;
})();
