// Differential and unit tests for firmware/mqtt/codec.ts against mqtt-packet (the oracle): random valid packets
// built on either side parse to the same fields on the other, encodings are byte-identical (MQTT 3.1.1 has one
// canonical encoding for every packet we emit), and each protocol violation is rejected with its own code.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MqttDecoder, decodePacket, encodePacket, MqttError, topicMatches, type MqttPacket } from '../../firmware/mqtt/codec';
import { normaliseOurs, normaliseTheirs, packetArb, randomSplits, theirsGenerate, theirsParse, toTheirs, xorshift } from './oracle';

const RUNS = 1500;
const BIG = { maxRemainingLength: 268_435_455, maxTopicLength: 65535 };
const bytes = (h: string) => Uint8Array.from(Buffer.from(h.replace(/\s/g, ''), 'hex'));

function codeOf(input: Uint8Array, limits?: Partial<typeof BIG>): string | undefined {
  const r = new MqttDecoder(limits ?? BIG).push(input);
  return r.error?.code;
}

describe('MQTT codec vs mqtt-packet', () => {
  it('our encoding is byte-identical to mqtt-packet and parses to the same fields there', () => {
    fc.assert(
      fc.property(packetArb, (p) => {
        const ours = encodePacket(p);
        expect(Buffer.from(ours).toString('hex')).toBe(Buffer.from(theirsGenerate(toTheirs(p))).toString('hex'));
        const parsed = theirsParse(ours);
        expect(parsed.error).toBeUndefined();
        expect(parsed.packets.length).toBe(1);
        expect(normaliseTheirs(parsed.packets[0])).toEqual(normaliseOurs(p));
      }),
      { numRuns: RUNS },
    );
  });

  it("mqtt-packet's encoding decodes to the same fields here", () => {
    fc.assert(
      fc.property(packetArb, (p) => {
        const theirs = theirsGenerate(toTheirs(p));
        const parsedByThem = theirsParse(theirs).packets[0];
        expect(normaliseOurs(decodePacket(theirs, BIG))).toEqual(normaliseTheirs(parsedByThem));
      }),
      { numRuns: RUNS },
    );
  });

  it('a stream of packets split at arbitrary points yields the same packets as one read', () => {
    fc.assert(
      fc.property(fc.array(packetArb, { minLength: 1, maxLength: 8 }), fc.integer(), (packets, seed) => {
        const stream = Buffer.concat(packets.map((p) => encodePacket(p)));
        const decoder = new MqttDecoder(BIG);
        const out: MqttPacket[] = [];
        for (const piece of randomSplits(new Uint8Array(stream), xorshift(seed))) {
          const r = decoder.push(piece);
          expect(r.error).toBeUndefined();
          out.push(...r.packets);
        }
        expect(decoder.idle).toBe(true);
        expect(out.map(normaliseOurs)).toEqual(packets.map(normaliseOurs));
      }),
      { numRuns: 500 },
    );
  });

  it('packets decoded from a reused socket buffer do not alias it', () => {
    const chunk = encodePacket({ type: 'publish', topic: 't', payload: Uint8Array.of(1, 2, 3), qos: 0, dup: false, retain: false });
    const [p] = new MqttDecoder().push(chunk).packets;
    chunk.fill(0xee);
    expect(p.type === 'publish' && Array.from(p.payload)).toEqual([1, 2, 3]);
  });
});

describe('MQTT decoder rejects protocol violations with a code', () => {
  const cases: [string, string, string][] = [
    ['reserved type 0', '00 00', 'RESERVED_PACKET_TYPE'],
    ['reserved type 15', 'f0 00', 'RESERVED_PACKET_TYPE'],
    ['SUBSCRIBE flags 0', '80 08 0003 0003 612f2b 01', 'RESERVED_FLAGS'],
    ['PUBREL flags 0', '60 02 0003', 'RESERVED_FLAGS'],
    ['PINGRESP flags', 'd1 00', 'RESERVED_FLAGS'],
    ['PUBLISH QoS 3', '36 05 0001 61 0001', 'INVALID_QOS'],
    ['DUP on QoS 0', '38 03 0001 61', 'RESERVED_FLAGS'],
    ['5-byte remaining length', '30 ff ff ff ff 01', 'REMAINING_LENGTH_MALFORMED'],
    ['zero-length topic', '30 02 0000', 'TOPIC_EMPTY'],
    ['wildcard in topic', '30 05 0003 612f2b', 'TOPIC_WILDCARD'],
    ['invalid UTF-8 topic', '30 04 0002 c328', 'INVALID_UTF8'],
    ['overlong UTF-8 topic', '30 04 0002 c0af', 'INVALID_UTF8'],
    ['surrogate in topic', '30 05 0003 eda080', 'INVALID_UTF8'],
    ['U+0000 in topic', '30 04 0002 6100', 'INVALID_UTF8'],
    ['packet id 0 in PUBLISH', '32 05 0001 61 0000', 'PACKET_ID_ZERO'],
    ['packet id 0 in PUBACK', '40 02 0000', 'PACKET_ID_ZERO'],
    ['PUBACK too long', '40 03 0001 00', 'MALFORMED'],
    ['PINGREQ with a body', 'c0 01 00', 'MALFORMED'],
    ['topic longer than the packet', '30 03 0005 61', 'MALFORMED'],
    ['CONNACK reserved return code', '20 02 00 06', 'INVALID_RETURN_CODE'],
    ['CONNACK reserved flag bits', '20 02 02 00', 'RESERVED_FLAGS'],
    ['CONNACK session present with rc 5', '20 02 01 05', 'RESERVED_FLAGS'],
    ['SUBACK reserved code', '90 03 0001 03', 'INVALID_RETURN_CODE'],
    ['SUBACK empty', '90 02 0001', 'EMPTY_SUBSCRIPTION'],
    ['SUBSCRIBE empty', '82 02 0001', 'EMPTY_SUBSCRIPTION'],
    ['SUBSCRIBE QoS 3', '82 06 0001 0001 61 03', 'INVALID_QOS'],
    ['SUBSCRIBE reserved option bits', '82 06 0001 0001 61 04', 'RESERVED_FLAGS'],
    ['SUBSCRIBE bad filter', '82 08 0001 0003 612b62 00', 'INVALID_TOPIC_FILTER'],
    ['SUBSCRIBE # not last', '82 08 0001 0003 232f61 00', 'INVALID_TOPIC_FILTER'],
    ['UNSUBSCRIBE empty', 'a2 02 0001', 'EMPTY_SUBSCRIPTION'],
    ['CONNECT MQIsdp', '10 0e 0006 4d5149736470 03 02 0000 0000', 'UNSUPPORTED_PROTOCOL'],
    ['CONNECT level 5', '10 0c 0004 4d515454 05 02 0000 0000', 'UNSUPPORTED_PROTOCOL'],
    ['CONNECT reserved flag', '10 0c 0004 4d515454 04 03 0000 0000', 'RESERVED_FLAGS'],
    ['CONNECT will QoS without will', '10 0c 0004 4d515454 04 0a 0000 0000', 'RESERVED_FLAGS'],
    ['CONNECT will QoS 3', '10 0c 0004 4d515454 04 1e 0000 0000', 'INVALID_QOS'],
    ['CONNECT password without username', '10 0e 0004 4d515454 04 42 0000 0000 0000', 'RESERVED_FLAGS'],
    ['CONNECT trailing bytes', '10 0d 0004 4d515454 04 02 0000 0000 00', 'MALFORMED'],
  ];
  for (const [name, input, code] of cases) {
    it(name, () => expect(codeOf(bytes(input))).toBe(code));
  }

  it('enforces the configured size and topic limits', () => {
    // A 16 KB+1 Remaining Length is refused from its header alone, before any body byte arrives.
    expect(codeOf(bytes('30 81 80 01'), { maxRemainingLength: 16384 })).toBe('PACKET_TOO_LARGE');
    expect(codeOf(bytes('30 80 80 01'), { maxRemainingLength: 16384 })).toBeUndefined();
    expect(codeOf(bytes('30 ff ff ff 7f'))).toBeUndefined(); // 268435455: the spec maximum, accepted when allowed
    expect(codeOf(bytes('30 06 0004 61626364'), { maxTopicLength: 3 })).toBe('TOPIC_TOO_LONG');
    expect(codeOf(bytes('30 06 0004 61626364'), { maxTopicLength: 4 })).toBeUndefined();
    expect(() => new MqttDecoder({ maxRemainingLength: 268_435_456 })).toThrow(RangeError);
  });

  it('stays failed after an error and keeps packets completed before it', () => {
    const d = new MqttDecoder();
    const r = d.push(bytes('d0 00  d0 00  f0 00  d0 00'));
    expect(r.packets.map((p) => p.type)).toEqual(['pingresp', 'pingresp']);
    expect(r.error?.code).toBe('RESERVED_PACKET_TYPE');
    const again = d.push(bytes('d0 00'));
    expect(again.packets).toEqual([]);
    expect(again.error).toBe(r.error);
  });

  it('rejects a bad first byte as soon as it arrives, without waiting for the body', () => {
    const d = new MqttDecoder();
    expect(d.push(bytes('36')).error?.code).toBe('INVALID_QOS');
  });
});

describe('MQTT encoder refuses what a broker would treat as a violation', () => {
  const pub = (over: Partial<Extract<MqttPacket, { type: 'publish' }>>): MqttPacket => ({
    type: 'publish', topic: 'a/b', payload: new Uint8Array(0), qos: 1, dup: false, retain: false, packetId: 1, ...over,
  });
  const cases: [string, MqttPacket, string][] = [
    ['wildcard topic', pub({ topic: 'a/+' }), 'TOPIC_WILDCARD'],
    ['empty topic', pub({ topic: '' }), 'TOPIC_EMPTY'],
    ['packet id 0', pub({ packetId: 0 }), 'PACKET_ID_ZERO'],
    ['packet id 65536', pub({ packetId: 65536 }), 'FIELD_RANGE'],
    ['missing packet id', pub({ packetId: undefined }), 'FIELD_RANGE'],
    ['QoS 3', pub({ qos: 3 as never }), 'INVALID_QOS'],
    ['DUP on QoS 0', pub({ qos: 0, dup: true, packetId: undefined }), 'RESERVED_FLAGS'],
    ['lone surrogate', pub({ topic: 'a\ud800' }), 'INVALID_UTF8'],
    ['U+0000', pub({ topic: 'a\u0000' }), 'INVALID_UTF8'],
    ['bad filter', { type: 'subscribe', packetId: 1, subscriptions: [{ topicFilter: 'a/#/b', qos: 0 }] }, 'INVALID_TOPIC_FILTER'],
    ['empty subscribe', { type: 'subscribe', packetId: 1, subscriptions: [] }, 'EMPTY_SUBSCRIPTION'],
    ['password without username', { type: 'connect', clientId: 'c', keepAliveS: 60, cleanSession: true, password: new Uint8Array(1) }, 'FIELD_RANGE'],
    ['keep-alive too large', { type: 'connect', clientId: 'c', keepAliveS: 65536, cleanSession: true }, 'FIELD_RANGE'],
    ['empty client id without clean session', { type: 'connect', clientId: '', keepAliveS: 60, cleanSession: false }, 'FIELD_RANGE'],
    ['65536-byte password', { type: 'connect', clientId: 'c', keepAliveS: 1, cleanSession: true, username: 'u', password: new Uint8Array(65536) }, 'FIELD_RANGE'],
  ];
  for (const [name, packet, code] of cases) {
    it(name, () => {
      let caught: unknown;
      try {
        encodePacket(packet);
      } catch (e) {
        caught = e;
      }
      expect(caught).toBeInstanceOf(MqttError);
      expect((caught as MqttError).code).toBe(code);
    });
  }
});

describe('topic matching (§4.7)', () => {
  it.each([
    ['r/c/attributevalue/+/A', 'r/c/attributevalue/temp/A', true],
    ['r/c/attributevalue/+/A', 'r/c/attributevalue/temp/B', false],
    ['a/#', 'a', true],
    ['a/#', 'a/b/c', true],
    ['#', '$SYS/x', false],
    ['+/x', '$SYS/x', false],
    ['a/+', 'a/b/c', false],
    ['a/+', 'a/', true],
  ])('%s vs %s', (filter, topic, expected) => expect(topicMatches(filter, topic)).toBe(expected));
});
