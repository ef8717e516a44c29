// protocomm security 1 (unified-provisioning.md §4): X25519 key agreement, key = shared XOR SHA-256(PoP) (plain
// shared secret without a PoP), and ONE AES-256-CTR keystream per session shared by both directions in the §4.3
// order: verify-data decrypt, verify-data encrypt, then request/response for every REQ message.
import { X25519_BASEPOINT, type AesCtrStream, type CryptoHost } from '../../host/crypto';
import { Sec1MsgType, Status } from '../../generated/proto.js';
import { constantTimeEqual, utf8Encode, wipe, xor } from '../../util/bytes';
import type { Logger } from '../../util/log';
import type { SecurityScheme, SecuritySessionEventHandler } from '../types';
import { makeEventPoster } from './events';
import { decodeSessionData, encodeSessionData } from './session-data';
import { TransportSessionScheme } from './transport-session';

const PUBLIC_KEY_LENGTH = 32;
const RANDOM_LENGTH = 16;

const enum State {
  Cmd0,
  Cmd1,
  Done,
}

export interface Security1Options {
  crypto: CryptoHost;
  /** Proof of possession; empty or absent means "no PoP" (the manager then advertises `no_pop`, §6.2). */
  pop?: string | Uint8Array;
  log?: Logger;
  onEvent?: SecuritySessionEventHandler;
}

export class Security1 extends TransportSessionScheme implements SecurityScheme {
  readonly version = 1 as const;
  readonly patchVersion = 0;
  readonly hasPop: boolean;

  private readonly crypto: CryptoHost;
  private readonly log: Logger | undefined;
  private readonly post: ReturnType<typeof makeEventPoster>;
  /** SHA-256(PoP), computed once; the PoP itself is not kept. */
  private readonly popHash: Uint8Array | undefined;

  private state = State.Cmd0;
  private devicePubkey: Uint8Array | undefined;
  private clientPubkey: Uint8Array | undefined;
  private key: Uint8Array | undefined;
  /** The CTR counter block for the next stream (mbedTLS updates device_random in place, §4.3). */
  private counter: Uint8Array | undefined;
  private stream: AesCtrStream | undefined;

  constructor(options: Security1Options) {
    super();
    this.crypto = options.crypto;
    this.log = options.log;
    this.post = makeEventPoster(options.onEvent, options.log);
    const pop = typeof options.pop === 'string' ? utf8Encode(options.pop) : options.pop;
    this.hasPop = !!pop && pop.length > 0;
    this.popHash = this.hasPop ? this.crypto.sha256(pop as Uint8Array) : undefined;
  }

  /** Provisioning stopped: also forgets SHA-256(PoP). */
  override cleanup(): void {
    super.cleanup();
    wipe(this.popHash);
  }

  handleSession(sessionId: number, request: Uint8Array): Uint8Array | undefined {
    if (!this.acceptsSession(sessionId, this.log)) return undefined;
    const req = decodeSessionData(request);
    // sec_ver must be 1 and the payload a sec1 message whose oneof member matches msg (field-notes.md §3.2:
    // oneof confusion, cross-scheme payloads, missing sub-messages are all refused).
    if (!req || req.secVer !== 1 || req.proto !== 'sec1' || !req.sec1) {
      this.log?.warn('prov-session: not a sec1 SessionData');
      return undefined;
    }
    const msg = req.sec1.msg ?? 0;
    if (msg === Sec1MsgType.Session_Command0 && req.sec1.payload === 'sc0' && req.sec1.sc0) {
      return this.command0(sessionId, req.sec1.sc0.clientPubkey ?? new Uint8Array(0));
    }
    if (msg === Sec1MsgType.Session_Command1 && req.sec1.payload === 'sc1' && req.sec1.sc1) {
      return this.command1(sessionId, req.sec1.sc1.clientVerifyData ?? new Uint8Array(0));
    }
    this.log?.warn(`prov-session: sec1 msg ${msg} with payload ${req.sec1.payload ?? 'none'} refused`);
    return undefined;
  }

  decrypt(sessionId: number, data: Uint8Array): Uint8Array | undefined {
    return this.crypt(sessionId, data);
  }

  encrypt(sessionId: number, data: Uint8Array): Uint8Array | undefined {
    return this.crypt(sessionId, data);
  }

  private crypt(sessionId: number, data: Uint8Array): Uint8Array | undefined {
    // Encrypt and decrypt are the same CTR operation on the one shared stream (§4.3); before DONE there is none.
    if (!this.isCurrentSession(sessionId) || this.state !== State.Done || !this.stream) return undefined;
    return this.stream.update(data);
  }

  private command0(sessionId: number, clientPubkey: Uint8Array): Uint8Array | undefined {
    if (this.state !== State.Cmd0) {
      // A second Cmd0 restarts the session silently (§4.2 step 1).
      this.log?.info('sec1: Cmd0 in an active session, restarting it');
      this.wipeSession();
    }
    if (clientPubkey.length !== PUBLIC_KEY_LENGTH) {
      this.log?.warn(`sec1: client public key is ${clientPubkey.length} bytes (expected ${PUBLIC_KEY_LENGTH})`);
      this.post('INVALID_SECURITY_PARAMS', sessionId);
      return undefined;
    }
    const privateKey = this.crypto.randomBytes(PUBLIC_KEY_LENGTH);
    let shared: Uint8Array;
    let devicePubkey: Uint8Array;
    try {
      devicePubkey = this.crypto.x25519(privateKey, X25519_BASEPOINT);
      shared = this.crypto.x25519(privateKey, clientPubkey);
    } catch {
      // A low-order client point gives an all-zero secret. The reference (mbedTLS) would carry on; refusing it
      // is deliberate: without a PoP the session key would be public.
      wipe(privateKey);
      this.log?.warn('sec1: key agreement failed (low-order client public key)');
      this.post('INVALID_SECURITY_PARAMS', sessionId);
      return undefined;
    }
    wipe(privateKey);
    const key = this.popHash ? xor(shared, this.popHash) : shared.slice();
    wipe(shared);
    const deviceRandom = this.crypto.randomBytes(RANDOM_LENGTH);

    this.devicePubkey = devicePubkey;
    this.clientPubkey = new Uint8Array(clientPubkey);
    this.key = key;
    this.counter = deviceRandom.slice();
    this.state = State.Cmd1;
    return encodeSessionData({
      secVer: 1,
      sec1: {
        msg: Sec1MsgType.Session_Response0,
        sr0: { status: Status.Success, devicePubkey, deviceRandom },
      },
    });
  }

  private command1(sessionId: number, clientVerifyData: Uint8Array): Uint8Array | undefined {
    if (this.state !== State.Cmd1 || !this.key || !this.counter || !this.devicePubkey || !this.clientPubkey) {
      this.log?.warn('sec1: Cmd1 before Cmd0');
      return undefined;
    }
    if (clientVerifyData.length !== PUBLIC_KEY_LENGTH) {
      this.log?.warn(`sec1: client verify data is ${clientVerifyData.length} bytes (expected ${PUBLIC_KEY_LENGTH})`);
      this.post('INVALID_SECURITY_PARAMS', sessionId);
      return undefined;
    }
    const stream = this.crypto.aesCtr(this.key, this.counter);
    const check = stream.update(clientVerifyData);
    // The reference's counter block moved by two blocks; a retried Cmd1 starts from there, so it cannot match
    // (§4.3 "retrying Cmd1 cannot succeed"). Model that exactly.
    addToCounter(this.counter, 2);
    if (!constantTimeEqual(check, this.devicePubkey)) {
      stream.close();
      this.log?.warn('sec1: client verify data mismatch (wrong PoP?)');
      this.post('CREDENTIALS_MISMATCH', sessionId);
      return undefined;
    }
    const deviceVerifyData = stream.update(this.clientPubkey);
    addToCounter(this.counter, 2);
    this.stream = stream;
    this.state = State.Done;
    this.post('SETUP_OK', sessionId);
    return encodeSessionData({
      secVer: 1,
      sec1: {
        msg: Sec1MsgType.Session_Response1,
        sr1: { status: Status.Success, deviceVerifyData },
      },
    });
  }

  protected wipeSession(): void {
    this.stream?.close();
    this.stream = undefined;
    wipe(this.key);
    wipe(this.counter);
    this.key = this.counter = this.devicePubkey = this.clientPubkey = undefined;
    this.state = State.Cmd0;
  }
}

/** Adds n to a 16-byte big-endian counter block in place (mbedTLS CTR increments the whole 128 bits). */
function addToCounter(block: Uint8Array, n: number): void {
  let carry = n;
  for (let i = block.length - 1; i >= 0 && carry > 0; i--) {
    const sum = block[i] + carry;
    block[i] = sum & 0xff;
    carry = sum >> 8;
  }
}
