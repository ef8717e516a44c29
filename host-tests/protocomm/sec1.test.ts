// Security 1 (unified-provisioning.md §4) regression cases from field-notes.md §3.2: wrong PoP, missing fields,
// oneof confusion, cross-scheme payloads, restarts, session wipe. Each failing message gets no response.
import { beforeEach, describe, expect, it } from 'vitest';
import { SessionData } from '../../firmware/generated/proto.js';
import { Sec1Client } from './client';
import { call } from './node-device';
import { POP, b, echo, hex, makeDevice, sec1Handshake, session, type Device } from './helpers';

const enc = (m: Parameters<typeof SessionData.encode>[0]) => SessionData.encode(m).finish();
const key32 = new Uint8Array(32).fill(9);

describe('sec1', () => {
  let d: Device;
  beforeEach(() => {
    d = makeDevice({ version: 1, pop: POP });
    d.pc.newTransportSession(1);
  });

  it('establishes a session and runs the shared keystream in order (§4.3)', () => {
    const c = sec1Handshake(d);
    expect(d.events).toEqual(['SETUP_OK']);
    expect(echo(d, c, 'one')).toBe('echo:one');
    expect(echo(d, c, 'a longer second message crossing blocks')).toBe('echo:a longer second message crossing blocks');
    expect(echo(d, c, '')).toBe('echo:');
  });

  it('wrong PoP: no Resp1, CREDENTIALS_MISMATCH, no session, retrying Cmd1 cannot succeed', () => {
    const bad = new Sec1Client('wrong-pop');
    const r0 = session(d, bad.command0()) as Uint8Array;
    expect(session(d, bad.command1(r0))).toBeUndefined();
    expect(d.events).toEqual(['CREDENTIALS_MISMATCH']);
    expect(call(d.pc, 'echo', 1, b('0102'))).toBeUndefined();
    // A correct Cmd1 for the same Resp0: the device's counter block moved on, so it still mismatches (§4.3).
    const good = new Sec1Client(POP);
    const r0b = session(d, good.command0()) as Uint8Array; // new Cmd0 restarts
    expect(session(d, new Sec1Client('x').command1(r0b))).toBeUndefined();
    expect(session(d, good.command1(r0b))).toBeUndefined();
    // A fresh Cmd0 then works.
    sec1Handshake(d);
    expect(d.events).toEqual(['CREDENTIALS_MISMATCH', 'CREDENTIALS_MISMATCH', 'CREDENTIALS_MISMATCH', 'SETUP_OK']);
  });

  it('no PoP on the device: a client without PoP works, a client with one fails', () => {
    const open = makeDevice({ version: 1 });
    open.pc.newTransportSession(5);
    const c = sec1Handshake(open, '', 5); // '' = client without PoP
    expect(echo(open, c, 'hi', 5)).toBe('echo:hi');
    open.pc.newTransportSession(6);
    const withPop = new Sec1Client(POP);
    const r0 = session(open, withPop.command0(), 6) as Uint8Array;
    expect(session(open, withPop.command1(r0), 6)).toBeUndefined();
  });

  it('client public key of the wrong length: INVALID_SECURITY_PARAMS, no state', () => {
    for (const n of [0, 31, 33, 64]) {
      expect(session(d, enc({ secVer: 1, sec1: { msg: 0, sc0: { clientPubkey: new Uint8Array(n).fill(1) } } }))).toBeUndefined();
    }
    expect(d.events).toEqual(['INVALID_SECURITY_PARAMS', 'INVALID_SECURITY_PARAMS', 'INVALID_SECURITY_PARAMS', 'INVALID_SECURITY_PARAMS']);
    sec1Handshake(d);
  });

  it('low-order client point is refused', () => {
    expect(session(d, enc({ secVer: 1, sec1: { msg: 0, sc0: { clientPubkey: new Uint8Array(32) } } }))).toBeUndefined();
    expect(session(d, enc({ secVer: 1, sec1: { msg: 0, sc0: { clientPubkey: Uint8Array.of(1, ...new Uint8Array(31)) } } }))).toBeUndefined();
    sec1Handshake(d);
  });

  it('verify data of the wrong length or missing: no response', () => {
    const c = new Sec1Client(POP);
    session(d, c.command0());
    expect(session(d, enc({ secVer: 1, sec1: { msg: 2, sc1: { clientVerifyData: new Uint8Array(31) } } }))).toBeUndefined();
    expect(session(d, enc({ secVer: 1, sec1: { msg: 2, sc1: {} } }))).toBeUndefined();
    expect(d.events).toEqual(['INVALID_SECURITY_PARAMS', 'INVALID_SECURITY_PARAMS']);
  });

  it('oneof confusion, missing sub-messages and cross-scheme payloads get no response', () => {
    const c = new Sec1Client(POP);
    const cases: [string, Uint8Array][] = [
      ['empty SessionData', new Uint8Array(0)],
      ['sec_ver only', enc({ secVer: 1 })],
      ['sec1 without payload', enc({ secVer: 1, sec1: { msg: 0 } })],
      ['Command1 without payload', enc({ secVer: 1, sec1: { msg: 2 } })],
      ['sc1 sent as Command0', enc({ secVer: 1, sec1: { msg: 0, sc1: { clientVerifyData: key32 } } })],
      ['sc0 sent as Command1', enc({ secVer: 1, sec1: { msg: 2, sc0: { clientPubkey: c.publicKey } } })],
      ['response type as command (sr0)', enc({ secVer: 1, sec1: { msg: 1, sr0: { devicePubkey: key32, deviceRandom: new Uint8Array(16) } } })],
      ['response type as command (msg 3, sc0)', enc({ secVer: 1, sec1: { msg: 3, sc0: { clientPubkey: c.publicKey } } })],
      ['sec1 payload with sec_ver 2', enc({ secVer: 2, sec1: { msg: 0, sc0: { clientPubkey: c.publicKey } } })],
      ['sec1 payload with sec_ver 0', enc({ sec1: { msg: 0, sc0: { clientPubkey: c.publicKey } } })],
      ['sec2 payload with sec_ver 1', enc({ secVer: 1, sec2: { msg: 0, sc0: { clientUsername: b('77'), clientPubkey: new Uint8Array(384).fill(2) } } })],
      ['sec0 payload with sec_ver 1', enc({ secVer: 1, sec0: { msg: 0, sc: {} } })],
      ['garbage', b('ffffffffffff')],
      ['truncated Cmd0', c.command0().subarray(0, 20)],
    ];
    for (const [name, msg] of cases) expect([name, hex(session(d, msg))]).toEqual([name, undefined]);
    expect(d.events).toEqual([]);
    // None of this left state: a normal handshake still works.
    sec1Handshake(d);
  });

  it('messages before and after the session steps', () => {
    expect(call(d.pc, 'echo', 1, b('00'))).toBeUndefined(); // before Cmd0
    const c = new Sec1Client(POP);
    const r0 = session(d, c.command0()) as Uint8Array;
    expect(call(d.pc, 'echo', 1, b('00'))).toBeUndefined(); // between Cmd0 and Cmd1
    const cmd1 = c.command1(r0);
    expect(c.verify(session(d, cmd1) as Uint8Array)).toBe(true);
    expect(session(d, cmd1)).toBeUndefined(); // Cmd1 again after DONE
    expect(echo(d, c, 'still fine')).toBe('echo:still fine');
  });

  it('Cmd1 before Cmd0 and session id mismatch get no response', () => {
    const c = new Sec1Client(POP);
    expect(session(d, enc({ secVer: 1, sec1: { msg: 2, sc1: { clientVerifyData: key32 } } }))).toBeUndefined();
    expect(session(d, c.command0(), 2)).toBeUndefined(); // not the current transport session
    sec1Handshake(d);
  });

  it('repeated failing Cmd0s followed by a good one', () => {
    for (let i = 0; i < 10; i++) session(d, enc({ secVer: 1, sec1: { msg: 0, sc0: { clientPubkey: new Uint8Array(i) } } }));
    const c = sec1Handshake(d);
    expect(echo(d, c, 'ok')).toBe('echo:ok');
  });

  it('a second Cmd0 restarts an established session (old keys gone)', () => {
    const old = sec1Handshake(d);
    const fresh = sec1Handshake(d);
    // The old client's traffic now fails: it is not sent by the handler in plaintext, and keystreams differ.
    const r = call(d.pc, 'echo', 1, old.encrypt(new TextEncoder().encode('old')));
    expect(d.seen).not.toContain('old');
    expect(r).toBeInstanceOf(Uint8Array);
    expect(echo(d, fresh, 'x')).not.toBe('echo:x'); // the garbage exchange advanced the shared stream
  });

  it('session wipe: a new transport session clears the keys; the old session id is refused', () => {
    const c = sec1Handshake(d);
    d.pc.newTransportSession(2);
    expect(call(d.pc, 'echo', 1, c.encrypt(b('6869')))).toBeUndefined();
    expect(call(d.pc, 'echo', 2, c.encrypt(b('6869')))).toBeUndefined(); // session 2 has no keys yet
    const c2 = sec1Handshake(d, POP, 2);
    expect(echo(d, c2, 'new', 2)).toBe('echo:new');
    d.pc.closeTransportSession(2);
    expect(call(d.pc, 'echo', 2, c2.encrypt(b('6869')))).toBeUndefined();
    expect(session(d, new Sec1Client(POP).command0(), 2)).toBeUndefined();
  });
});
