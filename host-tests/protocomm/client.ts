// A minimal provisioning client for the protocomm tests (the esp_prov side of unified-provisioning.md §4 and §5),
// written independently of the device code: SRP client math in BigInt here, primitives from node:crypto through
// the simulator crypto host. The pinned transcripts prove byte-compatibility with esp_prov; this client lets the
// regression tests run fresh sessions (wrong PoP, wrong password, replays, session wipes).
import { createNodeCryptoHost } from '../../tools/sim/host/crypto';
import { X25519_BASEPOINT, type AesCtrStream } from '../../firmware/host/crypto';
import { SessionData } from '../../firmware/generated/proto.js';
import { srpN } from '../../firmware/protocomm/security/srp';

const crypto = createNodeCryptoHost();
const enc = (m: Parameters<typeof SessionData.encode>[0]) => SessionData.encode(m).finish();
const big = (b: Uint8Array) => (b.length ? BigInt('0x' + Buffer.from(b).toString('hex')) : 0n);
const bytes = (v: bigint, width?: number) => {
  let h = v.toString(16);
  if (h.length % 2) h = '0' + h;
  if (width) h = h.padStart(width * 2, '0');
  return new Uint8Array(Buffer.from(h, 'hex'));
};
const cat = (...parts: Uint8Array[]) => new Uint8Array(Buffer.concat(parts));
function modPow(b: bigint, e: bigint, m: bigint): bigint {
  let r = 1n;
  b %= m;
  while (e > 0n) {
    if (e & 1n) r = (r * b) % m;
    b = (b * b) % m;
    e >>= 1n;
  }
  return r;
}

export class Sec1Client {
  private readonly priv = crypto.randomBytes(32);
  readonly publicKey = crypto.x25519(this.priv, X25519_BASEPOINT);
  private stream: AesCtrStream | undefined;
  private devicePubkey: Uint8Array | undefined;

  constructor(private readonly pop?: string) {}

  command0(): Uint8Array {
    return enc({ secVer: 1, sec1: { msg: 0, sc0: { clientPubkey: this.publicKey } } });
  }

  /** Reads SessionResp0 and returns Command1. */
  command1(resp0: Uint8Array): Uint8Array {
    const r = SessionData.decode(resp0).sec1?.sr0;
    if (!r) throw new Error('not a SessionResp0');
    this.devicePubkey = new Uint8Array((r.devicePubkey ?? new Uint8Array(0)) as Uint8Array);
    const shared = crypto.x25519(this.priv, this.devicePubkey);
    const key = this.pop ? shared.map((v, i) => v ^ crypto.sha256(new TextEncoder().encode(this.pop))[i]) : shared;
    this.stream = crypto.aesCtr(key, new Uint8Array((r.deviceRandom ?? new Uint8Array(0)) as Uint8Array));
    return enc({ secVer: 1, sec1: { msg: 2, sc1: { clientVerifyData: this.stream.update(this.devicePubkey) } } });
  }

  /** Checks SessionResp1: the device's verify data decrypts to our public key. */
  verify(resp1: Uint8Array): boolean {
    const r = SessionData.decode(resp1).sec1?.sr1;
    if (!r || !this.stream) return false;
    return Buffer.from(this.stream.update((r.deviceVerifyData ?? new Uint8Array(0)) as Uint8Array)).equals(Buffer.from(this.publicKey));
  }

  encrypt(data: Uint8Array): Uint8Array {
    return (this.stream as AesCtrStream).update(data);
  }
  decrypt(data: Uint8Array): Uint8Array {
    return (this.stream as AesCtrStream).update(data);
  }
}

export class Sec2Client {
  private readonly N = big(srpN());
  private readonly a: bigint;
  readonly A: Uint8Array;
  private K: Uint8Array | undefined;
  private M1: Uint8Array | undefined;
  private iv: Uint8Array | undefined;

  constructor(
    private readonly username: string,
    private readonly password: string,
    private readonly patchVersion: 0 | 1 = 1,
  ) {
    for (;;) {
      const a = big(crypto.randomBytes(32));
      const A = bytes(modPow(5n, a, this.N));
      if (A.length === 384) {
        this.a = a;
        this.A = A;
        return;
      }
    }
  }

  command0(A: Uint8Array = this.A, username = new TextEncoder().encode(this.username)): Uint8Array {
    return enc({ secVer: 2, sec2: { msg: 0, sc0: { clientUsername: username, clientPubkey: A } } });
  }

  /** Reads S2SessionResp0 and returns Command1 with the client proof M1. */
  command1(resp0: Uint8Array): Uint8Array {
    const r = SessionData.decode(resp0).sec2?.sr0;
    if (!r) throw new Error('not an S2SessionResp0');
    const B = new Uint8Array((r.devicePubkey ?? new Uint8Array(0)) as Uint8Array);
    const salt = new Uint8Array((r.deviceSalt ?? new Uint8Array(0)) as Uint8Array);
    const H = (...p: Uint8Array[]) => crypto.sha512(cat(...p));
    const pad = (v: Uint8Array) => bytes(big(v), 384);
    const user = new TextEncoder().encode(this.username);
    const k = big(H(srpN(), pad(Uint8Array.of(5))));
    const u = big(H(pad(this.A), pad(B)));
    const x = big(H(salt, H(user, new TextEncoder().encode(':' + this.password))));
    const base = (((big(B) - ((k * modPow(5n, x, this.N)) % this.N)) % this.N) + this.N) % this.N;
    const S = modPow(base, this.a + u * x, this.N);
    this.K = H(bytes(S));
    const hN = H(srpN());
    const hg = H(pad(Uint8Array.of(5)));
    this.M1 = H(hN.map((v, i) => v ^ hg[i]), H(user), salt, this.A, B, this.K);
    return enc({ secVer: 2, sec2: { msg: 2, sc1: { clientProof: this.M1 } } });
  }

  verify(resp1: Uint8Array): boolean {
    const r = SessionData.decode(resp1).sec2?.sr1;
    if (!r || !this.K || !this.M1) return false;
    this.iv = new Uint8Array((r.deviceNonce ?? new Uint8Array(0)) as Uint8Array);
    const M2 = crypto.sha512(cat(this.A, this.M1, this.K));
    return Buffer.from(M2).equals(Buffer.from((r.deviceProof ?? new Uint8Array(0)) as Uint8Array)) && this.iv.length === (this.patchVersion === 1 ? 12 : 16);
  }

  /** The IV counter (patch 1), for assertions. */
  counter(): number {
    return Buffer.from((this.iv as Uint8Array).subarray(8)).readUInt32BE(0);
  }

  encrypt(data: Uint8Array): Uint8Array {
    const out = crypto.aesGcmSeal((this.K as Uint8Array).subarray(0, 32), this.iv as Uint8Array, data);
    this.bump();
    return out;
  }

  decrypt(data: Uint8Array): Uint8Array | undefined {
    const out = crypto.aesGcmOpen((this.K as Uint8Array).subarray(0, 32), this.iv as Uint8Array, data);
    if (out) this.bump();
    return out;
  }

  private bump(): void {
    if (this.patchVersion === 0) return;
    const iv = this.iv as Uint8Array;
    for (let i = 11; i >= 8; i--) {
      iv[i] = (iv[i] + 1) & 255;
      if (iv[i] !== 0) break;
    }
  }
}
