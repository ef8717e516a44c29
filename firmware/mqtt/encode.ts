// MQTT 3.1.1 packet encoder (§2 fixed header, §3 each control packet). Computes the exact size first and writes
// into one Uint8Array. Refuses anything a conforming receiver would treat as a protocol violation, so the device
// never gets disconnected for a packet it built itself.
import {
  MQTT_MAX_REMAINING_LENGTH,
  MqttError,
  PACKET_TYPE,
  SUBACK_FAILURE,
  type ConnectPacket,
  type MqttPacket,
  type PublishPacket,
} from './packets';
import { encodeString, topicFilterError, topicNameError } from './strings';

const MAX_FIELD = 0xffff; // every length-prefixed field carries a 2-byte length (§1.5.3)
const PROTOCOL_NAME = Object.freeze([0x00, 0x04, 0x4d, 0x51, 0x54, 0x54]); // "MQTT" (§3.1.2.1)
const PROTOCOL_LEVEL = 4; // 3.1.1 (§3.1.2.2)

class Writer {
  readonly bytes: Uint8Array;
  pos = 0;
  constructor(size: number) {
    this.bytes = new Uint8Array(size);
  }
  u8(v: number): void {
    this.bytes[this.pos++] = v;
  }
  u16(v: number): void {
    this.bytes[this.pos++] = v >> 8;
    this.bytes[this.pos++] = v & 0xff;
  }
  raw(data: Uint8Array | readonly number[]): void {
    this.bytes.set(data, this.pos);
    this.pos += data.length;
  }
  field(data: Uint8Array | string): void {
    this.u16(data.length);
    if (typeof data === 'string') {
      // Pre-checked ASCII (see topicName): one byte per char, written in place without an intermediate array.
      for (let i = 0; i < data.length; i++) this.bytes[this.pos++] = data.charCodeAt(i);
    } else {
      this.raw(data);
    }
  }
}

/** Number of bytes of the Remaining Length encoding of `n` (§2.2.3). */
export function varintSize(n: number): number {
  return n < 0x80 ? 1 : n < 0x4000 ? 2 : n < 0x200000 ? 3 : 4;
}

function header(firstByte: number, remaining: number): Writer {
  if (remaining > MQTT_MAX_REMAINING_LENGTH) {
    throw new MqttError('PACKET_TOO_LARGE', `remaining length ${remaining} exceeds ${MQTT_MAX_REMAINING_LENGTH} (§2.2.3)`);
  }
  const w = new Writer(1 + varintSize(remaining) + remaining);
  w.u8(firstByte);
  let n = remaining;
  do {
    let digit = n & 0x7f;
    n = Math.floor(n / 128);
    if (n > 0) digit |= 0x80;
    w.u8(digit);
  } while (n > 0);
  return w;
}

function field(data: Uint8Array, what: string): Uint8Array {
  if (data.length > MAX_FIELD) throw new MqttError('FIELD_RANGE', `${what} is ${data.length} bytes; the limit is 65535`);
  return data;
}

function checkPacketId(id: number | undefined): number {
  if (id === undefined || !Number.isInteger(id) || id < 1 || id > 0xffff) {
    if (id === 0) throw new MqttError('PACKET_ID_ZERO', 'packet identifier must be non-zero (§2.3.1)');
    throw new MqttError('FIELD_RANGE', `packet identifier ${id} is not in 1..65535`);
  }
  return id;
}

function checkQos(qos: number): void {
  if (qos !== 0 && qos !== 1 && qos !== 2) throw new MqttError('INVALID_QOS', `QoS ${qos} is not 0, 1 or 2`);
}

/** A topic name ready to write: the string itself when it is plain ASCII (the common case: every OpenRemote topic),
 * else its UTF-8 bytes. Either way it has passed the topic-name rules (throws MqttError otherwise); its `length` is
 * the encoded byte length. */
export function topicName(topic: string): Uint8Array | string {
  const n = topic.length;
  if (n > 0 && n <= MAX_FIELD) {
    let i = 0;
    for (; i < n; i++) {
      const c = topic.charCodeAt(i);
      if (c >= 0x80 || c === 0 || c === 0x2b || c === 0x23) break;
    }
    if (i === n) return topic;
  }
  // Non-ASCII, empty, too long or a rule broken: the general path finds out which, with the right error.
  const bytes = encodeString(topic);
  const err = topicNameError(topic, bytes.length, MAX_FIELD);
  if (err) throw err;
  return bytes;
}

function topicFilter(filter: string): Uint8Array {
  const bytes = encodeString(filter);
  const err = topicFilterError(filter, bytes.length, MAX_FIELD);
  if (err) throw err;
  return bytes;
}

function encodeConnect(p: ConnectPacket): Uint8Array {
  if (!Number.isInteger(p.keepAliveS) || p.keepAliveS < 0 || p.keepAliveS > 0xffff) {
    throw new MqttError('FIELD_RANGE', `keep-alive ${p.keepAliveS} s is not in 0..65535`);
  }
  if (p.password !== undefined && p.username === undefined) {
    // §3.1.2.9: in 3.1.1 the Password Flag requires the User Name Flag.
    throw new MqttError('FIELD_RANGE', 'a password requires a username in MQTT 3.1.1 (§3.1.2.9)');
  }
  if (p.clientId.length === 0 && !p.cleanSession) {
    throw new MqttError('FIELD_RANGE', 'an empty client id requires a clean session (§3.1.3-7)');
  }
  const clientId = field(encodeString(p.clientId), 'client id');
  let flags = p.cleanSession ? 0x02 : 0;
  let size = 10 + 2 + clientId.length;
  let willTopic: Uint8Array | string | undefined;
  let willPayload: Uint8Array | undefined;
  if (p.will) {
    checkQos(p.will.qos);
    willTopic = topicName(p.will.topic);
    willPayload = field(p.will.payload, 'will message');
    flags |= 0x04 | (p.will.qos << 3) | (p.will.retain ? 0x20 : 0);
    size += 4 + willTopic.length + willPayload.length;
  }
  let username: Uint8Array | undefined;
  if (p.username !== undefined) {
    username = field(encodeString(p.username), 'username');
    flags |= 0x80;
    size += 2 + username.length;
  }
  if (p.password !== undefined) {
    field(p.password, 'password');
    flags |= 0x40;
    size += 2 + p.password.length;
  }
  const w = header(PACKET_TYPE.connect << 4, size);
  w.raw(PROTOCOL_NAME);
  w.u8(PROTOCOL_LEVEL);
  w.u8(flags);
  w.u16(p.keepAliveS);
  w.field(clientId);
  if (willTopic && willPayload) {
    w.field(willTopic);
    w.field(willPayload);
  }
  if (username) w.field(username);
  if (p.password !== undefined) w.field(p.password);
  return w.bytes;
}

function encodePublish(p: PublishPacket): Uint8Array {
  checkQos(p.qos);
  if (p.qos === 0 && p.dup) throw new MqttError('RESERVED_FLAGS', 'DUP must be 0 for QoS 0 (§3.3.1.1)');
  if (p.qos === 0 && p.packetId !== undefined) throw new MqttError('FIELD_RANGE', 'a QoS 0 PUBLISH has no packet identifier (§2.3.1)');
  const topic = topicName(p.topic);
  const size = 2 + topic.length + (p.qos > 0 ? 2 : 0) + p.payload.length;
  const w = header((PACKET_TYPE.publish << 4) | (p.dup ? 8 : 0) | (p.qos << 1) | (p.retain ? 1 : 0), size);
  w.field(topic);
  if (p.qos > 0) w.u16(checkPacketId(p.packetId));
  w.raw(p.payload);
  return w.bytes;
}

/** Encodes one packet. Throws MqttError for values the wire format or the protocol does not allow. */
export function encodePacket(p: MqttPacket): Uint8Array {
  switch (p.type) {
    case 'connect':
      return encodeConnect(p);
    case 'connack': {
      if (!Number.isInteger(p.returnCode) || p.returnCode < 0 || p.returnCode > 5) {
        throw new MqttError('INVALID_RETURN_CODE', `CONNACK return code ${p.returnCode} is reserved`);
      }
      if (p.sessionPresent && p.returnCode !== 0) {
        throw new MqttError('RESERVED_FLAGS', 'session present must be 0 with a non-zero return code (§3.2.2.2)');
      }
      const w = header(PACKET_TYPE.connack << 4, 2);
      w.u8(p.sessionPresent ? 1 : 0);
      w.u8(p.returnCode);
      return w.bytes;
    }
    case 'publish':
      return encodePublish(p);
    case 'puback':
    case 'pubrec':
    case 'pubrel':
    case 'pubcomp':
    case 'unsuback': {
      // PUBREL's fixed-header flags are 0b0010 (Table 2.2).
      const w = header((PACKET_TYPE[p.type] << 4) | (p.type === 'pubrel' ? 2 : 0), 2);
      w.u16(checkPacketId(p.packetId));
      return w.bytes;
    }
    case 'subscribe': {
      if (p.subscriptions.length === 0) throw new MqttError('EMPTY_SUBSCRIPTION', 'SUBSCRIBE needs at least one filter (§3.8.3)');
      const id = checkPacketId(p.packetId);
      const filters = p.subscriptions.map((s) => {
        checkQos(s.qos);
        return topicFilter(s.topicFilter);
      });
      let size = 2;
      for (const f of filters) size += 3 + f.length;
      const w = header((PACKET_TYPE.subscribe << 4) | 2, size);
      w.u16(id);
      for (let i = 0; i < filters.length; i++) {
        w.field(filters[i]);
        w.u8(p.subscriptions[i].qos);
      }
      return w.bytes;
    }
    case 'suback': {
      if (p.returnCodes.length === 0) throw new MqttError('EMPTY_SUBSCRIPTION', 'SUBACK needs at least one return code (§3.9.3)');
      const id = checkPacketId(p.packetId);
      for (const rc of p.returnCodes) {
        if (rc !== 0 && rc !== 1 && rc !== 2 && rc !== SUBACK_FAILURE) throw new MqttError('INVALID_RETURN_CODE', `SUBACK return code ${rc} is reserved`);
      }
      const w = header(PACKET_TYPE.suback << 4, 2 + p.returnCodes.length);
      w.u16(id);
      w.raw(p.returnCodes);
      return w.bytes;
    }
    case 'unsubscribe': {
      if (p.topicFilters.length === 0) throw new MqttError('EMPTY_SUBSCRIPTION', 'UNSUBSCRIBE needs at least one filter (§3.10.3)');
      const id = checkPacketId(p.packetId);
      const filters = p.topicFilters.map(topicFilter);
      let size = 2;
      for (const f of filters) size += 2 + f.length;
      const w = header((PACKET_TYPE.unsubscribe << 4) | 2, size);
      w.u16(id);
      for (const f of filters) w.field(f);
      return w.bytes;
    }
    case 'pingreq':
    case 'pingresp':
    case 'disconnect': {
      const out = new Uint8Array(2);
      out[0] = PACKET_TYPE[p.type] << 4;
      return out;
    }
  }
  throw new MqttError('FIELD_RANGE', `unknown packet type ${(p as { type: unknown }).type}`);
}
