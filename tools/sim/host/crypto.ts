// Simulator crypto host on node:crypto (OpenSSL). Implements firmware/host/crypto.ts; the ESP32 twin is
// native/esp32/crypto (PSA). Randomness can be replaced by a scripted source so pinned test vectors replay.
import * as nodeCrypto from 'node:crypto';
import { CryptoHostError, type AesCtrStream, type CryptoHost } from '../../../firmware/host/crypto';
import { bigIntToBytes, bytesToBigInt, modPow } from '../../common/bigint';

// DER prefixes that wrap a raw 32-byte X25519 scalar / u-coordinate (RFC 8410).
const X25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b656e04220420', 'hex');
const X25519_SPKI_PREFIX = Buffer.from('302a300506032b656e032100', 'hex');

export type RandomSource = (length: number) => Uint8Array;

const systemRandom: RandomSource = (length) => new Uint8Array(nodeCrypto.randomBytes(length));

function own(data: Uint8Array): Uint8Array {
  // Return a plain Uint8Array (not a Buffer view into a shared pool) so firmware never aliases host memory.
  return new Uint8Array(data);
}

function requireLength(name: string, data: Uint8Array, ...lengths: number[]): void {
  if (!(data instanceof Uint8Array) || !lengths.includes(data.length)) {
    throw new CryptoHostError('INVALID_ARGUMENT', `${name} must be ${lengths.join(' or ')} bytes`);
  }
}

export function createNodeCryptoHost(random: RandomSource = systemRandom): CryptoHost {
  return {
    randomBytes(length) {
      if (!Number.isInteger(length) || length < 0 || length > 4096) {
        throw new CryptoHostError('INVALID_ARGUMENT', 'randomBytes length must be 0..4096');
      }
      const out = random(length);
      if (out.length !== length) throw new CryptoHostError('INTERNAL', 'random source returned the wrong length');
      return own(out);
    },
    sha256: (data) => own(nodeCrypto.createHash('sha256').update(data).digest()),
    sha512: (data) => own(nodeCrypto.createHash('sha512').update(data).digest()),
    hmacSha256: (key, data) => own(nodeCrypto.createHmac('sha256', key).update(data).digest()),
    x25519(privateKey, peerPublicKey) {
      requireLength('x25519 private key', privateKey, 32);
      requireLength('x25519 peer public key', peerPublicKey, 32);
      const priv = nodeCrypto.createPrivateKey({
        key: Buffer.concat([X25519_PKCS8_PREFIX, privateKey]),
        format: 'der',
        type: 'pkcs8',
      });
      const pub = nodeCrypto.createPublicKey({
        key: Buffer.concat([X25519_SPKI_PREFIX, peerPublicKey]),
        format: 'der',
        type: 'spki',
      });
      let shared: Buffer;
      try {
        shared = nodeCrypto.diffieHellman({ privateKey: priv, publicKey: pub });
      } catch (error) {
        // OpenSSL refuses an all-zero shared secret (low-order point), as PSA does.
        throw new CryptoHostError('INTERNAL', `x25519 failed: ${(error as Error).message}`);
      }
      return own(shared);
    },
    aesCtr(key, initialCounter): AesCtrStream {
      requireLength('AES-256 key', key, 32);
      requireLength('CTR initial counter', initialCounter, 16);
      let cipher: nodeCrypto.Cipher | undefined = nodeCrypto.createCipheriv('aes-256-ctr', key, initialCounter);
      return {
        update(data) {
          if (!cipher) throw new CryptoHostError('CLOSED', 'AES-CTR stream is closed');
          return own(cipher.update(data));
        },
        close() {
          cipher = undefined;
        },
      };
    },
    aesGcmSeal(key, iv, plaintext, aad) {
      requireLength('AES-256 key', key, 32);
      requireLength('GCM IV', iv, 12, 16);
      const cipher = nodeCrypto.createCipheriv('aes-256-gcm', key, iv, { authTagLength: 16 });
      if (aad) cipher.setAAD(aad);
      const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
      return own(Buffer.concat([body, cipher.getAuthTag()]));
    },
    aesGcmOpen(key, iv, ciphertextAndTag, aad) {
      requireLength('AES-256 key', key, 32);
      requireLength('GCM IV', iv, 12, 16);
      if (ciphertextAndTag.length < 16) return undefined;
      const body = ciphertextAndTag.subarray(0, ciphertextAndTag.length - 16);
      const tag = ciphertextAndTag.subarray(ciphertextAndTag.length - 16);
      const decipher = nodeCrypto.createDecipheriv('aes-256-gcm', key, iv, { authTagLength: 16 });
      if (aad) decipher.setAAD(aad);
      decipher.setAuthTag(tag);
      try {
        return own(Buffer.concat([decipher.update(body), decipher.final()]));
      } catch {
        return undefined;
      }
    },
    modPow(base, exponent, modulus) {
      const m = bytesToBigInt(modulus);
      if (m === 0n || (m & 1n) === 0n) throw new CryptoHostError('INVALID_ARGUMENT', 'modulus must be odd and non-zero');
      return bigIntToBytes(modPow(bytesToBigInt(base), bytesToBigInt(exponent), m));
    },
  };
}

/** A random source that first hands out scripted byte strings (each must be requested with its exact length),
 * then falls back to `fallback`. Used to pin device randomness for the ../shared/vectors transcripts. */
export function scriptedRandom(script: Uint8Array[], fallback: RandomSource = systemRandom): RandomSource & { remaining(): number } {
  const queue = script.slice();
  const source = ((length: number) => {
    const next = queue.shift();
    if (!next) return fallback(length);
    if (next.length !== length) {
      throw new Error(`scripted random: asked for ${length} bytes, next scripted value has ${next.length}`);
    }
    return next;
  }) as RandomSource & { remaining(): number };
  source.remaining = () => queue.length;
  return source;
}
