// Fuzz for the MQTT 3.1.1 streaming decoder (firmware/mqtt/decode.ts): mutated valid packets, random bytes,
// truncations and oversized length headers. Invariants: no exception escapes, no internal (non-protocol) failure,
// arbitrary splits give the same result as one read, and whatever is accepted re-encodes canonically, decodes to
// the same fields again and is read identically by mqtt-packet. Budget: FUZZ_BUDGET (default 100k, CI).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SocketError, type SocketCallbacks, type SocketHost } from '../../firmware/host/socket';
import { MqttClient } from '../../firmware/mqtt/client';
import { MqttDecoder, decodePacket, encodePacket, type MqttLimits, type MqttPacket } from '../../firmware/mqtt/codec';
import { Logger, SecretRegistry } from '../../firmware/util/log';
import { VirtualClock } from '../../tools/sim/host/clock';
import { fuzzRun } from '../fixtures/fuzz';
import { normaliseOurs, normaliseTheirs, packetArb, randomSplits, theirsParse, xorshift } from '../mqtt/oracle';

const { budget: BUDGET, seed: SEED, label } = fuzzRun({ budget: 100_000, seed: 0x6d717474 });
const LIMITS: MqttLimits = { maxRemainingLength: 4096, maxTopicLength: 256 };
/** Per-test timeout that grows with the budget (`npm run fuzz` runs 1M inputs on a shared 2-core machine). */
const TIMEOUT_MS = Math.max(60_000, BUDGET / 4);

function mutate(input: Uint8Array, rnd: () => number, corpus: Uint8Array[]): Uint8Array {
  let b = Array.from(input);
  const steps = 1 + Math.floor(rnd() * 4);
  for (let s = 0; s < steps; s++) {
    const pos = Math.floor(rnd() * (b.length + 1));
    switch (Math.floor(rnd() * 9)) {
      case 0: // flip one bit
        if (b.length) b[pos % b.length] ^= 1 << Math.floor(rnd() * 8);
        break;
      case 1: // random byte value
        if (b.length) b[pos % b.length] = Math.floor(rnd() * 256);
        break;
      case 2: // interesting byte values
        if (b.length) b[pos % b.length] = [0x00, 0x7f, 0x80, 0xff, 0xc0, 0xed, 0xf4, 0x2b, 0x23, 0x2f][Math.floor(rnd() * 10)];
        break;
      case 3: // truncate
        b = b.slice(0, pos);
        break;
      case 4: // delete a run
        b.splice(pos, 1 + Math.floor(rnd() * 4));
        break;
      case 5: // insert random bytes
        b.splice(pos, 0, ...Array.from({ length: 1 + Math.floor(rnd() * 4) }, () => Math.floor(rnd() * 256)));
        break;
      case 6: // append another valid packet (tests framing after a mutated one)
        b.push(...corpus[Math.floor(rnd() * corpus.length)]);
        break;
      case 7: // oversized or malformed Remaining Length
        b.splice(1, 0, ...[0xff, 0xff, 0xff, rnd() < 0.5 ? 0x7f : 0xff].slice(0, 1 + Math.floor(rnd() * 4)));
        break;
      default: // change the packet type / flags nibble
        if (b.length) b[0] = Math.floor(rnd() * 256);
    }
  }
  return Uint8Array.from(b);
}

interface Outcome {
  packets: MqttPacket[];
  code?: string;
  internal?: string;
}

function runWhole(input: Uint8Array): Outcome {
  const r = new MqttDecoder(LIMITS).push(input);
  return { packets: r.packets, code: r.error?.code, internal: r.error?.message.startsWith('decoder failure') ? r.error.message : undefined };
}

function runSplit(input: Uint8Array, rnd: () => number): Outcome {
  const d = new MqttDecoder(LIMITS);
  const packets: MqttPacket[] = [];
  let code: string | undefined;
  for (const piece of randomSplits(input, rnd)) {
    const r = d.push(piece);
    packets.push(...r.packets);
    code = r.error?.code;
  }
  return { packets, code };
}

describe(`MQTT decoder fuzz (${label})`, () => {
  it('rejects malformed, truncated and oversized input without crashing, consistently across splits', () => {
    const corpus = fc.sample(packetArb, { numRuns: 400, seed: SEED }).map((p) => encodePacket(p)).filter((b) => b.length <= 1200);
    const rnd = xorshift(SEED);
    const stats = { accepted: 0, rejected: 0, partial: 0, oracleChecked: 0 };
    const codes = new Map<string, number>();
    for (let i = 0; i < BUDGET; i++) {
      const base = rnd() < 0.1 ? Uint8Array.from({ length: Math.floor(rnd() * 40) }, () => Math.floor(rnd() * 256)) : corpus[Math.floor(rnd() * corpus.length)];
      const input = mutate(base, rnd, corpus);
      let whole: Outcome;
      try {
        whole = runWhole(input);
      } catch (e) {
        throw new Error(`decoder threw on input #${i} ${Buffer.from(input).toString('hex')}: ${String(e)}`);
      }
      if (whole.internal) throw new Error(`internal failure on #${i} ${Buffer.from(input).toString('hex')}: ${whole.internal}`);
      if (whole.code) {
        stats.rejected++;
        codes.set(whole.code, (codes.get(whole.code) ?? 0) + 1);
      } else if (whole.packets.length) stats.accepted++;
      else stats.partial++;

      // Splits must not change the outcome. Only every 4th input, to keep CI time down.
      if (i % 4 === 0) {
        const split = runSplit(input, rnd);
        expect(split.code, `split outcome differs on #${i}`).toBe(whole.code);
        expect(split.packets.map(normaliseOurs)).toEqual(whole.packets.map(normaliseOurs));
      }

      // Every accepted packet re-encodes canonically and reads back the same, here and in mqtt-packet.
      for (const p of whole.packets) {
        if (p.type === 'connect' && p.clientId === '' && !p.cleanSession) {
          // The one deliberate asymmetry: a server answers this CONNECT with CONNACK 2 (§3.1.3-8), so it is not a
          // decode error, but a client must never send it (§3.1.3-7), so the encoder refuses it.
          expect(() => encodePacket(p)).toThrow(/clean session/);
          continue;
        }
        const again = encodePacket(p);
        expect(normaliseOurs(decodePacket(again, LIMITS))).toEqual(normaliseOurs(p));
        if (i % 8 === 0) {
          const theirs = theirsParse(again);
          expect(theirs.error, `mqtt-packet rejects our re-encoding of #${i}`).toBeUndefined();
          expect(normaliseTheirs(theirs.packets[0])).toEqual(normaliseOurs(p));
          stats.oracleChecked++;
        }
      }
    }
    // The corpus must actually exercise both paths; a fuzzer that only ever rejects proves little.
    expect(stats.accepted).toBeGreaterThan(BUDGET / 50);
    expect(stats.rejected).toBeGreaterThan(BUDGET / 4);
    expect(codes.size).toBeGreaterThanOrEqual(10);
    console.log('mqtt fuzz', JSON.stringify(stats), JSON.stringify(Object.fromEntries(codes)));
  }, TIMEOUT_MS);

  it('refuses a huge Remaining Length from the header without allocating the body', () => {
    for (const header of [[0x30, 0xff, 0xff, 0xff, 0x7f], [0x10, 0x80, 0x80, 0x80, 0x01], [0x82, 0x81, 0x80, 0x01]]) {
      const r = new MqttDecoder({ maxRemainingLength: 16384 }).push(Uint8Array.from(header));
      expect(r.error?.code).toBe('PACKET_TOO_LARGE');
    }
  });

  it('byte-at-a-time feeding of a random valid stream', () => {
    const rnd = xorshift(SEED ^ 0x55);
    const packets = fc.sample(packetArb, { numRuns: Math.max(200, Math.floor(BUDGET / 500)), seed: SEED + 1 });
    const stream = Buffer.concat(packets.map((p) => encodePacket(p)));
    const d = new MqttDecoder({ maxRemainingLength: 65536, maxTopicLength: 65535 });
    const out: MqttPacket[] = [];
    for (let i = 0; i < stream.length; ) {
      const n = rnd() < 0.7 ? 1 : 1 + Math.floor(rnd() * 2000);
      const r = d.push(new Uint8Array(stream.subarray(i, i + n)));
      expect(r.error).toBeUndefined();
      out.push(...r.packets);
      i += n;
    }
    expect(out.map(normaliseOurs)).toEqual(packets.map(normaliseOurs));
  });
});

describe(`MQTT client session fuzz (${Math.max(200, Math.floor(BUDGET / 200))} sessions)`, () => {
  it('random broker behaviour never throws, never leaves two links open, keeps the outbox bounded', () => {
    const serverPackets = fc
      .sample(packetArb, { numRuns: 600, seed: SEED + 2 })
      .filter((p) => ['connack', 'publish', 'puback', 'pubrec', 'pubrel', 'pubcomp', 'suback', 'unsuback', 'pingresp', 'connect', 'disconnect'].includes(p.type));
    const rnd = xorshift(SEED ^ 0xc11e);
    const sessions = Math.max(200, Math.floor(BUDGET / 200));
    let onlineSeen = 0;
    for (let s = 0; s < sessions; s++) {
      const clock = new VirtualClock();
      const conns: { cb: SocketCallbacks; closed: boolean; decoder: MqttDecoder }[] = [];
      const socket: SocketHost = {
        connect(_o, cb) {
          const c = { cb, closed: false, decoder: new MqttDecoder() };
          conns.push(c);
          return {
            write(d: Uint8Array) {
              if (c.closed) throw new SocketError('CLOSED', 'closed');
              const r = c.decoder.push(d);
              if (r.error) throw new Error(`client wrote an invalid packet: ${r.error.message}`);
              return Math.floor(rnd() * 40_000);
            },
            close() {
              c.closed = true;
            },
          };
        },
        listen() {
          throw new Error('unused');
        },
      };
      const client = new MqttClient(
        { socket, timers: clock, clock, crypto: { randomBytes: (n) => Uint8Array.from({ length: n }, () => Math.floor(rnd() * 256)) }, logger: new Logger({ write() {} }, 'fuzz', new SecretRegistry()) },
        { url: 'mqtt://b', clientId: 'dev1', keepAliveS: 5, outbox: { maxEntries: 4 }, maxInflight: 2 },
        { onMessage: () => { if (rnd() < 0.01) throw new Error('handler bug'); } },
      );
      client.subscribe('a/+', 1);
      client.start();
      for (let step = 0; step < 40; step++) {
        const open = conns.filter((c) => !c.closed);
        expect(open.length, `session ${s} step ${step}`).toBeLessThanOrEqual(1);
        const c = conns[conns.length - 1];
        const r = rnd();
        if (r < 0.1) c?.cb.onConnect();
        else if (r < 0.2 && client.linkState.phase === 'connecting') {
          // A cooperative broker, so sessions get online and the packet mix below hits the online state.
          c?.cb.onConnect();
          c?.cb.onData(encodePacket({ type: 'connack', sessionPresent: false, returnCode: 0 }));
        }
        else if (r < 0.25) c?.cb.onData(encodePacket({ type: 'connack', sessionPresent: false, returnCode: rnd() < 0.8 ? 0 : 5 }));
        else if (r < 0.55) {
          const p = serverPackets[Math.floor(rnd() * serverPackets.length)];
          const bytes = encodePacket(p);
          c?.cb.onData(rnd() < 0.2 ? bytes.subarray(0, Math.floor(rnd() * bytes.length)) : bytes);
        } else if (r < 0.65) c?.cb.onClose(rnd() < 0.5 ? new SocketError('RESET', 'x') : undefined);
        else if (r < 0.8) client.publish('t/x', Uint8Array.of(step), { qos: rnd() < 0.5 ? 0 : 1 });
        else if (r < 0.95) clock.advance(Math.floor(rnd() * 8000));
        else if (rnd() < 0.5) client.stop();
        else client.start();
        if (client.linkState.phase === 'online') onlineSeen++;
        expect(client.pendingCount).toBeLessThanOrEqual(4);
      }
      client.stop();
      expect(conns.every((c) => c.closed || c === conns[conns.length - 1])).toBe(true);
    }
    expect(onlineSeen).toBeGreaterThan(sessions); // the fuzzer spent real time online, not only failing
  }, TIMEOUT_MS);
});
