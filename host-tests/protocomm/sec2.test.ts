// Security 2 (unified-provisioning.md §5) regression cases from field-notes.md §3.2: wrong password/username,
// A ≡ 0 mod N, u = 0, username bounds without truncation, oneof confusion, GCM tag failures, replays, the
// patch-1 IV counter, session wipe, and the b re-draw for a full-width B (§5.8).
import { beforeEach, describe, expect, it } from 'vitest';
import { SessionData } from '../../firmware/generated/proto.js';
import { createNodeCryptoHost, scriptedRandom } from '../../tools/sim/host/crypto';
import { srpN } from '../../firmware/protocomm/security/srp';
import { Sec2Client } from './client';
import { call } from './node-device';
import { b, echo, hex, inputs, loadIntermediatesSec2, makeDevice, sec2Config, sec2Handshake, session, type Device } from './helpers';

const enc = (m: Parameters<typeof SessionData.encode>[0]) => SessionData.encode(m).finish();
const user = new TextEncoder().encode('wifiprov');
const cmd0 = (A: Uint8Array, username: Uint8Array = user) => enc({ secVer: 2, sec2: { msg: 0, sc0: { clientUsername: username, clientPubkey: A } } });

describe('sec2 patch 1', () => {
  let d: Device;
  beforeEach(() => {
    d = makeDevice(sec2Config(1));
    d.pc.newTransportSession(1);
  });

  it('establishes a session; the IV counter advances by one per message in each direction (§5.6)', () => {
    const c = sec2Handshake(d);
    expect(d.events).toEqual(['SETUP_OK']);
    expect(c.counter()).toBe(1);
    expect(echo(d, c, 'first')).toBe('echo:first');
    expect(c.counter()).toBe(3);
    expect(echo(d, c, 'second')).toBe('echo:second');
    expect(c.counter()).toBe(5);
  });

  it('identical plaintexts never give identical ciphertexts (no IV reuse)', () => {
    const c = sec2Handshake(d);
    const req = new TextEncoder().encode('same');
    const r1 = call(d.pc, 'echo', 1, c.encrypt(req)) as Uint8Array;
    c.decrypt(r1);
    const r2 = call(d.pc, 'echo', 1, c.encrypt(req)) as Uint8Array;
    expect(hex(r1)).not.toBe(hex(r2));
    expect(Buffer.from(c.decrypt(r2) as Uint8Array).toString()).toBe('echo:same');
  });

  it('wrong password and wrong username: no Resp1, CREDENTIALS_MISMATCH', () => {
    for (const [u, p] of [['wifiprov', 'wrong'], ['wifiprox', 'abcd1234']]) {
      const c = new Sec2Client(u, p);
      const r0 = session(d, c.command0()) as Uint8Array;
      expect(r0).toBeInstanceOf(Uint8Array);
      expect(session(d, c.command1(r0))).toBeUndefined();
      expect(call(d.pc, 'echo', 1, b('00'.repeat(20)))).toBeUndefined();
    }
    expect(d.events).toEqual(['CREDENTIALS_MISMATCH', 'CREDENTIALS_MISMATCH']);
    sec2Handshake(d);
  });

  it('A = 0, A = N (every A ≡ 0 mod N that fits 384 bytes) and wrong-size A are refused', () => {
    const N = srpN();
    const nMinusOne = N.slice();
    nMinusOne[383] -= 1;
    for (const A of [new Uint8Array(384), N]) expect(session(d, cmd0(A))).toBeUndefined();
    for (const n of [0, 1, 383, 385, 768]) expect(session(d, cmd0(new Uint8Array(n).fill(3)))).toBeUndefined();
    expect(d.events).toEqual(Array(7).fill('INVALID_SECURITY_PARAMS'));
    // Sanity: a legal but useless A (N-1) is processed (it is not ≡ 0), so the check is not over-broad.
    expect(session(d, cmd0(nMinusOne))).toBeInstanceOf(Uint8Array);
    sec2Handshake(d);
  });

  it('u = 0 is refused (RFC 5054 §2.5.3)', () => {
    const real = createNodeCryptoHost();
    // A crypto host whose SHA-512 of PAD(A) ‖ PAD(B) (768 bytes) is zero: the only way to reach u = 0.
    const crypto = { ...real, sha512: (data: Uint8Array) => (data.length === 768 ? new Uint8Array(64) : real.sha512(data)) };
    const dev = makeDevice(sec2Config(1), { crypto });
    dev.pc.newTransportSession(1);
    expect(session(dev, new Sec2Client('wifiprov', 'abcd1234').command0())).toBeUndefined();
    expect(dev.events).toEqual(['INVALID_SECURITY_PARAMS']);
  });

  it('username: empty and over the limit are refused, long names are kept whole (no 16-bit truncation)', () => {
    expect(session(d, cmd0(new Sec2Client('x', 'y').A, new Uint8Array(0)))).toBeUndefined();
    expect(session(d, cmd0(new Sec2Client('x', 'y').A, new Uint8Array(256).fill(0x61)))).toBeUndefined();
    expect(d.events).toEqual(['INVALID_SECURITY_PARAMS', 'INVALID_SECURITY_PARAMS']);

    // 255 bytes: the default limit, accepted and used in full.
    const u255 = 'u'.repeat(255);
    const d255 = makeDevice(sec2Config(1, { username: u255 }));
    d255.pc.newTransportSession(1);
    expect(echo(d255, sec2Handshake(d255, u255), 'long')).toBe('echo:long');

    // 65536 + 8 bytes with a raised limit: a uint16 length would keep 8 bytes; the whole name must be used.
    const huge = 'h'.repeat(65536) + 'wifiprov';
    const dHuge = makeDevice(sec2Config(1, { username: huge, maxUsernameLength: 70000 }));
    dHuge.pc.newTransportSession(1);
    sec2Handshake(dHuge, huge);
    const truncated = new Sec2Client('wifiprov', 'abcd1234');
    const r0 = session(dHuge, truncated.command0()) as Uint8Array;
    expect(session(dHuge, truncated.command1(r0))).toBeUndefined();
  });

  it('oneof confusion, missing fields and cross-scheme payloads get no response and leave no state', () => {
    const c = new Sec2Client('wifiprov', 'abcd1234');
    const proof = new Uint8Array(64).fill(1);
    const cases: [string, Uint8Array][] = [
      ['empty', new Uint8Array(0)],
      ['sec2 without payload', enc({ secVer: 2, sec2: { msg: 0 } })],
      ['sc1 sent as Command0', enc({ secVer: 2, sec2: { msg: 0, sc1: { clientProof: proof } } })],
      ['sc0 sent as Command1', enc({ secVer: 2, sec2: { msg: 2, sc0: { clientUsername: user, clientPubkey: c.A } } })],
      ['response type as command', enc({ secVer: 2, sec2: { msg: 1, sr0: { devicePubkey: c.A, deviceSalt: b('01') } } })],
      ['msg 3 with sc0', enc({ secVer: 2, sec2: { msg: 3, sc0: { clientUsername: user, clientPubkey: c.A } } })],
      ['sec1 payload with sec_ver 2', enc({ secVer: 2, sec1: { msg: 0, sc0: { clientPubkey: new Uint8Array(32).fill(7) } } })],
      ['sec2 payload with sec_ver 1', enc({ secVer: 1, sec2: { msg: 0, sc0: { clientUsername: user, clientPubkey: c.A } } })],
      ['sec2 payload with sec_ver 0', enc({ sec2: { msg: 0, sc0: { clientUsername: user, clientPubkey: c.A } } })],
      ['sc0 without pubkey', enc({ secVer: 2, sec2: { msg: 0, sc0: { clientUsername: user } } })],
      ['Cmd1 before Cmd0', enc({ secVer: 2, sec2: { msg: 2, sc1: { clientProof: proof } } })],
      ['truncated Cmd0', c.command0().subarray(0, 200)],
    ];
    for (const [name, msg] of cases) expect([name, hex(session(d, msg))]).toEqual([name, undefined]);
    expect(d.events).toEqual(['INVALID_SECURITY_PARAMS']); // only "sc0 without pubkey" is a bad parameter
    sec2Handshake(d);
  });

  it('client proof of the wrong length or missing: no response, no event', () => {
    const c = new Sec2Client('wifiprov', 'abcd1234');
    const r0 = session(d, c.command0()) as Uint8Array;
    expect(session(d, enc({ secVer: 2, sec2: { msg: 2, sc1: { clientProof: new Uint8Array(63) } } }))).toBeUndefined();
    expect(session(d, enc({ secVer: 2, sec2: { msg: 2, sc1: {} } }))).toBeUndefined();
    expect(d.events).toEqual([]);
    // Still in CMD1: the right proof completes the session.
    expect(c.verify(session(d, c.command1(r0)) as Uint8Array)).toBe(true);
  });

  it('GCM tag failure and replayed ciphertext: no response and no counter change', () => {
    const c = sec2Handshake(d);
    const req = c.encrypt(new TextEncoder().encode('pay')); // client counter 1 -> 2
    const tampered = req.slice();
    tampered[0] ^= 1;
    expect(call(d.pc, 'echo', 1, tampered)).toBeUndefined();
    expect(call(d.pc, 'echo', 1, req.subarray(0, 15))).toBeUndefined(); // shorter than a tag
    const r = call(d.pc, 'echo', 1, req) as Uint8Array; // the genuine one still decrypts: counter unchanged
    expect(Buffer.from(c.decrypt(r) as Uint8Array).toString()).toBe('echo:pay');
    expect(call(d.pc, 'echo', 1, req)).toBeUndefined(); // replay: the device counter moved on
    expect(echo(d, c, 'after replay')).toBe('echo:after replay');
    expect(d.seen).toEqual(['pay', 'after replay']);
  });

  it('session wipe: old-session ciphertext fails after a new handshake', () => {
    const old = sec2Handshake(d);
    const oldReq = old.encrypt(new TextEncoder().encode('old'));
    d.pc.newTransportSession(2);
    const fresh = sec2Handshake(d, 'wifiprov', 'abcd1234', 1, 2);
    expect(call(d.pc, 'echo', 2, oldReq)).toBeUndefined();
    expect(call(d.pc, 'echo', 1, oldReq)).toBeUndefined();
    expect(echo(d, fresh, 'new', 2)).toBe('echo:new');
    expect(d.seen).toEqual(['new']);
  });

  it('a second Cmd0 restarts an established session; repeated failing Cmd0s then a good one', () => {
    const old = sec2Handshake(d);
    for (let i = 0; i < 5; i++) session(d, cmd0(new Uint8Array(384)));
    for (let i = 0; i < 3; i++) session(d, cmd0(new Uint8Array(100).fill(1)));
    expect(call(d.pc, 'echo', 1, old.encrypt(b('01')))).toBeUndefined();
    const c = sec2Handshake(d);
    expect(echo(d, c, 'ok')).toBe('echo:ok');
  });

  it('draws b again until B has no leading zero byte (§5.8), and never uses b = 0', () => {
    // The first b gives a 383-byte B (found offline), the second is zero, the third is the transcript's b.
    const random = scriptedRandom([
      b('21a6c8535a7dd2c70cb937c4ecfd543528d2ccfbf6b8b075b75c3d3147884697'),
      new Uint8Array(32),
      b(inputs.srp_device_b),
    ]);
    const dev = makeDevice(sec2Config(1), { random });
    dev.pc.newTransportSession(1);
    const A = b(loadIntermediatesSec2().A);
    const r0 = session(dev, cmd0(A)) as Uint8Array;
    expect(random.remaining()).toBe(0);
    expect(hex(SessionData.decode(r0).sec2?.sr0?.devicePubkey as Uint8Array)).toBe(loadIntermediatesSec2().B);
  });

  it('refuses a bad configuration at construction', () => {
    expect(() => makeDevice({ version: 2, salt: new Uint8Array(0), verifier: b('05') })).toThrow(RangeError);
    expect(() => makeDevice({ version: 2, salt: b('01'), verifier: new Uint8Array(0) })).toThrow(RangeError);
    expect(() => makeDevice({ version: 2, salt: b('01'), verifier: srpN() })).toThrow(RangeError);
  });
});

describe('sec2 patch 0 (legacy)', () => {
  it('uses one 16-byte IV for every message', () => {
    const d = makeDevice(sec2Config(0));
    d.pc.newTransportSession(1);
    const c = sec2Handshake(d, 'wifiprov', 'abcd1234', 0);
    const req = new TextEncoder().encode('same');
    const a = c.encrypt(req);
    expect(hex(c.encrypt(req))).toBe(hex(a)); // the legacy scheme's documented IV reuse
    expect(Buffer.from(c.decrypt(call(d.pc, 'echo', 1, a) as Uint8Array) as Uint8Array).toString()).toBe('echo:same');
    expect(Buffer.from(c.decrypt(call(d.pc, 'echo', 1, a) as Uint8Array) as Uint8Array).toString()).toBe('echo:same');
  });
});
