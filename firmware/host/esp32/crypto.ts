// ESP32 crypto host: firmware/host/crypto.ts on the native crypto core (native/crypto: PSA Crypto + mbedtls_mpi,
// unified-provisioning.md §4 sec1 / §5 sec2). Argument sizes are checked here so every contract error is a
// CryptoHostError with the right code; the C side re-checks what memory safety depends on.

import { CryptoHostError, type AesCtrStream, type CryptoHost } from '../crypto';
import { bytes, isStatus } from './status';

// nc_crypto_status (native/crypto/nc_crypto.h)
const INVALID_ARGUMENT = -1;
const CLOSED = -3;
const AUTH_FAILED = -4;

function fail(status: number, what: string): never {
  if (status === INVALID_ARGUMENT) throw new CryptoHostError('INVALID_ARGUMENT', `${what}: invalid argument`);
  if (status === CLOSED) throw new CryptoHostError('CLOSED', `${what}: stream closed`);
  throw new CryptoHostError('INTERNAL', `${what}: crypto engine failure (${status})`);
}

function requireLength(name: string, data: Uint8Array, ...lengths: number[]): void {
  if (!(data instanceof Uint8Array) || !lengths.includes(data.length)) {
    throw new CryptoHostError('INVALID_ARGUMENT', `${name} must be ${lengths.join(' or ')} bytes`);
  }
}

function value(result: ArrayBuffer | number, what: string): Uint8Array {
  if (isStatus(result)) fail(result, what);
  return bytes(result);
}

class NativeCrypto extends Native('xs_nc_crypto_destructor') {
  constructor() {
    super();
    native('xs_nc_crypto_constructor').call(this);
  }
  random(length: number): ArrayBuffer | number {
    return native('xs_nc_crypto_random').call(this, length);
  }
  sha256(data: Uint8Array): ArrayBuffer | number {
    return native('xs_nc_crypto_sha256').call(this, data);
  }
  sha512(data: Uint8Array): ArrayBuffer | number {
    return native('xs_nc_crypto_sha512').call(this, data);
  }
  hmacSha256(key: Uint8Array, data: Uint8Array): ArrayBuffer | number {
    return native('xs_nc_crypto_hmac_sha256').call(this, key, data);
  }
  x25519(privateKey: Uint8Array, peer: Uint8Array): ArrayBuffer | number {
    return native('xs_nc_crypto_x25519').call(this, privateKey, peer);
  }
  gcmSeal(key: Uint8Array, iv: Uint8Array, data: Uint8Array, aad: Uint8Array | undefined): ArrayBuffer | number {
    return native('xs_nc_crypto_gcm_seal').call(this, key, iv, data, aad);
  }
  gcmOpen(key: Uint8Array, iv: Uint8Array, data: Uint8Array, aad: Uint8Array | undefined): ArrayBuffer | number {
    return native('xs_nc_crypto_gcm_open').call(this, key, iv, data, aad);
  }
  modPow(base: Uint8Array, exponent: Uint8Array, modulus: Uint8Array): ArrayBuffer | number {
    return native('xs_nc_crypto_modpow').call(this, base, exponent, modulus);
  }
}

class NativeAesCtr extends Native('xs_nc_aesctr_destructor') {
  constructor(key: Uint8Array, counter: Uint8Array) {
    super();
    native('xs_nc_aesctr_constructor').call(this, key, counter);
  }
  update(data: Uint8Array): ArrayBuffer | number {
    return native('xs_nc_aesctr_update').call(this, data);
  }
  close(): void {
    native('xs_nc_aesctr_close').call(this);
  }
}

export class Esp32CryptoHost implements CryptoHost {
  readonly #native = new NativeCrypto();

  randomBytes(length: number): Uint8Array {
    if (!Number.isInteger(length) || length < 0 || length > 65536) {
      throw new CryptoHostError('INVALID_ARGUMENT', 'randomBytes: length must be 0..65536');
    }
    return value(this.#native.random(length), 'randomBytes');
  }

  sha256(data: Uint8Array): Uint8Array {
    return value(this.#native.sha256(data), 'sha256');
  }

  sha512(data: Uint8Array): Uint8Array {
    return value(this.#native.sha512(data), 'sha512');
  }

  hmacSha256(key: Uint8Array, data: Uint8Array): Uint8Array {
    return value(this.#native.hmacSha256(key, data), 'hmacSha256');
  }

  x25519(privateKey: Uint8Array, peerPublicKey: Uint8Array): Uint8Array {
    requireLength('x25519 private key', privateKey, 32);
    requireLength('x25519 peer public key', peerPublicKey, 32);
    return value(this.#native.x25519(privateKey, peerPublicKey), 'x25519');
  }

  aesCtr(key: Uint8Array, initialCounter: Uint8Array): AesCtrStream {
    requireLength('AES-256 key', key, 32);
    requireLength('CTR initial counter', initialCounter, 16);
    const stream = new NativeAesCtr(key, initialCounter);
    return {
      update: (data: Uint8Array) => value(stream.update(data), 'aesCtr.update'),
      close: () => stream.close(),
    };
  }

  aesGcmSeal(key: Uint8Array, iv: Uint8Array, plaintext: Uint8Array, aad?: Uint8Array): Uint8Array {
    requireLength('AES-256 key', key, 32);
    requireLength('GCM IV', iv, 12, 16);
    return value(this.#native.gcmSeal(key, iv, plaintext, aad), 'aesGcmSeal');
  }

  aesGcmOpen(key: Uint8Array, iv: Uint8Array, ciphertextAndTag: Uint8Array, aad?: Uint8Array): Uint8Array | undefined {
    requireLength('AES-256 key', key, 32);
    requireLength('GCM IV', iv, 12, 16);
    const result = this.#native.gcmOpen(key, iv, ciphertextAndTag, aad);
    if (result === AUTH_FAILED) return undefined; // tag mismatch is an answer, not an error
    return value(result, 'aesGcmOpen');
  }

  modPow(base: Uint8Array, exponent: Uint8Array, modulus: Uint8Array): Uint8Array {
    if (modulus.length === 0 || (modulus[modulus.length - 1]! & 1) === 0) {
      throw new CryptoHostError('INVALID_ARGUMENT', 'modPow: modulus must be odd and non-zero');
    }
    return value(this.#native.modPow(base, exponent, modulus), 'modPow');
  }
}
