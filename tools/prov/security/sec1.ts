// Security 1 client (unified-provisioning.md §4): X25519 key agreement, key = shared XOR SHA-256(PoP), and ONE
// AES-256-CTR keystream (counter block = device_random) shared by both directions for the whole session, consumed
// in §4.3 order: client_verify_data, device_verify_data, then request/response of every REQ message.
import { SessionData } from '../../../firmware/generated/proto.js';
import { X25519_BASEPOINT, type AesCtrStream } from '../../../firmware/host/crypto';
import { SecurityError } from '../errors';
import { decodeSession } from './sec0';
import { bytesEqual, primitives, systemRandom } from './primitives';
import { TwoRoundHandshake } from './handshake';
import type { RandomSource } from './types';

export interface Sec1Options {
  /** Proof of possession; absent or empty for a `no_pop` device. Never logged. */
  pop?: string;
  /** Supplies the 32-byte X25519 private key (pinned in the vector tests). */
  random?: RandomSource;
}

export class Sec1Client extends TwoRoundHandshake {
  readonly version = 1 as const;
  private privateKey: Uint8Array | undefined;
  private publicKey: Uint8Array | undefined;
  private devicePubkey: Uint8Array | undefined;
  private stream: AesCtrStream | undefined;

  constructor(private readonly options: Sec1Options = {}) {
    super();
  }

  protected command0(): Uint8Array {
    this.privateKey = (this.options.random ?? systemRandom)(32);
    if (this.privateKey.length !== 32) throw new SecurityError('sec1: random source must give 32 bytes');
    this.publicKey = primitives.x25519(this.privateKey, X25519_BASEPOINT);
    return SessionData.encode({ secVer: 1, sec1: { msg: 0, sc0: { clientPubkey: this.publicKey } } }).finish();
  }

  protected command1(response: Uint8Array | undefined): Uint8Array {
    const sr0 = decodeSession(response).sec1?.sr0;
    if (!sr0) throw new SecurityError('sec1: the answer is not a SessionResp0');
    const devicePubkey = sr0.devicePubkey ?? new Uint8Array(0);
    const deviceRandom = sr0.deviceRandom ?? new Uint8Array(0);
    if (devicePubkey.length !== 32 || deviceRandom.length !== 16) {
      throw new SecurityError(`sec1: SessionResp0 has a ${devicePubkey.length}-byte key and ${deviceRandom.length}-byte random (want 32, 16)`);
    }
    this.devicePubkey = new Uint8Array(devicePubkey);
    let shared: Uint8Array;
    try {
      shared = primitives.x25519(this.privateKey as Uint8Array, this.devicePubkey);
    } catch {
      throw new SecurityError('sec1: the device public key is a low-order point');
    }
    this.privateKey?.fill(0);
    if (this.options.pop) {
      // §4.2 step 5: the PoP is mixed in by XOR with its SHA-256, over the raw PoP bytes without a terminator.
      const digest = primitives.sha256(new TextEncoder().encode(this.options.pop));
      for (let i = 0; i < 32; i++) shared[i]! ^= digest[i]!;
    }
    this.stream = primitives.aesCtr(shared, new Uint8Array(deviceRandom));
    shared.fill(0);
    // Keystream bytes 0-31: our encryption of the device's public key (§4.3 item 1).
    const verify = this.stream.update(this.devicePubkey);
    return SessionData.encode({ secVer: 1, sec1: { msg: 2, sc1: { clientVerifyData: verify } } }).finish();
  }

  protected checkResponse1(response: Uint8Array | undefined): void {
    const sr1 = decodeSession(response).sec1?.sr1;
    if (!sr1) throw new SecurityError('sec1: the answer is not a SessionResp1');
    const data = sr1.deviceVerifyData ?? new Uint8Array(0);
    if (data.length !== 32) throw new SecurityError('sec1: device_verify_data must be 32 bytes');
    // Keystream bytes 32-63: the device encrypted OUR public key; this proves it derived the same key (§4.4).
    if (!bytesEqual((this.stream as AesCtrStream).update(data), this.publicKey as Uint8Array)) {
      throw new SecurityError('sec1: device_verify_data does not match (wrong PoP?)');
    }
  }

  encrypt(plaintext: Uint8Array): Uint8Array {
    return this.requireStream().update(plaintext);
  }

  decrypt(ciphertext: Uint8Array): Uint8Array {
    return this.requireStream().update(ciphertext);
  }

  override close(): void {
    this.stream?.close();
    this.stream = undefined;
    this.privateKey?.fill(0);
    super.close();
  }

  private requireStream(): AesCtrStream {
    if (!this.established || !this.stream) throw new SecurityError('sec1: session not established');
    return this.stream;
  }
}
