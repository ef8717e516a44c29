// Security 2 client (unified-provisioning.md §5): SRP-6a over the RFC 5054 3072-bit group (g = 5, H = SHA-512)
// with esp_prov's encodings, then AES-256-GCM with key K[0:32]. Patch 1 (§5.6): 12-byte IV = 8-byte session id ‖
// 4-byte big-endian counter, bumped after every successful encrypt/decrypt on both sides. Patch 0 (§5.7): the
// 16-byte device nonce is the IV of every message in both directions.
import { SessionData } from '../../../firmware/generated/proto.js';
import { SecurityError } from '../errors';
import { decodeSession } from './sec0';
import { bytesEqual, concatBytes, fromBig, modPow, primitives, stripZeros, systemRandom, toBig } from './primitives';
import { TwoRoundHandshake } from './handshake';
import type { RandomSource } from './types';

/** RFC 5054 Appendix A, 3072-bit group prime (= RFC 3526 MODP group 15). */
const N = BigInt(
  '0xffffffffffffffffc90fdaa22168c234c4c6628b80dc1cd129024e088a67cc74020bbea63b139b22514a08798e3404dd' +
    'ef9519b3cd3a431b302b0a6df25f14374fe1356d6d51c245e485b576625e7ec6f44c42e9a637ed6b0bff5cb6f406b7ed' +
    'ee386bfb5a899fa5ae9f24117c4b1fe649286651ece45b3dc2007cb8a163bf0598da48361c55d39a69163fa8fd24cf5f' +
    '83655d23dca3ad961c62f356208552bb9ed529077096966d670c354e4abc9804f1746c08ca18217c32905e462e36ce3b' +
    'e39e772c180e86039b2783a2ec07a28fb5c55df06f4c52c9de2bcbf6955817183995497cea956ae515d2261898fa0510' +
    '15728e5a8aaac42dad33170d04507a33a85521abdf1cba64ecfb850458dbef0a8aea71575d060c7db3970f85a6e1e4c7' +
    'abf5ae8cdb0933d71e8c94e04a25619dcee3d2261ad2ee6bf12ffa06d98a0864d87602733ec86a64521f2b18177b200c' +
    'bbe117577a615d6c770988c0bad946e208e24fa074e5ab3143db5bfce0fd108e4b82d120a93ad2caffffffffffffffff',
);
const G = 5n;
export const SRP_BYTES = 384;
/** How many draws of `a` we allow before giving up (each fails with probability ~1/256; §5.8). */
const MAX_A_DRAWS = 64;

const H = (...parts: Uint8Array[]) => primitives.sha512(concatBytes(...parts));
const pad = (value: bigint) => fromBig(value, SRP_BYTES);

export const SRP_N_BYTES = pad(N);

export interface Sec2Options {
  /** SRP identity; the OpenRemote apps always use "UNUSED" (openremote.md §2.3). */
  username: string;
  /** SRP password (= the PoP for OpenRemote devices). Never logged. */
  password: string;
  /** From proto-ver `prov.sec_patch_ver` (§5.7): 1 = counter IV, 0 = one 16-byte IV. Default 1. */
  patchVersion?: 0 | 1;
  /** Supplies the 32-byte SRP private value a (pinned in the vector tests). */
  random?: RandomSource;
}

export class Sec2Client extends TwoRoundHandshake {
  readonly version = 2 as const;
  private readonly patch: 0 | 1;
  private readonly user: Uint8Array;
  private a = 0n;
  private A: Uint8Array = new Uint8Array(0);
  private K: Uint8Array | undefined;
  private M1: Uint8Array | undefined;
  private iv: Uint8Array | undefined;

  constructor(private readonly options: Sec2Options) {
    super();
    this.patch = options.patchVersion ?? 1;
    this.user = new TextEncoder().encode(options.username);
    if (this.user.length === 0) throw new SecurityError('sec2: the username must not be empty (§5.4)');
  }

  protected command0(): Uint8Array {
    const random = this.options.random ?? systemRandom;
    // §5.8 (the IEC fix): the device insists on a 384-byte A and esp_prov sends A minimally, so re-draw `a` until
    // A has no leading zero byte; then minimal, padded and transmitted encodings of A all agree.
    for (let draw = 0; draw < MAX_A_DRAWS; draw++) {
      const a = toBig(random(32));
      if (a === 0n) continue;
      const A = fromBig(modPow(G, a, N));
      if (A.length !== SRP_BYTES) continue;
      this.a = a;
      this.A = A;
      return SessionData.encode({ secVer: 2, sec2: { msg: 0, sc0: { clientUsername: this.user, clientPubkey: A } } }).finish();
    }
    throw new SecurityError('sec2: could not draw a usable SRP private value');
  }

  protected command1(response: Uint8Array | undefined): Uint8Array {
    const sr0 = decodeSession(response).sec2?.sr0;
    if (!sr0) throw new SecurityError('sec2: the answer is not an S2SessionResp0');
    const B = new Uint8Array(sr0.devicePubkey ?? new Uint8Array(0));
    const salt = new Uint8Array(sr0.deviceSalt ?? new Uint8Array(0));
    if (B.length === 0 || B.length > SRP_BYTES) throw new SecurityError(`sec2: device public key has ${B.length} bytes`);
    if (salt.length === 0) throw new SecurityError('sec2: the device sent no salt');
    const Bn = toBig(B);
    // RFC 5054 §2.6: the client aborts if B % N == 0 (a malicious device could otherwise fix S).
    if (Bn % N === 0n) throw new SecurityError('sec2: device public key B is 0 mod N');
    const u = toBig(H(pad(toBig(this.A)), pad(Bn)));
    if (u === 0n) throw new SecurityError('sec2: u = 0');
    const k = toBig(H(SRP_N_BYTES, pad(G)));
    // esp_prov's x (§5.8 last item): long_to_bytes strips leading zero bytes of the salt and of the inner hash.
    const inner = H(this.user, new TextEncoder().encode(':' + this.options.password));
    const x = toBig(H(stripZeros(salt), stripZeros(inner)));
    const base = (((Bn - ((k * modPow(G, x, N)) % N)) % N) + N) % N;
    const S = modPow(base, this.a + u * x, N);
    this.a = 0n;
    // K = H(S) over the minimal encoding (§5.3).
    this.K = H(fromBig(S));
    const hN = H(SRP_N_BYTES);
    const hg = H(pad(G));
    const xored = hN.map((v, i) => v ^ hg[i]!);
    // M1 over A, B and salt exactly as transmitted: that is what the device hashes (§5.3), and it equals
    // esp_prov's minimal encodings whenever the device follows §5.8 (no leading zero bytes).
    this.M1 = H(xored, H(this.user), salt, this.A, B, this.K);
    return SessionData.encode({ secVer: 2, sec2: { msg: 2, sc1: { clientProof: this.M1 } } }).finish();
  }

  protected checkResponse1(response: Uint8Array | undefined): void {
    const sr1 = decodeSession(response).sec2?.sr1;
    if (!sr1) throw new SecurityError('sec2: the answer is not an S2SessionResp1');
    const proof = sr1.deviceProof ?? new Uint8Array(0);
    const M2 = H(this.A, this.M1 as Uint8Array, this.K as Uint8Array);
    if (!bytesEqual(proof, M2)) throw new SecurityError('sec2: device proof M2 does not verify');
    const nonce = sr1.deviceNonce ?? new Uint8Array(0);
    const want = this.patch === 1 ? 12 : 16;
    if (nonce.length !== want) {
      throw new SecurityError(`sec2: device nonce has ${nonce.length} bytes, patch ${this.patch} needs ${want} (check sec_patch_ver)`);
    }
    this.iv = new Uint8Array(nonce);
  }

  encrypt(plaintext: Uint8Array): Uint8Array {
    const out = primitives.aesGcmSeal(this.key(), this.iv as Uint8Array, plaintext);
    this.bump();
    return out;
  }

  decrypt(ciphertext: Uint8Array): Uint8Array {
    const out = primitives.aesGcmOpen(this.key(), this.iv as Uint8Array, ciphertext);
    // A failed decrypt does not advance the counter (§5.6), but the session is unusable from here anyway.
    if (!out) throw new SecurityError('sec2: response does not authenticate (AES-GCM tag mismatch)');
    this.bump();
    return out;
  }

  override close(): void {
    this.K?.fill(0);
    this.K = undefined;
    this.a = 0n;
    super.close();
  }

  private key(): Uint8Array {
    if (!this.established || !this.K) throw new SecurityError('sec2: session not established');
    return this.K.subarray(0, 32);
  }

  /** Patch 1: the 32-bit big-endian counter in IV bytes 8..11 goes up by one per message (§5.6). */
  private bump(): void {
    if (this.patch === 0) return;
    const iv = this.iv as Uint8Array;
    for (let i = 11; i >= 8; i--) {
      iv[i] = (iv[i]! + 1) & 0xff;
      if (iv[i] !== 0) break;
    }
  }
}
