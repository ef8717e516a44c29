// protocomm security 2 (unified-provisioning.md §5): SRP-6a (RFC 5054 3072-bit, g = 5, SHA-512) with the
// provisioned salt/verifier, then AES-256-GCM per message with K[0:32]. Patch 1 (default): 12-byte IV = 8 random
// bytes ‖ big-endian counter from 1, +1 after every successful encrypt/decrypt (§5.6). Patch 0: one 16-byte random
// IV for every message (§5.7), kept only for legacy clients.
import type { CryptoHost } from '../../host/crypto';
import { Sec2MsgType, Status } from '../../generated/proto.js';
import { concat, constantTimeEqual, wipe } from '../../util/bytes';
import type { Logger } from '../../util/log';
import type { SecurityScheme, SecuritySessionEventHandler } from '../types';
import { makeEventPoster } from './events';
import { decodeSessionData, encodeSessionData } from './session-data';
import { TransportSessionScheme } from './transport-session';
import {
  SRP_N_LENGTH,
  bytesToBigInt,
  computeB,
  computeKv,
  computeM1,
  computeM2,
  computeS,
  computeSessionKey,
  computeU,
  isZeroModN,
  srpN,
} from './srp';

const PROOF_LENGTH = 64;
const B_SECRET_LENGTH = 32; // esp_mpi_get_rand(b, 256)
const GCM_TAG_LENGTH = 16;
const SESSION_ID_LENGTH = 8;
/** Attempts at drawing b before giving up; each retry has probability about 1/256 (§5.8). */
const MAX_B_DRAWS = 16;

const enum State {
  Cmd0,
  Cmd1,
  Done,
}

export interface Security2Options {
  crypto: CryptoHost;
  /** Provisioned SRP salt (§5.2); its first byte should be non-zero for esp_prov (§5.8). */
  salt: Uint8Array;
  /** Provisioned SRP verifier v = g^x mod N, big-endian. */
  verifier: Uint8Array;
  /** 1 (default, counter IV) or 0 (legacy reused 16-byte IV). */
  patchVersion?: 0 | 1;
  /** Longest username accepted, in bytes. The reference truncated lengths to 16 bits (field-notes.md §3.2); we
   * keep the full length and refuse anything longer than this. Default 255. */
  maxUsernameLength?: number;
  log?: Logger;
  onEvent?: SecuritySessionEventHandler;
}

export class Security2 extends TransportSessionScheme implements SecurityScheme {
  readonly version = 2 as const;
  readonly patchVersion: 0 | 1;

  private readonly crypto: CryptoHost;
  private readonly log: Logger | undefined;
  private readonly post: ReturnType<typeof makeEventPoster>;
  private readonly salt: Uint8Array;
  private readonly verifier: Uint8Array;
  /** k·v mod N, computed once (§13 item 3). */
  private readonly kv: bigint;
  private readonly maxUsernameLength: number;

  private state = State.Cmd0;
  private username: Uint8Array | undefined;
  private clientPublic: Uint8Array | undefined;
  private sessionKey: Uint8Array | undefined;
  private expectedM1: Uint8Array | undefined;
  private gcmKey: Uint8Array | undefined;
  private iv: Uint8Array | undefined;
  /** Patch 1 only: set when the 32-bit counter wrapped; the session then refuses to encrypt or decrypt. */
  private exhausted = false;

  constructor(options: Security2Options) {
    super();
    this.crypto = options.crypto;
    this.log = options.log;
    this.post = makeEventPoster(options.onEvent, options.log);
    this.patchVersion = options.patchVersion ?? 1;
    if (this.patchVersion !== 0 && this.patchVersion !== 1) throw new RangeError('sec2 patch version must be 0 or 1');
    if (!(options.salt instanceof Uint8Array) || options.salt.length === 0 || options.salt.length > 64) {
      throw new RangeError('sec2 salt must be 1..64 bytes');
    }
    const v = bytesToBigInt(options.verifier);
    if (!(options.verifier instanceof Uint8Array) || v === 0n || v >= bytesToBigInt(srpN())) {
      throw new RangeError('sec2 verifier must be an integer in 1..N-1');
    }
    this.salt = options.salt.slice();
    this.verifier = options.verifier.slice();
    this.kv = computeKv(this.crypto, this.verifier);
    this.maxUsernameLength = options.maxUsernameLength ?? 255;
  }

  handleSession(sessionId: number, request: Uint8Array): Uint8Array | undefined {
    if (!this.acceptsSession(sessionId, this.log)) return undefined;
    const req = decodeSessionData(request);
    // esp-idf a2f4554f10b: sec_ver, the proto oneof and the payload oneof must all agree with msg.
    if (!req || req.secVer !== 2 || req.proto !== 'sec2' || !req.sec2) {
      this.log?.warn('prov-session: not a sec2 SessionData');
      return undefined;
    }
    const msg = req.sec2.msg ?? 0;
    if (msg === Sec2MsgType.S2Session_Command0 && req.sec2.payload === 'sc0' && req.sec2.sc0) {
      const sc0 = req.sec2.sc0;
      return this.command0(sessionId, sc0.clientUsername ?? new Uint8Array(0), sc0.clientPubkey ?? new Uint8Array(0));
    }
    if (msg === Sec2MsgType.S2Session_Command1 && req.sec2.payload === 'sc1' && req.sec2.sc1) {
      return this.command1(sessionId, req.sec2.sc1.clientProof ?? new Uint8Array(0));
    }
    this.log?.warn(`prov-session: sec2 msg ${msg} with payload ${req.sec2.payload ?? 'none'} refused`);
    return undefined;
  }

  encrypt(sessionId: number, data: Uint8Array): Uint8Array | undefined {
    if (!this.ready(sessionId)) return undefined;
    const out = this.crypto.aesGcmSeal(this.gcmKey as Uint8Array, this.iv as Uint8Array, data);
    this.advanceIv();
    return out;
  }

  decrypt(sessionId: number, data: Uint8Array): Uint8Array | undefined {
    if (!this.ready(sessionId) || data.length < GCM_TAG_LENGTH) return undefined;
    const plain = this.crypto.aesGcmOpen(this.gcmKey as Uint8Array, this.iv as Uint8Array, data);
    // A failed tag check leaves the counter where it was (§5.6), so a replay or forgery cannot desynchronise us.
    if (!plain) {
      this.log?.warn('sec2: AES-GCM tag mismatch');
      return undefined;
    }
    this.advanceIv();
    return plain;
  }

  private ready(sessionId: number): boolean {
    return this.isCurrentSession(sessionId) && this.state === State.Done && !!this.gcmKey && !!this.iv && !this.exhausted;
  }

  /** Patch 1: +1 on the big-endian counter in the last 4 IV bytes; a wrap to 0 ends the session (§5.6). */
  private advanceIv(): void {
    if (this.patchVersion === 0 || !this.iv) return;
    const iv = this.iv;
    for (let i = iv.length - 1; i >= SESSION_ID_LENGTH; i--) {
      iv[i] = (iv[i] + 1) & 0xff;
      if (iv[i] !== 0) return;
    }
    this.exhausted = true;
  }

  private command0(sessionId: number, username: Uint8Array, A: Uint8Array): Uint8Array | undefined {
    if (this.state !== State.Cmd0) {
      this.log?.info('sec2: Cmd0 in an active session, restarting it');
      this.wipeSession();
    }
    if (A.length !== SRP_N_LENGTH) {
      this.log?.warn(`sec2: client public key is ${A.length} bytes (expected ${SRP_N_LENGTH})`);
      this.post('INVALID_SECURITY_PARAMS', sessionId);
      return undefined;
    }
    if (username.length === 0 || username.length > this.maxUsernameLength) {
      this.log?.warn(`sec2: username length ${username.length} outside 1..${this.maxUsernameLength}`);
      this.post('INVALID_SECURITY_PARAMS', sessionId);
      return undefined;
    }
    if (isZeroModN(A)) {
      this.log?.warn('sec2: client public key A is 0 mod N (RFC 5054 §2.5.4)');
      this.post('INVALID_SECURITY_PARAMS', sessionId);
      return undefined;
    }
    // Draw b until B has no leading zero byte, so minimal and padded B agree for every client (§5.8).
    let b: Uint8Array | undefined;
    let B: Uint8Array | undefined;
    for (let draw = 0; draw < MAX_B_DRAWS; draw++) {
      const candidate = this.crypto.randomBytes(B_SECRET_LENGTH);
      if (bytesToBigInt(candidate) !== 0n) {
        const publicValue = computeB(this.crypto, this.kv, candidate);
        if (publicValue.length === SRP_N_LENGTH) {
          b = candidate;
          B = publicValue;
          break;
        }
      }
      wipe(candidate);
    }
    if (!b || !B) {
      this.log?.error('sec2: could not draw a full-width B');
      return undefined;
    }
    const u = computeU(this.crypto, A, B);
    if (bytesToBigInt(u) === 0n) {
      wipe(b);
      this.log?.warn('sec2: u = 0 (RFC 5054 §2.5.3)');
      this.post('INVALID_SECURITY_PARAMS', sessionId);
      return undefined;
    }
    const S = computeS(this.crypto, A, this.verifier, u, b);
    wipe(b);
    const K = computeSessionKey(this.crypto, S);
    wipe(S);
    // Keep the username and A at their full length: they enter M1 and M2 exactly as sent (§5.3).
    this.username = new Uint8Array(username);
    this.clientPublic = new Uint8Array(A);
    this.sessionKey = K;
    this.expectedM1 = computeM1(this.crypto, this.username, this.salt, this.clientPublic, B, K);
    this.state = State.Cmd1;
    return encodeSessionData({
      secVer: 2,
      sec2: {
        msg: Sec2MsgType.S2Session_Response0,
        sr0: { status: Status.Success, devicePubkey: B, deviceSalt: this.salt },
      },
    });
  }

  private command1(sessionId: number, clientProof: Uint8Array): Uint8Array | undefined {
    if (this.state !== State.Cmd1 || !this.expectedM1 || !this.sessionKey || !this.clientPublic) {
      this.log?.warn('sec2: Cmd1 before Cmd0');
      return undefined;
    }
    if (clientProof.length !== PROOF_LENGTH) {
      this.log?.warn(`sec2: client proof is ${clientProof.length} bytes (expected ${PROOF_LENGTH})`);
      return undefined;
    }
    if (!constantTimeEqual(clientProof, this.expectedM1)) {
      // Wrong password or username. The reference keeps the CMD1 state, so the client may retry Cmd1; every
      // mismatch is reported (and counted by the attempt limiter).
      this.log?.warn('sec2: client proof mismatch (wrong password or username)');
      this.post('CREDENTIALS_MISMATCH', sessionId);
      return undefined;
    }
    const M2 = computeM2(this.crypto, this.clientPublic, this.expectedM1, this.sessionKey);
    this.gcmKey = this.sessionKey.slice(0, 32);
    this.iv =
      this.patchVersion === 1
        ? concat(this.crypto.randomBytes(SESSION_ID_LENGTH), Uint8Array.of(0, 0, 0, 1))
        : this.crypto.randomBytes(16);
    this.exhausted = false;
    this.state = State.Done;
    this.post('SETUP_OK', sessionId);
    return encodeSessionData({
      secVer: 2,
      sec2: {
        msg: Sec2MsgType.S2Session_Response1,
        sr1: { status: Status.Success, deviceProof: M2, deviceNonce: this.iv.slice() },
      },
    });
  }

  protected wipeSession(): void {
    wipe(this.sessionKey);
    wipe(this.expectedM1);
    wipe(this.gcmKey);
    wipe(this.iv);
    this.username = this.clientPublic = this.sessionKey = this.expectedM1 = this.gcmKey = this.iv = undefined;
    this.exhausted = false;
    this.state = State.Cmd0;
  }
}
