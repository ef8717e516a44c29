// Streaming MQTT 3.1.1 decoder (§2.2 fixed header, §3 control packets, §4.8 handling errors). Socket reads are
// fed in as they come, split or merged anywhere; whole packets come out. The first protocol violation is final:
// the decoder stays failed and the caller must close the network connection (§4.8: "MUST close").
import {
  DEFAULT_LIMITS,
  MQTT_MAX_REMAINING_LENGTH,
  MqttError,
  SUBACK_FAILURE,
  type MqttLimits,
  type MqttPacket,
  type QoS,
  type Will,
} from './packets';
import { decodeString, topicFilterError, topicNameError } from './strings';

export interface DecodeResult {
  /** Whole packets completed by this chunk, in order (also those before an error in the same chunk). */
  packets: MqttPacket[];
  /** Set once a protocol violation was found; every later push returns the same error. */
  error?: MqttError;
}

/** Packet type (1..14) → name; index 0 and 15 are reserved (§2.2.1). */
const TYPE_NAMES = Object.freeze([
  undefined, 'connect', 'connack', 'publish', 'puback', 'pubrec', 'pubrel', 'pubcomp',
  'subscribe', 'suback', 'unsubscribe', 'unsuback', 'pingreq', 'pingresp', 'disconnect', undefined,
] as const);

/** Required fixed-header flags per type (Table 2.2); -1 for PUBLISH, whose flags carry DUP/QoS/RETAIN. */
const REQUIRED_FLAGS = Object.freeze([-1, 0, 0, -1, 0, 0, 2, 0, 2, 0, 2, 0, 0, 0, 0, -1]);

/** Remaining Length that types with a fixed size must have; -1 when it varies. */
const FIXED_REMAINING = Object.freeze([-1, -1, 2, -1, 2, 2, 2, 2, -1, -1, -1, 2, 0, 0, 0, -1]);

/** Validates the first byte of a fixed header; returns an error or undefined. */
function checkFirstByte(first: number): MqttError | undefined {
  const type = first >> 4;
  const flags = first & 0x0f;
  if (type === 0 || type === 15) return new MqttError('RESERVED_PACKET_TYPE', `packet type ${type} is reserved (§2.2.1)`);
  if (type === 3) {
    const qos = (flags >> 1) & 3;
    if (qos === 3) return new MqttError('INVALID_QOS', 'PUBLISH with both QoS bits set (§3.3.1.2)');
    if (qos === 0 && flags & 8) return new MqttError('RESERVED_FLAGS', 'DUP set on a QoS 0 PUBLISH (§3.3.1.1)');
    return undefined;
  }
  if (flags !== REQUIRED_FLAGS[type]) {
    return new MqttError('RESERVED_FLAGS', `${TYPE_NAMES[type]} fixed-header flags 0x${flags.toString(16)} (Table 2.2)`);
  }
  return undefined;
}

class Reader {
  constructor(
    readonly buf: Uint8Array,
    public pos: number,
    readonly end: number,
  ) {}
  need(n: number, what: string): void {
    if (this.end - this.pos < n) throw new MqttError('MALFORMED', `packet ends inside ${what}`);
  }
  u8(what: string): number {
    this.need(1, what);
    return this.buf[this.pos++];
  }
  u16(what: string): number {
    this.need(2, what);
    const v = (this.buf[this.pos] << 8) | this.buf[this.pos + 1];
    this.pos += 2;
    return v;
  }
  packetId(): number {
    const id = this.u16('packet identifier');
    if (id === 0) throw new MqttError('PACKET_ID_ZERO', 'packet identifier 0 (§2.3.1)');
    return id;
  }
  /** Returns [start, end) of a 2-byte-length-prefixed field. */
  field(what: string): [number, number] {
    const len = this.u16(`${what} length`);
    this.need(len, what);
    const start = this.pos;
    this.pos += len;
    return [start, this.pos];
  }
  string(what: string): string {
    const [s, e] = this.field(what);
    const text = decodeString(this.buf, s, e);
    if (text === undefined) throw new MqttError('INVALID_UTF8', `${what} is not well-formed UTF-8 or contains U+0000 (§1.5.3)`);
    return text;
  }
  binary(what: string): Uint8Array {
    const [s, e] = this.field(what);
    return this.buf.slice(s, e);
  }
  done(what: string): void {
    if (this.pos !== this.end) throw new MqttError('MALFORMED', `${this.end - this.pos} unexpected bytes at the end of ${what}`);
  }
}

function topicName(r: Reader, maxTopicLength: number, what: string): string {
  const lenPos = r.pos;
  const topic = r.string(what);
  const err = topicNameError(topic, r.pos - lenPos - 2, maxTopicLength);
  if (err) throw err;
  return topic;
}

function topicFilter(r: Reader, maxTopicLength: number): string {
  const lenPos = r.pos;
  const filter = r.string('topic filter');
  const err = topicFilterError(filter, r.pos - lenPos - 2, maxTopicLength);
  if (err) throw err;
  return filter;
}

/** Parses one packet body (the bytes after the fixed header). Throws MqttError. `owned`: buf is ours to alias. */
function parseBody(first: number, buf: Uint8Array, start: number, end: number, limits: MqttLimits, owned: boolean): MqttPacket {
  const type = first >> 4;
  const r = new Reader(buf, start, end);
  switch (type) {
    case 1: {
      // CONNECT (§3.1)
      const [ns, ne] = r.field('protocol name');
      if (ne - ns !== 4 || buf[ns] !== 0x4d || buf[ns + 1] !== 0x51 || buf[ns + 2] !== 0x54 || buf[ns + 3] !== 0x54) {
        throw new MqttError('UNSUPPORTED_PROTOCOL', 'protocol name is not "MQTT" (§3.1.2.1)');
      }
      const level = r.u8('protocol level');
      if (level !== 4) throw new MqttError('UNSUPPORTED_PROTOCOL', `protocol level ${level}; only 4 (3.1.1) is supported`);
      const flags = r.u8('connect flags');
      if (flags & 0x01) throw new MqttError('RESERVED_FLAGS', 'CONNECT reserved flag set (§3.1.2.3)');
      const willFlag = (flags & 0x04) !== 0;
      const willQos = (flags >> 3) & 3;
      const willRetain = (flags & 0x20) !== 0;
      if (willQos === 3) throw new MqttError('INVALID_QOS', 'will QoS 3 (§3.1.2.6)');
      if (!willFlag && (willQos !== 0 || willRetain)) throw new MqttError('RESERVED_FLAGS', 'will QoS/retain without the will flag (§3.1.2.6-7)');
      const hasUser = (flags & 0x80) !== 0;
      const hasPassword = (flags & 0x40) !== 0;
      if (hasPassword && !hasUser) throw new MqttError('RESERVED_FLAGS', 'password flag without username flag (§3.1.2.9)');
      const keepAliveS = r.u16('keep alive');
      // An empty client id without a clean session is accepted here: the server answers it with CONNACK 2
      // (§3.1.3-8) rather than closing. The encoder refuses to build one (§3.1.3-7).
      const clientId = r.string('client identifier');
      let will: Will | undefined;
      if (willFlag) {
        const topic = topicName(r, limits.maxTopicLength, 'will topic');
        will = { topic, payload: r.binary('will message'), qos: willQos as QoS, retain: willRetain };
      }
      const username = hasUser ? r.string('username') : undefined;
      const password = hasPassword ? r.binary('password') : undefined;
      r.done('CONNECT');
      const p: MqttPacket = { type: 'connect', clientId, keepAliveS, cleanSession: (flags & 0x02) !== 0 };
      if (will) p.will = will;
      if (username !== undefined) p.username = username;
      if (password !== undefined) p.password = password;
      return p;
    }
    case 2: {
      // CONNACK (§3.2)
      const ack = r.u8('acknowledge flags');
      const returnCode = r.u8('return code');
      if (ack & 0xfe) throw new MqttError('RESERVED_FLAGS', 'CONNACK flags bits 7-1 must be 0 (§3.2.2.1)');
      if (returnCode > 5) throw new MqttError('INVALID_RETURN_CODE', `CONNACK return code ${returnCode} is reserved (§3.2.2.3)`);
      if (ack && returnCode !== 0) throw new MqttError('RESERVED_FLAGS', 'session present with a non-zero return code (§3.2.2.2)');
      return { type: 'connack', sessionPresent: ack === 1, returnCode };
    }
    case 3: {
      // PUBLISH (§3.3)
      const qos = ((first >> 1) & 3) as QoS;
      const topic = topicName(r, limits.maxTopicLength, 'topic name');
      const packetId = qos > 0 ? r.packetId() : undefined;
      const payload = owned ? buf.subarray(r.pos, end) : buf.slice(r.pos, end);
      const p: MqttPacket = { type: 'publish', topic, payload, qos, dup: (first & 8) !== 0, retain: (first & 1) !== 0 };
      if (packetId !== undefined) p.packetId = packetId;
      return p;
    }
    case 4:
    case 5:
    case 6:
    case 7:
    case 11: {
      const packetId = r.packetId();
      r.done(TYPE_NAMES[type] as string);
      return { type: TYPE_NAMES[type] as 'puback', packetId };
    }
    case 8: {
      // SUBSCRIBE (§3.8)
      const packetId = r.packetId();
      const subscriptions = [];
      while (r.pos < end) {
        const topicFilterText = topicFilter(r, limits.maxTopicLength);
        const options = r.u8('requested QoS');
        if (options & 0xfc) throw new MqttError('RESERVED_FLAGS', 'requested QoS byte bits 7-2 must be 0 (§3.8.3.1)');
        if (options === 3) throw new MqttError('INVALID_QOS', 'requested QoS 3 (§3.8.3.1)');
        subscriptions.push({ topicFilter: topicFilterText, qos: options as QoS });
      }
      if (subscriptions.length === 0) throw new MqttError('EMPTY_SUBSCRIPTION', 'SUBSCRIBE without a topic filter (§3.8.3)');
      return { type: 'subscribe', packetId, subscriptions };
    }
    case 9: {
      // SUBACK (§3.9)
      const packetId = r.packetId();
      if (r.pos === end) throw new MqttError('EMPTY_SUBSCRIPTION', 'SUBACK without a return code (§3.9.3)');
      const returnCodes: number[] = [];
      for (let i = r.pos; i < end; i++) {
        const rc = buf[i];
        if (rc > 2 && rc !== SUBACK_FAILURE) throw new MqttError('INVALID_RETURN_CODE', `SUBACK return code 0x${rc.toString(16)} is reserved (§3.9.3)`);
        returnCodes.push(rc);
      }
      return { type: 'suback', packetId, returnCodes };
    }
    case 10: {
      // UNSUBSCRIBE (§3.10)
      const packetId = r.packetId();
      const topicFilters: string[] = [];
      while (r.pos < end) topicFilters.push(topicFilter(r, limits.maxTopicLength));
      if (topicFilters.length === 0) throw new MqttError('EMPTY_SUBSCRIPTION', 'UNSUBSCRIBE without a topic filter (§3.10.3)');
      return { type: 'unsubscribe', packetId, topicFilters };
    }
    default:
      // 12..14: PINGREQ, PINGRESP, DISCONNECT; the fixed length 0 was checked with the header.
      return { type: TYPE_NAMES[type] as 'pingreq' };
  }
}

function resolveLimits(limits: Partial<MqttLimits> | undefined): MqttLimits {
  const out = { ...DEFAULT_LIMITS, ...limits };
  if (!(out.maxRemainingLength >= 0 && out.maxRemainingLength <= MQTT_MAX_REMAINING_LENGTH)) {
    throw new RangeError(`maxRemainingLength must be 0..${MQTT_MAX_REMAINING_LENGTH}`);
  }
  if (!(out.maxTopicLength >= 1 && out.maxTopicLength <= 0xffff)) throw new RangeError('maxTopicLength must be 1..65535');
  return out;
}

export class MqttDecoder {
  private readonly limits: MqttLimits;
  private failed: MqttError | undefined;
  // Fixed-header state: first byte (-1 before it), Remaining Length so far, bytes of it read, multiplier.
  private first = -1;
  private remaining = 0;
  private lengthBytes = 0;
  private multiplier = 1;
  // Body being reassembled across chunks.
  private body: Uint8Array | undefined;
  private filled = 0;

  constructor(limits?: Partial<MqttLimits>) {
    this.limits = resolveLimits(limits);
  }

  get error(): MqttError | undefined {
    return this.failed;
  }

  /** True when no partial packet is buffered (useful to assert clean boundaries in tests). */
  get idle(): boolean {
    return this.first < 0 && !this.body;
  }

  /** Feeds bytes read from the connection. Never throws for bad input; see DecodeResult. The chunk is not kept. */
  push(chunk: Uint8Array): DecodeResult {
    const packets: MqttPacket[] = [];
    if (this.failed) return { packets, error: this.failed };
    try {
      this.consume(chunk, packets);
    } catch (e) {
      this.failed = e instanceof MqttError ? e : new MqttError('MALFORMED', `decoder failure: ${String(e)}`);
      this.body = undefined;
      return { packets, error: this.failed };
    }
    return { packets };
  }

  private consume(chunk: Uint8Array, packets: MqttPacket[]): void {
    const n = chunk.length;
    let off = 0;
    while (off < n) {
      if (this.body) {
        const take = Math.min(this.body.length - this.filled, n - off);
        this.body.set(chunk.subarray(off, off + take), this.filled);
        this.filled += take;
        off += take;
        if (this.filled < this.body.length) return;
        const body = this.body;
        this.body = undefined;
        const first = this.first;
        this.first = -1;
        packets.push(parseBody(first, body, 0, body.length, this.limits, true));
        continue;
      }
      if (this.first < 0) {
        const first = chunk[off++];
        const err = checkFirstByte(first);
        if (err) throw err;
        this.first = first;
        this.remaining = 0;
        this.lengthBytes = 0;
        this.multiplier = 1;
        continue;
      }
      // Remaining Length, one byte at a time (§2.2.3).
      const digit = chunk[off++];
      this.remaining += (digit & 0x7f) * this.multiplier;
      this.multiplier *= 128;
      this.lengthBytes++;
      if (digit & 0x80) {
        if (this.lengthBytes === 4) throw new MqttError('REMAINING_LENGTH_MALFORMED', 'Remaining Length longer than 4 bytes (§2.2.3)');
        continue;
      }
      const remaining = this.remaining;
      const type = this.first >> 4;
      if (remaining > this.limits.maxRemainingLength) {
        throw new MqttError('PACKET_TOO_LARGE', `Remaining Length ${remaining} exceeds the limit ${this.limits.maxRemainingLength}`);
      }
      const fixed = FIXED_REMAINING[type];
      if (fixed >= 0 && remaining !== fixed) {
        throw new MqttError('MALFORMED', `${TYPE_NAMES[type]} Remaining Length must be ${fixed}, got ${remaining}`);
      }
      if (n - off >= remaining) {
        // Whole body in this chunk: parse in place (payload bytes are copied out).
        const first = this.first;
        this.first = -1;
        packets.push(parseBody(first, chunk, off, off + remaining, this.limits, false));
        off += remaining;
      } else {
        this.body = new Uint8Array(remaining);
        this.filled = 0;
      }
    }
  }
}

/** Decodes exactly one whole packet (no trailing bytes). Throws MqttError. */
export function decodePacket(bytes: Uint8Array, limits?: Partial<MqttLimits>): MqttPacket {
  const decoder = new MqttDecoder(limits ?? { maxRemainingLength: MQTT_MAX_REMAINING_LENGTH, maxTopicLength: 0xffff });
  const r = decoder.push(bytes);
  if (r.error) throw r.error;
  if (r.packets.length !== 1 || !decoder.idle) throw new MqttError('MALFORMED', `expected one whole packet, got ${r.packets.length}${decoder.idle ? '' : ' and a partial one'}`);
  return r.packets[0];
}
