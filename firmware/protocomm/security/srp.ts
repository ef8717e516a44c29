// SRP-6a math for protocomm security 2 (unified-provisioning.md §5.1-§5.3, §5.8): RFC 5054 3072-bit group, g = 5,
// H = SHA-512. Shared by the device scheme (sec2.ts) and the factory tool (tools/srp/gen-verifier.ts), so the
// verifier a factory writes and the proof a device checks come from one implementation.
// The 3072-bit modular exponentiations go to CryptoHost.modPow (mbedtls_mpi_exp_mod on the chip); the cheap
// multiply/add mod N stay in BigInt (XS 13 has BigInt but no BigInt.fromArrayBuffer, hence the hex conversions).
import type { CryptoHost } from '../../host/crypto';
import { concat, fromHex, toHex, utf8Encode, xor } from '../../util/bytes';

/** Size of N and of every padded value, in bytes. */
export const SRP_N_LENGTH = 384;

/** RFC 5054 Appendix A, 3072-bit group (identical to the RFC 3526 MODP group 15 prime). */
const N_HEX =
  'ffffffffffffffffc90fdaa22168c234c4c6628b80dc1cd129024e088a67cc74020bbea63b139b22514a08798e3404dd' +
  'ef9519b3cd3a431b302b0a6df25f14374fe1356d6d51c245e485b576625e7ec6f44c42e9a637ed6b0bff5cb6f406b7ed' +
  'ee386bfb5a899fa5ae9f24117c4b1fe649286651ece45b3dc2007cb8a163bf0598da48361c55d39a69163fa8fd24cf5f' +
  '83655d23dca3ad961c62f356208552bb9ed529077096966d670c354e4abc9804f1746c08ca18217c32905e462e36ce3b' +
  'e39e772c180e86039b2783a2ec07a28fb5c55df06f4c52c9de2bcbf6955817183995497cea956ae515d2261898fa0510' +
  '15728e5a8aaac42dad33170d04507a33a85521abdf1cba64ecfb850458dbef0a8aea71575d060c7db3970f85a6e1e4c7' +
  'abf5ae8cdb0933d71e8c94e04a25619dcee3d2261ad2ee6bf12ffa06d98a0864d87602733ec86a64521f2b18177b200c' +
  'bbe117577a615d6c770988c0bad946e208e24fa074e5ab3143db5bfce0fd108e4b82d120a93ad2caffffffffffffffff';

/** N as 384 big-endian bytes (a fresh copy: callers own it). */
export function srpN(): Uint8Array {
  return fromHex(N_HEX) as Uint8Array;
}

/** g = 5 as a minimal big-endian integer. */
export const SRP_G = Uint8Array.of(5);

const N_BIG = BigInt('0x' + N_HEX);

export function bytesToBigInt(data: Uint8Array): bigint {
  return data.length === 0 ? 0n : BigInt('0x' + toHex(data));
}

/** Minimal big-endian encoding (mbedTLS writing an integer at its own size, §5.1); zero is the empty string. */
export function bigIntToBytes(value: bigint): Uint8Array {
  if (value < 0n) throw new RangeError('bigIntToBytes: negative');
  if (value === 0n) return new Uint8Array(0);
  let hex = value.toString(16);
  if (hex.length % 2) hex = '0' + hex;
  return fromHex(hex) as Uint8Array;
}

/** Strips leading zero bytes, giving the minimal encoding of the same integer. */
export function minimal(data: Uint8Array): Uint8Array {
  let i = 0;
  while (i < data.length && data[i] === 0) i++;
  return data.slice(i);
}

/** PAD(x): left-pads to 384 bytes. Used only inside k and u (§5.3). */
export function pad(data: Uint8Array): Uint8Array {
  const m = minimal(data);
  if (m.length > SRP_N_LENGTH) throw new RangeError('pad: value wider than N');
  const out = new Uint8Array(SRP_N_LENGTH);
  out.set(m, SRP_N_LENGTH - m.length);
  return out;
}

export function modN(value: bigint): bigint {
  return value % N_BIG;
}

/** k = H(N ‖ PAD(g)). */
export function computeK(crypto: CryptoHost): Uint8Array {
  return crypto.sha512(concat(srpN(), pad(SRP_G)));
}

/** x = H(salt ‖ H(username ‖ ":" ‖ password)) (§5.2), with the inner hash kept at its full 64 bytes. */
export function computeX(crypto: CryptoHost, salt: Uint8Array, username: Uint8Array, password: Uint8Array): Uint8Array {
  const inner = crypto.sha512(concat(username, utf8Encode(':'), password));
  return crypto.sha512(concat(salt, inner));
}

/** True when esp_prov v5.5.4 would compute a different x for these credentials: it strips leading zero bytes of
 * the inner hash (and of the salt) before hashing (§5.8). Factory tools must refuse such inputs. */
export function espProvXDiffers(crypto: CryptoHost, salt: Uint8Array, username: Uint8Array, password: Uint8Array): boolean {
  const inner = crypto.sha512(concat(username, utf8Encode(':'), password));
  return inner[0] === 0 || salt.length === 0 || salt[0] === 0;
}

/** v = g^x mod N, minimal big-endian (§5.2). */
export function computeVerifier(crypto: CryptoHost, salt: Uint8Array, username: Uint8Array, password: Uint8Array): Uint8Array {
  return crypto.modPow(SRP_G, computeX(crypto, salt, username, password), srpN());
}

/** k·v mod N: constant per provisioned verifier, so a device computes it once (§13 item 3). */
export function computeKv(crypto: CryptoHost, verifier: Uint8Array): bigint {
  return modN(bytesToBigInt(computeK(crypto)) * modN(bytesToBigInt(verifier)));
}

/** B = (k·v + g^b) mod N, minimal big-endian (§5.3). One host modexp. */
export function computeB(crypto: CryptoHost, kv: bigint, b: Uint8Array): Uint8Array {
  const gb = bytesToBigInt(crypto.modPow(SRP_G, b, srpN()));
  return bigIntToBytes(modN(kv + gb));
}

/** RFC 5054 §2.5.4: A ≡ 0 (mod N) would make S independent of the password (authentication bypass). */
export function isZeroModN(value: Uint8Array): boolean {
  return modN(bytesToBigInt(value)) === 0n;
}

/** u = H(PAD(A) ‖ PAD(B)) (§5.3). */
export function computeU(crypto: CryptoHost, A: Uint8Array, B: Uint8Array): Uint8Array {
  return crypto.sha512(concat(pad(A), pad(B)));
}

/** S = (A · v^u)^b mod N, minimal big-endian (§5.3). Two host modexps; the multiply stays in BigInt. */
export function computeS(crypto: CryptoHost, A: Uint8Array, verifier: Uint8Array, u: Uint8Array, b: Uint8Array): Uint8Array {
  const N = srpN();
  const vu = bytesToBigInt(crypto.modPow(verifier, u, N));
  const base = modN(modN(bytesToBigInt(A)) * vu);
  return crypto.modPow(bigIntToBytes(base), b, N);
}

/** K = H(bytes(S)) with S minimal (§5.3). */
export function computeSessionKey(crypto: CryptoHost, S: Uint8Array): Uint8Array {
  return crypto.sha512(minimal(S));
}

/** M1 = H(H(N) XOR H(PAD(g)) ‖ H(username) ‖ salt ‖ A ‖ B ‖ K); salt, A and B exactly as sent (§5.3). */
export function computeM1(
  crypto: CryptoHost,
  username: Uint8Array,
  salt: Uint8Array,
  A: Uint8Array,
  B: Uint8Array,
  K: Uint8Array,
): Uint8Array {
  const hNg = xor(crypto.sha512(srpN()), crypto.sha512(pad(SRP_G)));
  return crypto.sha512(concat(hNg, crypto.sha512(username), salt, A, B, K));
}

/** M2 = H(A ‖ M1 ‖ K) (§5.3). */
export function computeM2(crypto: CryptoHost, A: Uint8Array, M1: Uint8Array, K: Uint8Array): Uint8Array {
  return crypto.sha512(concat(A, M1, K));
}

/** A random salt whose first byte is non-zero, so esp_prov's minimal encoding equals the stored bytes (§5.8). */
export function generateSalt(crypto: CryptoHost, length = 16): Uint8Array {
  if (!Number.isInteger(length) || length < 1 || length > 64) throw new RangeError('salt length must be 1..64');
  for (;;) {
    const salt = crypto.randomBytes(length);
    if (salt[0] !== 0) return salt;
  }
}
