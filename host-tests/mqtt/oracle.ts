// Test support for the MQTT codec: mapping between our packet model (firmware/mqtt/packets.ts) and mqtt-packet's
// (the oracle), a normaliser for field-by-field comparison, and fast-check arbitraries for every valid
// MQTT 3.1.1 packet. Used by host-tests/mqtt/codec.test.ts and host-tests/fuzz/mqtt.test.ts.
import fc from 'fast-check';
import * as mqttPacket from 'mqtt-packet';
import type { MqttPacket, QoS } from '../../firmware/mqtt/codec';

type Theirs = Record<string, unknown> & { cmd: string };

/** Our packet → the object mqtt-packet's generate() takes (protocolVersion 4). */
export function toTheirs(p: MqttPacket): Theirs {
  switch (p.type) {
    case 'connect': {
      const o: Theirs = { cmd: 'connect', protocolId: 'MQTT', protocolVersion: 4, clean: p.cleanSession, clientId: p.clientId, keepalive: p.keepAliveS };
      if (p.username !== undefined) o.username = p.username;
      if (p.password !== undefined) o.password = Buffer.from(p.password);
      if (p.will) o.will = { topic: p.will.topic, payload: Buffer.from(p.will.payload), qos: p.will.qos, retain: p.will.retain };
      return o;
    }
    case 'connack':
      return { cmd: 'connack', sessionPresent: p.sessionPresent, returnCode: p.returnCode };
    case 'publish': {
      const o: Theirs = { cmd: 'publish', topic: p.topic, payload: Buffer.from(p.payload), qos: p.qos, dup: p.dup, retain: p.retain };
      if (p.packetId !== undefined) o.messageId = p.packetId;
      return o;
    }
    case 'puback':
    case 'pubrec':
    case 'pubrel':
    case 'pubcomp':
    case 'unsuback':
      return { cmd: p.type, messageId: p.packetId };
    case 'subscribe':
      return { cmd: 'subscribe', messageId: p.packetId, subscriptions: p.subscriptions.map((s) => ({ topic: s.topicFilter, qos: s.qos })) };
    case 'suback':
      return { cmd: 'suback', messageId: p.packetId, granted: p.returnCodes };
    case 'unsubscribe':
      return { cmd: 'unsubscribe', messageId: p.packetId, unsubscriptions: p.topicFilters };
    default:
      return { cmd: p.type };
  }
}

const hex = (b: unknown): string => Buffer.from(b as Uint8Array).toString('hex');

/** A comparable plain object (bytes as hex) from our packet. */
export function normaliseOurs(p: MqttPacket): unknown {
  return JSON.parse(JSON.stringify(p, (_k, v) => (v instanceof Uint8Array ? hex(v) : v)));
}

/** mqtt-packet's parsed packet → the same comparable shape as normaliseOurs. */
export function normaliseTheirs(t: Record<string, any>): unknown {
  let p: Record<string, unknown>;
  switch (t.cmd) {
    case 'connect':
      p = { type: 'connect', clientId: t.clientId, keepAliveS: t.keepalive, cleanSession: t.clean };
      if (t.will) p.will = { topic: t.will.topic, payload: hex(t.will.payload), qos: t.will.qos, retain: t.will.retain };
      if (t.username !== undefined) p.username = t.username;
      if (t.password !== undefined) p.password = hex(t.password);
      break;
    case 'connack':
      p = { type: 'connack', sessionPresent: t.sessionPresent, returnCode: t.returnCode };
      break;
    case 'publish':
      p = { type: 'publish', topic: t.topic, payload: hex(t.payload), qos: t.qos, dup: t.dup, retain: t.retain };
      if (t.qos > 0) p.packetId = t.messageId;
      break;
    case 'subscribe':
      p = { type: 'subscribe', packetId: t.messageId, subscriptions: t.subscriptions.map((s: any) => ({ topicFilter: s.topic, qos: s.qos })) };
      break;
    case 'suback':
      p = { type: 'suback', packetId: t.messageId, returnCodes: t.granted };
      break;
    case 'unsubscribe':
      p = { type: 'unsubscribe', packetId: t.messageId, topicFilters: t.unsubscriptions };
      break;
    case 'puback':
    case 'pubrec':
    case 'pubrel':
    case 'pubcomp':
    case 'unsuback':
      p = { type: t.cmd, packetId: t.messageId };
      break;
    default:
      p = { type: t.cmd };
  }
  return JSON.parse(JSON.stringify(p));
}

export function theirsGenerate(p: Theirs): Uint8Array {
  return new Uint8Array(mqttPacket.generate(p as never, { protocolVersion: 4 }));
}

/** Parses a byte stream with mqtt-packet; returns the packets and the first error message, if any. */
export function theirsParse(bytes: Uint8Array): { packets: Record<string, any>[]; error?: string } {
  const parser = mqttPacket.parser({ protocolVersion: 4 });
  const packets: Record<string, any>[] = [];
  let error: string | undefined;
  parser.on('packet', (p: Record<string, any>) => packets.push(p));
  parser.on('error', (e: Error) => {
    error ??= e.message;
  });
  parser.parse(Buffer.from(bytes));
  return { packets, error };
}

// ---- arbitraries: only packets MQTT 3.1.1 allows ----

/** Any Unicode text without U+0000 (well-formed UTF-16: fast-check 'binary' never emits lone surrogates). */
const text = (maxLength: number) => fc.string({ unit: 'binary', maxLength }).map((s) => s.replace(/\0/g, ''));
const level = fc.oneof(
  { weight: 3, arbitrary: fc.stringMatching(/^[a-zA-Z0-9_-]{0,12}$/) },
  { weight: 1, arbitrary: text(8).map((s) => s.replace(/[/+#]/g, '')) },
);
export const topicNameArb = fc
  .array(level, { minLength: 1, maxLength: 6 })
  .map((levels) => levels.join('/'))
  .filter((t) => t.length > 0);
export const topicFilterArb = fc
  .tuple(fc.array(fc.oneof({ weight: 3, arbitrary: level }, { weight: 1, arbitrary: fc.constant('+') }), { minLength: 0, maxLength: 6 }), fc.boolean())
  .map(([levels, hash]) => (hash ? [...levels, '#'] : levels).join('/'))
  .filter((t) => t.length > 0);
const qosArb = fc.constantFrom<QoS>(0, 1, 2);
const idArb = fc.integer({ min: 1, max: 65535 });
const bytesArb = (maxLength: number) => fc.uint8Array({ maxLength });
/** Mostly small payloads, sometimes past the 1/2/3-byte Remaining Length boundaries. */
const payloadArb = fc.oneof(
  { weight: 8, arbitrary: bytesArb(200) },
  { weight: 1, arbitrary: fc.integer({ min: 120, max: 20_000 }).map((n) => new Uint8Array(n).map((_, i) => (i * 31) & 0xff)) },
);

export const connectArb: fc.Arbitrary<MqttPacket> = fc
  .record({
    clientId: text(23),
    keepAliveS: fc.integer({ min: 0, max: 65535 }),
    cleanSession: fc.boolean(),
    will: fc.option(fc.record({ topic: topicNameArb, payload: bytesArb(100), qos: qosArb, retain: fc.boolean() }), { nil: undefined }),
    username: fc.option(text(30), { nil: undefined }),
    password: fc.option(bytesArb(40), { nil: undefined }),
  })
  .map((r) => {
    // §3.1.3-7: a zero-byte client id requires CleanSession = 1.
    const p: MqttPacket = { type: 'connect', clientId: r.clientId, keepAliveS: r.keepAliveS, cleanSession: r.cleanSession || r.clientId === '' };
    if (r.will) p.will = r.will;
    if (r.username !== undefined) {
      p.username = r.username;
      if (r.password !== undefined) p.password = r.password; // 3.1.1: no password without username
    }
    return p;
  });

export const publishArb: fc.Arbitrary<MqttPacket> = fc
  .record({ topic: topicNameArb, payload: payloadArb, qos: qosArb, dup: fc.boolean(), retain: fc.boolean(), packetId: idArb })
  .map((r) => {
    const p: MqttPacket = { type: 'publish', topic: r.topic, payload: r.payload, qos: r.qos, dup: r.qos > 0 && r.dup, retain: r.retain };
    if (r.qos > 0) p.packetId = r.packetId;
    return p;
  });

export const packetArb: fc.Arbitrary<MqttPacket> = fc.oneof(
  connectArb,
  fc.boolean().chain((sp) =>
    fc.integer({ min: 0, max: 5 }).map((rc): MqttPacket => ({ type: 'connack', sessionPresent: rc === 0 && sp, returnCode: rc })),
  ),
  publishArb,
  fc.tuple(fc.constantFrom('puback', 'pubrec', 'pubrel', 'pubcomp', 'unsuback' as const), idArb).map(([type, packetId]): MqttPacket => ({ type, packetId })),
  fc
    .record({ packetId: idArb, subscriptions: fc.array(fc.record({ topicFilter: topicFilterArb, qos: qosArb }), { minLength: 1, maxLength: 5 }) })
    .map((r): MqttPacket => ({ type: 'subscribe', ...r })),
  fc
    .record({ packetId: idArb, returnCodes: fc.array(fc.constantFrom(0, 1, 2, 0x80), { minLength: 1, maxLength: 8 }) })
    .map((r): MqttPacket => ({ type: 'suback', ...r })),
  fc
    .record({ packetId: idArb, topicFilters: fc.array(topicFilterArb, { minLength: 1, maxLength: 5 }) })
    .map((r): MqttPacket => ({ type: 'unsubscribe', ...r })),
  fc.constantFrom<MqttPacket>({ type: 'pingreq' }, { type: 'pingresp' }, { type: 'disconnect' }),
);

/** Cuts `bytes` into pieces at random points (some empty), as a socket might deliver them. */
export function randomSplits(bytes: Uint8Array, rnd: () => number): Uint8Array[] {
  const out: Uint8Array[] = [];
  let i = 0;
  while (i < bytes.length) {
    const r = rnd();
    const len = r < 0.1 ? 0 : r < 0.5 ? 1 + Math.floor(rnd() * 3) : 1 + Math.floor(rnd() * 64);
    out.push(bytes.subarray(i, Math.min(bytes.length, i + len)));
    i += len;
  }
  return out;
}

/** Small deterministic PRNG (xorshift32) so a failing fuzz input can be replayed from its seed. */
export { xorshift } from '../fixtures/fuzz';
