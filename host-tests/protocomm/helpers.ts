// Shared fixtures for the protocomm regression tests: a device with real randomness, an event recorder, and
// handshake drivers built on the independent test client (client.ts).
import { expect } from 'vitest';
import { createNodeCryptoHost, type RandomSource } from '../../tools/sim/host/crypto';
import type { CryptoHost } from '../../firmware/host/crypto';
import { createProtocomm, type ProtocommCore, type ProtocommOptions } from '../../firmware/protocomm/protocomm';
import type { SecurityConfig } from '../../firmware/protocomm/security/index';
import type { SecuritySessionEvent } from '../../firmware/protocomm/types';
import { computeVerifier } from '../../firmware/protocomm/security/srp';
import { FakeClock, call, memoryLog } from './node-device';
import { Sec1Client, Sec2Client } from './client';
import { loadIntermediates, loadVectors } from './replay';

export const inputs = loadVectors().inputs;
export const SALT = new Uint8Array(Buffer.from(inputs.srp_salt, 'hex'));
export const VERIFIER = new Uint8Array(Buffer.from(inputs.srp_verifier, 'hex'));
export const POP = inputs.pop;

export const b = (hex: string) => new Uint8Array(Buffer.from(hex, 'hex'));
export const hex = (data: Uint8Array | undefined | 'pending') => (data instanceof Uint8Array ? Buffer.from(data).toString('hex') : data);

export function sec2Config(patchVersion: 0 | 1 = 1, extra: { maxUsernameLength?: number; username?: string; password?: string } = {}): SecurityConfig {
  const verifier =
    extra.username !== undefined
      ? computeVerifier(createNodeCryptoHost(), SALT, new TextEncoder().encode(extra.username), new TextEncoder().encode(extra.password ?? POP))
      : VERIFIER;
  return { version: 2, patchVersion, salt: SALT, verifier, maxUsernameLength: extra.maxUsernameLength };
}

export interface Device {
  pc: ProtocommCore;
  events: SecuritySessionEvent[];
  clock: FakeClock;
  lines: { level: string; message: string }[];
  crypto: CryptoHost;
  /** Plaintexts seen by the `echo` endpoint. */
  seen: string[];
}

/** A device with an `echo` endpoint that answers "echo:" + request. */
export function makeDevice(security: SecurityConfig, options: Partial<ProtocommOptions> & { random?: RandomSource; crypto?: CryptoHost } = {}): Device {
  const crypto = options.crypto ?? createNodeCryptoHost(options.random);
  const clock = new FakeClock();
  const log = memoryLog();
  const events: SecuritySessionEvent[] = [];
  const pc = createProtocomm({
    crypto,
    clock,
    log: log.logger,
    security,
    onSessionEvent: (e) => events.push(e),
    ...options,
  });
  const seen: string[] = [];
  pc.addEndpoint('echo', (_id, req, reply) => {
    seen.push(Buffer.from(req).toString('utf8'));
    reply(new Uint8Array(Buffer.concat([Buffer.from('echo:'), Buffer.from(req)])));
  });
  return { pc, events, clock, lines: log.lines, crypto, seen };
}

export function session(d: Device, request: Uint8Array, sessionId = 1) {
  return call(d.pc, 'prov-session', sessionId, request);
}

/** Full sec1 handshake; returns the client (established) or throws. */
export function sec1Handshake(d: Device, pop: string | undefined = POP, sessionId = 1): Sec1Client {
  return handshake(d, new Sec1Client(pop), sessionId);
}

export function sec2Handshake(d: Device, username = 'wifiprov', password = POP, patch: 0 | 1 = 1, sessionId = 1): Sec2Client {
  return handshake(d, new Sec2Client(username, password, patch), sessionId);
}

/** Cmd0 → Resp0, Cmd1 → Resp1 and the client's check of Resp1 (the same two rounds for sec1 and sec2). */
function handshake<C extends { command0(): Uint8Array; command1(r0: Uint8Array): Uint8Array; verify(r1: Uint8Array): boolean }>(d: Device, c: C, sessionId: number): C {
  const r0 = session(d, c.command0(), sessionId);
  expect(r0).toBeInstanceOf(Uint8Array);
  const r1 = session(d, c.command1(r0 as Uint8Array), sessionId);
  expect(r1).toBeInstanceOf(Uint8Array);
  expect(c.verify(r1 as Uint8Array)).toBe(true);
  return c;
}

/** One encrypted echo round trip; returns the decrypted answer or undefined. */
export function echo(d: Device, c: { encrypt(x: Uint8Array): Uint8Array; decrypt(x: Uint8Array): Uint8Array | undefined }, text: string, sessionId = 1) {
  const r = call(d.pc, 'echo', sessionId, c.encrypt(new TextEncoder().encode(text)));
  if (!(r instanceof Uint8Array)) return undefined;
  const plain = c.decrypt(r);
  return plain && Buffer.from(plain).toString('utf8');
}

export function loadIntermediatesSec2(): Record<string, string> {
  return loadIntermediates().sec2 as Record<string, string>;
}
