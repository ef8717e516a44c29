// Brute-force limit on session establishment (beyond the reference; field-notes.md §3.3), on a virtual clock:
// after N credential mismatches new session messages get no response until reboot or the window passes.
import { describe, expect, it } from 'vitest';
import { Sec1Client, Sec2Client } from './client';
import { call } from './node-device';
import { POP, b, echo, makeDevice, sec1Handshake, sec2Config, session, type Device } from './helpers';

function wrongPop(d: Device, sessionId = 1) {
  const c = new Sec1Client('wrong');
  const r0 = session(d, c.command0(), sessionId);
  expect(r0).toBeInstanceOf(Uint8Array);
  expect(session(d, c.command1(r0 as Uint8Array), sessionId)).toBeUndefined();
}

describe('attempt limit', () => {
  it('default: 5 failures lock sessions until reboot, and the lockout is logged without the PoP', () => {
    const d = makeDevice({ version: 1, pop: POP });
    d.pc.newTransportSession(1);
    for (let i = 0; i < 4; i++) wrongPop(d);
    expect(d.pc.sessionsLocked()).toBe(false);
    wrongPop(d);
    expect(d.pc.sessionsLocked()).toBe(true);
    const good = new Sec1Client(POP);
    expect(session(d, good.command0())).toBeUndefined();
    d.pc.newTransportSession(2); // a new connection does not help
    expect(session(d, good.command0(), 2)).toBeUndefined();
    d.clock.advance(24 * 3600_000);
    expect(session(d, good.command0(), 2)).toBeUndefined();
    expect(call(d.pc, 'proto-ver', 2, b('00'))).toBeInstanceOf(Uint8Array); // version still answered
    const lock = d.lines.filter((l) => l.message.includes('refusing new sessions'));
    expect(lock.length).toBe(1);
    expect(lock[0].level).toBe('warn');
    expect(d.lines.map((l) => l.message).join('\n')).not.toContain(POP);
  });

  it('a configured window ends the lockout (monotonic time)', () => {
    const d = makeDevice({ version: 1, pop: POP }, { attemptLimit: { maxFailures: 3, lockoutMs: 60_000 } });
    d.pc.newTransportSession(1);
    for (let i = 0; i < 3; i++) wrongPop(d);
    expect(session(d, new Sec1Client(POP).command0())).toBeUndefined();
    d.clock.advance(59_999);
    expect(session(d, new Sec1Client(POP).command0())).toBeUndefined();
    d.clock.advance(1);
    const c = sec1Handshake(d);
    expect(echo(d, c, 'back')).toBe('echo:back');
    // The count restarted: three more failures are needed to lock again.
    for (let i = 0; i < 2; i++) wrongPop(d);
    expect(d.pc.sessionsLocked()).toBe(false);
    wrongPop(d);
    expect(d.pc.sessionsLocked()).toBe(true);
  });

  it('a successful session resets the count; malformed messages do not count', () => {
    const d = makeDevice({ version: 1, pop: POP });
    d.pc.newTransportSession(1);
    for (let i = 0; i < 4; i++) wrongPop(d);
    sec1Handshake(d);
    for (let i = 0; i < 4; i++) wrongPop(d);
    for (let i = 0; i < 20; i++) session(d, b('10015a06a201030a0101')); // INVALID_SECURITY_PARAMS
    expect(d.pc.sessionsLocked()).toBe(false);
    sec1Handshake(d);
  });

  it('sec2 wrong passwords count too; maxFailures 0 disables the limit', () => {
    const d = makeDevice(sec2Config(1), { attemptLimit: { maxFailures: 2 } });
    d.pc.newTransportSession(1);
    for (let i = 0; i < 2; i++) {
      const c = new Sec2Client('wifiprov', 'bad');
      session(d, c.command1(session(d, c.command0()) as Uint8Array));
    }
    expect(session(d, new Sec2Client('wifiprov', POP).command0())).toBeUndefined();

    const open = makeDevice({ version: 1, pop: POP }, { attemptLimit: { maxFailures: 0 } });
    open.pc.newTransportSession(1);
    for (let i = 0; i < 8; i++) wrongPop(open);
    sec1Handshake(open);
  });

  it('rejects nonsense options', () => {
    expect(() => makeDevice({ version: 0 }, { attemptLimit: { maxFailures: -1 } })).toThrow(RangeError);
    expect(() => makeDevice({ version: 0 }, { attemptLimit: { lockoutMs: 0 } })).toThrow(RangeError);
  });
});
