// protocomm core (unified-provisioning.md §1): exact-name dispatch, sec0 behaviour (§3), no response on every
// error, nothing thrown out of handle(), reply exactly once, deferred handler replies and request serialisation,
// session events and secret hygiene in the log.
import { describe, expect, it } from 'vitest';
import type { Reply } from '../../firmware/protocomm/types';
import { call } from './node-device';
import { POP, b, echo, hex, makeDevice, sec1Handshake, sec2Config, sec2Handshake, session } from './helpers';
import { Sec1Client, Sec2Client } from './client';

describe('dispatch', () => {
  it('creates proto-ver and prov-session from the configuration, then REQ endpoints in order', () => {
    const d = makeDevice({ version: 0 });
    d.pc.addEndpoint('prov-scan', (_i, _r, reply) => reply(b('01')));
    expect(d.pc.listEndpoints()).toEqual([
      { name: 'proto-ver', kind: 'version' },
      { name: 'prov-session', kind: 'session' },
      { name: 'echo', kind: 'request' },
      { name: 'prov-scan', kind: 'request' },
    ]);
  });

  it('names are exact and case-sensitive; unknown names get no response', () => {
    const d = makeDevice({ version: 0 });
    for (const name of ['Proto-ver', 'proto-ver ', 'ECHO', '', 'prov-config']) expect(call(d.pc, name, 1, b('00'))).toBeUndefined();
    expect(hex(call(d.pc, 'echo', 1, b('41')))).toBe(Buffer.from('echo:A').toString('hex'));
  });

  it('adding an existing name replaces the handler; reserved names are refused; removal works', () => {
    const d = makeDevice({ version: 0 });
    d.pc.addEndpoint('echo', (_i, _r, reply) => reply(b('02')));
    expect(hex(call(d.pc, 'echo', 1, b('00')))).toBe('02');
    expect(() => d.pc.addEndpoint('proto-ver', (_i, _r, reply) => reply(undefined))).toThrow(RangeError);
    expect(() => d.pc.addEndpoint('prov-session', (_i, _r, reply) => reply(undefined))).toThrow(RangeError);
    d.pc.removeEndpoint('echo');
    d.pc.removeEndpoint('proto-ver'); // reserved: ignored
    expect(call(d.pc, 'echo', 1, b('00'))).toBeUndefined();
    expect(call(d.pc, 'proto-ver', 1, b('00'))).toBeInstanceOf(Uint8Array);
  });
});

describe('sec0 (§3)', () => {
  it('answers the esp_prov session request byte for byte, REQ endpoints are plaintext without a session', () => {
    const d = makeDevice({ version: 0 });
    expect(hex(call(d.pc, 'echo', 9, b('41')))).toBe(Buffer.from('echo:A').toString('hex'));
    expect(hex(session(d, b('5203a20100'), 9))).toBe('520508 01aa0100'.replace(' ', ''));
  });
  it('refuses sec_ver ≠ 0, other payloads and garbage', () => {
    const d = makeDevice({ version: 0 });
    for (const req of ['10015203a20100', '5203aa0100', '5203a20101', '5a00', '', 'ff', '52', '520308 01'.replace(' ', '')]) {
      expect([req, session(d, b(req))]).toEqual([req, undefined]);
    }
  });
});

describe('robustness of handle()', () => {
  it('never throws and replies exactly once, whatever the handler does', () => {
    const d = makeDevice({ version: 0 });
    d.pc.addEndpoint('throws', () => {
      throw new Error('boom');
    });
    d.pc.addEndpoint('twice', (_i, _r, reply) => {
      reply(b('01'));
      reply(b('02'));
    });
    d.pc.addEndpoint('after-throw', (_i, _r, reply) => {
      reply(b('03'));
      throw new Error('late');
    });
    d.pc.addEndpoint('not-bytes', (_i, _r, reply) => reply('text' as unknown as Uint8Array));
    const replies: (string | undefined)[] = [];
    const r: Reply = (x) => replies.push(x && hex(x));
    d.pc.handle('throws', 1, b('00'), r);
    d.pc.handle('twice', 1, b('00'), r);
    d.pc.handle('after-throw', 1, b('00'), r);
    d.pc.handle('not-bytes', 1, b('00'), r);
    expect(replies).toEqual([undefined, '01', '03', undefined]);
  });

  it('bad arguments and a throwing transport callback do not escape', () => {
    const d = makeDevice({ version: 1, pop: POP });
    const replies: unknown[] = [];
    d.pc.handle('echo', 1, 'not bytes' as unknown as Uint8Array, (x) => replies.push(x));
    d.pc.handle(42 as unknown as string, 1, b('00'), (x) => replies.push(x));
    d.pc.handle('echo', '1' as unknown as number, b('00'), (x) => replies.push(x));
    expect(replies).toEqual([undefined, undefined, undefined]);
    expect(() => d.pc.handle('proto-ver', 1, b('00'), () => { throw new Error('transport'); })).not.toThrow();
    expect(() => d.pc.handle('echo', 1, b('00'), undefined as unknown as Reply)).not.toThrow();
  });

  it('a Buffer view request is copied, not aliased', () => {
    const d = makeDevice({ version: 0 });
    let kept: Uint8Array | undefined;
    d.pc.addEndpoint('keep', (_i, req, reply) => {
      kept = req;
      reply(b('00'));
    });
    const backing = Buffer.from('xxabcxx');
    call(d.pc, 'keep', 1, backing.subarray(2, 5));
    backing.fill(0);
    expect(Buffer.from(kept as Uint8Array).toString()).toBe('abc');
  });
});

describe('deferred replies and serialisation', () => {
  it('a handler may reply later; other requests meanwhile get no response; keystream order holds (sec1)', () => {
    const d = makeDevice({ version: 1, pop: POP });
    let pending: Reply | undefined;
    d.pc.addEndpoint('scan', (_i, req, reply) => {
      pending = (x) => reply(x);
      expect(Buffer.from(req).toString()).toBe('scan');
    });
    d.pc.newTransportSession(1);
    const c = sec1Handshake(d);
    const replies: (Uint8Array | undefined)[] = [];
    d.pc.handle('scan', 1, c.encrypt(new TextEncoder().encode('scan')), (x) => replies.push(x));
    expect(replies).toEqual([]);
    expect(call(d.pc, 'echo', 1, b('0000'))).toBeUndefined(); // in flight: refused, keystream untouched
    expect(call(d.pc, 'proto-ver', 1, b('00'))).toBeUndefined();
    expect(session(d, new Sec1Client(POP).command0())).toBeUndefined();
    (pending as Reply)(new TextEncoder().encode('done'));
    expect(replies.length).toBe(1);
    expect(Buffer.from(c.decrypt(replies[0] as Uint8Array)).toString()).toBe('done');
    expect(echo(d, c, 'next')).toBe('echo:next');
  });

  it('a reply arriving after the transport session changed is dropped (reply undefined)', () => {
    const d = makeDevice(sec2Config(1));
    let pending: Reply | undefined;
    d.pc.addEndpoint('scan', (_i, _r, reply) => (pending = reply));
    d.pc.newTransportSession(1);
    const c = sec2Handshake(d);
    const replies: unknown[] = [];
    d.pc.handle('scan', 1, c.encrypt(b('01')), (x) => replies.push(x));
    d.pc.newTransportSession(2);
    const c2 = sec2Handshake(d, 'wifiprov', POP, 1, 2); // not blocked by the abandoned request
    (pending as Reply)(b('02'));
    expect(replies).toEqual([undefined]);
    expect(echo(d, c2, 'fine', 2)).toBe('echo:fine');
  });

  it('close during a request: late reply is undefined', () => {
    const d = makeDevice({ version: 0 });
    let pending: Reply | undefined;
    d.pc.addEndpoint('scan', (_i, _r, reply) => (pending = reply));
    d.pc.newTransportSession(1);
    const replies: unknown[] = [];
    d.pc.handle('scan', 1, b('01'), (x) => replies.push(x));
    d.pc.closeTransportSession(1);
    (pending as Reply)(b('02'));
    expect(replies).toEqual([undefined]);
  });
});

describe('events and logging', () => {
  it('posts SETUP_OK / CREDENTIALS_MISMATCH / INVALID_SECURITY_PARAMS; a throwing app callback changes nothing', () => {
    const events: string[] = [];
    const d = makeDevice({ version: 1, pop: POP }, { onSessionEvent: (e, id) => { events.push(`${e}@${id}`); throw new Error('app bug'); } });
    d.pc.newTransportSession(3);
    const c = sec1Handshake(d, POP, 3);
    expect(echo(d, c, 'x', 3)).toBe('echo:x');
    const bad = new Sec1Client('nope');
    session(d, bad.command1(session(d, bad.command0(), 3) as Uint8Array), 3);
    session(d, b('10015a06a201030a0101'), 3); // Cmd0 with a 1-byte public key
    expect(events).toEqual(['SETUP_OK@3', 'CREDENTIALS_MISMATCH@3', 'INVALID_SECURITY_PARAMS@3']);
  });

  it('never logs the PoP, the password or key material', () => {
    const d = makeDevice({ version: 1, pop: POP });
    d.pc.newTransportSession(1);
    const bad = new Sec1Client('nope');
    session(d, bad.command1(session(d, bad.command0()) as Uint8Array));
    const c = sec1Handshake(d);
    echo(d, c, 'x');
    const d2 = makeDevice(sec2Config(1));
    d2.pc.newTransportSession(1);
    const c2 = new Sec2Client('wifiprov', 'wrongpass');
    session(d2, c2.command1(session(d2, c2.command0()) as Uint8Array));
    sec2Handshake(d2);
    const text = [...d.lines, ...d2.lines].map((l) => l.message).join('\n');
    expect(d.lines.length + d2.lines.length).toBeGreaterThan(0);
    for (const secret of [POP, 'wrongpass', Buffer.from(POP).toString('hex'), 'e9cee71ab932fde8']) expect(text).not.toContain(secret);
  });
});

describe('cleanup (provisioning stopped)', () => {
  it('wipes the session and refuses every later session, even on a new transport session', () => {
    for (const security of [{ version: 1 as const, pop: POP }, sec2Config(1)]) {
      const d = makeDevice(security);
      d.pc.newTransportSession(1);
      const c = security.version === 1 ? sec1Handshake(d) : sec2Handshake(d);
      d.pc.cleanup();
      expect(call(d.pc, 'echo', 1, c.encrypt(b('01')))).toBeUndefined();
      d.pc.newTransportSession(2);
      const cmd0 = security.version === 1 ? new Sec1Client(POP).command0() : new Sec2Client('wifiprov', POP).command0();
      expect(session(d, cmd0, 2)).toBeUndefined();
    }
  });
});
