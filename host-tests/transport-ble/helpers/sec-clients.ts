// Client side of protocomm security 1 and 2, written from unified-provisioning.md §4 and §5 with node:crypto and
// BigInt only (no firmware code): the "phone" half of the sessions the BLE transport tests run end to end.
import * as crypto from 'node:crypto';
import { bField, decode, getBytes, getInt, sub, vField } from './pb';

const X25519_PKCS8 = Buffer.from('302e020100300506032b656e04220420', 'hex');
const X25519_SPKI = Buffer.from('302a300506032b656e032100', 'hex');

function x25519PrivateKey(raw: Uint8Array): crypto.KeyObject {
  return crypto.createPrivateKey({ key: Buffer.concat([X25519_PKCS8, raw]), format: 'der', type: 'pkcs8' });
}
function x25519Public(raw: Uint8Array): Uint8Array {
  const der = crypto.createPublicKey(x25519PrivateKey(raw)).export({ format: 'der', type: 'spki' });
  return new Uint8Array(der.subarray(der.length - 32));
}
function x25519(raw: Uint8Array, peer: Uint8Array): Uint8Array {
  const publicKey = crypto.createPublicKey({ key: Buffer.concat([X25519_SPKI, peer]), format: 'der', type: 'spki' });
  return new Uint8Array(crypto.diffieHellman({ privateKey: x25519PrivateKey(raw), publicKey }));
}
const sha256 = (...parts: Uint8Array[]) => new Uint8Array(crypto.createHash('sha256').update(Buffer.concat(parts)).digest());
const sha512 = (...parts: Uint8Array[]) => new Uint8Array(crypto.createHash('sha512').update(Buffer.concat(parts)).digest());
const eq = (a: Uint8Array, b: Uint8Array) => a.length === b.length && Buffer.compare(Buffer.from(a), Buffer.from(b)) === 0;

export interface SecClient {
  command0(): Uint8Array;
  command1(response0: Uint8Array): Uint8Array;
  /** Verifies the device's proof; throws on mismatch. */
  finish(response1: Uint8Array): void;
  encrypt(plain: Uint8Array): Uint8Array;
  decrypt(wire: Uint8Array): Uint8Array;
}

/** §4: X25519, key = shared XOR SHA-256(PoP), one AES-256-CTR stream for both directions from device_random. */
export class Sec1Client implements SecClient {
  private readonly publicKey: Uint8Array;
  private devicePublic: Uint8Array | undefined;
  private ctr: crypto.Cipher | undefined;

  constructor(
    private readonly pop: string | undefined,
    private readonly privateKey: Uint8Array = new Uint8Array(crypto.randomBytes(32)),
  ) {
    this.publicKey = x25519Public(privateKey);
  }

  command0(): Uint8Array {
    // SessionData { sec_ver = 1; sec1 { msg = Command0 (0, omitted); sc0 { client_pubkey } } }
    return Uint8Array.from([...vField(2, 1), ...bField(11, bField(20, bField(1, this.publicKey)))]);
  }

  command1(response0: Uint8Array): Uint8Array {
    const sec1 = sub(decode(response0), 11);
    if (getInt(sec1, 1) !== 1) throw new Error('expected Session_Response0');
    const sr0 = sub(sec1, 21);
    const devicePublic = getBytes(sr0, 2);
    const deviceRandom = getBytes(sr0, 3);
    if (devicePublic?.length !== 32 || deviceRandom?.length !== 16) throw new Error('bad SessionResp0');
    this.devicePublic = devicePublic;
    let key = x25519(this.privateKey, devicePublic);
    if (this.pop) {
      const h = sha256(new TextEncoder().encode(this.pop));
      key = key.map((b, i) => b ^ h[i]);
    }
    this.ctr = crypto.createCipheriv('aes-256-ctr', key, deviceRandom);
    const verify = this.encrypt(devicePublic);
    return Uint8Array.from([...vField(2, 1), ...bField(11, [...vField(1, 2), ...bField(22, bField(2, verify))])]);
  }

  finish(response1: Uint8Array): void {
    const sec1 = sub(decode(response1), 11);
    if (getInt(sec1, 1) !== 3) throw new Error('expected Session_Response1');
    const deviceVerify = getBytes(sub(sec1, 23), 3);
    if (!deviceVerify || !eq(this.decrypt(deviceVerify), this.publicKey)) throw new Error('device verification failed');
  }

  encrypt(plain: Uint8Array): Uint8Array {
    if (!this.ctr) throw new Error('no session');
    return new Uint8Array(this.ctr.update(plain));
  }
  decrypt(wire: Uint8Array): Uint8Array {
    return this.encrypt(wire);
  }
}

// §5.1: RFC 5054 3072-bit group (the same prime as RFC 3526 group 15), g = 5, H = SHA-512.
export const SRP_N = BigInt('0x' + crypto.getDiffieHellman('modp15').getPrime('hex'));
const SRP_G = 5n;
const N_BYTES = 384;

export function toBig(data: Uint8Array): bigint {
  return data.length === 0 ? 0n : BigInt('0x' + Buffer.from(data).toString('hex'));
}
export function minimal(value: bigint): Uint8Array {
  if (value === 0n) return new Uint8Array(0);
  let hex = value.toString(16);
  if (hex.length % 2) hex = '0' + hex;
  return new Uint8Array(Buffer.from(hex, 'hex'));
}
export function pad(value: bigint): Uint8Array {
  const m = minimal(value);
  const out = new Uint8Array(N_BYTES);
  out.set(m, N_BYTES - m.length);
  return out;
}
export function modPow(base: bigint, exponent: bigint, modulus: bigint): bigint {
  let result = 1n;
  let b = base % modulus;
  for (let e = exponent; e > 0n; e >>= 1n) {
    if (e & 1n) result = (result * b) % modulus;
    b = (b * b) % modulus;
  }
  return result;
}

/** §5: SRP6a client, then AES-256-GCM with K[0:32] and the device's 12-byte nonce as a big-endian counter IV
 * (patch 1, §5.6): incremented after every encrypt and decrypt on both sides. */
export class Sec2Client implements SecClient {
  private a = 0n;
  private A: Uint8Array = new Uint8Array(0);
  private M1: Uint8Array = new Uint8Array(0);
  private K: Uint8Array = new Uint8Array(0);
  private iv: Uint8Array | undefined;

  constructor(
    private readonly username: string,
    private readonly password: string,
    private readonly fixedA?: Uint8Array,
  ) {}

  command0(): Uint8Array {
    // Re-roll a until A has no leading zero byte: the device requires exactly 384 bytes (§5.8).
    do {
      this.a = toBig(this.fixedA ?? new Uint8Array(crypto.randomBytes(32)));
      this.A = minimal(modPow(SRP_G, this.a, SRP_N));
    } while (this.A.length !== N_BYTES && !this.fixedA);
    const user = new TextEncoder().encode(this.username);
    return Uint8Array.from([...vField(2, 2), ...bField(12, bField(20, [...bField(1, user), ...bField(2, this.A)]))]);
  }

  command1(response0: Uint8Array): Uint8Array {
    const sec2 = sub(decode(response0), 12);
    if (getInt(sec2, 1) !== 1) throw new Error('expected S2Session_Response0');
    const sr0 = sub(sec2, 21);
    const B = getBytes(sr0, 2);
    const salt = getBytes(sr0, 3);
    if (!B || !salt) throw new Error('bad S2SessionResp0');
    const b = toBig(B);
    if (b % SRP_N === 0n) throw new Error('B mod N is zero');
    const enc = new TextEncoder();
    const u = toBig(sha512(pad(toBig(this.A)), pad(b)));
    const k = toBig(sha512(pad(SRP_N), pad(SRP_G)));
    const x = toBig(sha512(salt, sha512(enc.encode(`${this.username}:${this.password}`))));
    const kv = (k * modPow(SRP_G, x, SRP_N)) % SRP_N;
    const S = modPow((((b - kv) % SRP_N) + SRP_N) % SRP_N, this.a + u * x, SRP_N);
    this.K = sha512(minimal(S));
    const hN = sha512(pad(SRP_N));
    const hG = sha512(pad(SRP_G));
    this.M1 = sha512(hN.map((v, i) => v ^ hG[i]), sha512(enc.encode(this.username)), salt, this.A, B, this.K);
    return Uint8Array.from([...vField(2, 2), ...bField(12, [...vField(1, 2), ...bField(22, bField(1, this.M1))])]);
  }

  finish(response1: Uint8Array): void {
    const sec2 = sub(decode(response1), 12);
    if (getInt(sec2, 1) !== 3) throw new Error('expected S2Session_Response1');
    const sr1 = sub(sec2, 23);
    const proof = getBytes(sr1, 2);
    const nonce = getBytes(sr1, 3);
    if (!proof || !eq(proof, sha512(this.A, this.M1, this.K))) throw new Error('device proof M2 mismatch');
    if (nonce?.length !== 12) throw new Error('expected a 12-byte nonce (sec_patch_ver 1)');
    this.iv = nonce.slice();
  }

  /** Session key (tests compare it with the pinned intermediates). */
  get sessionKey(): Uint8Array {
    return this.K;
  }

  encrypt(plain: Uint8Array): Uint8Array {
    const iv = this.nextIv();
    const c = crypto.createCipheriv('aes-256-gcm', this.K.subarray(0, 32), iv);
    return new Uint8Array(Buffer.concat([c.update(plain), c.final(), c.getAuthTag()]));
  }

  decrypt(wire: Uint8Array): Uint8Array {
    const iv = this.nextIv();
    const d = crypto.createDecipheriv('aes-256-gcm', this.K.subarray(0, 32), iv);
    d.setAuthTag(wire.subarray(wire.length - 16));
    return new Uint8Array(Buffer.concat([d.update(wire.subarray(0, wire.length - 16)), d.final()]));
  }

  private nextIv(): Uint8Array {
    if (!this.iv) throw new Error('no session');
    const iv = this.iv.slice();
    const view = new DataView(this.iv.buffer, this.iv.byteOffset);
    view.setUint32(8, (view.getUint32(8) + 1) >>> 0);
    return iv;
  }
}
