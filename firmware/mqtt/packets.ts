// MQTT 3.1.1 control packets as plain data (OASIS MQTT 3.1.1 §2–§3), shared by the encoder, the streaming decoder
// and the client session. Field names are ours; host-tests/mqtt map them to mqtt-packet's for differential tests.
// Limits (MqttLimits) are what a small device accepts; the spec's own hard cap is MQTT_MAX_REMAINING_LENGTH.

export type QoS = 0 | 1 | 2;

/** Control packet type numbers, the high nibble of the fixed header (§2.2.1). 0 and 15 are reserved. */
export const PACKET_TYPE = Object.freeze({
  connect: 1,
  connack: 2,
  publish: 3,
  puback: 4,
  pubrec: 5,
  pubrel: 6,
  pubcomp: 7,
  subscribe: 8,
  suback: 9,
  unsubscribe: 10,
  unsuback: 11,
  pingreq: 12,
  pingresp: 13,
  disconnect: 14,
} as const);

export type PacketTypeName = keyof typeof PACKET_TYPE;

/** CONNACK return codes (§3.2.2.3); 6..255 are reserved and rejected by the decoder. */
export const CONNACK_RETURN_CODE = Object.freeze({
  ACCEPTED: 0,
  UNACCEPTABLE_PROTOCOL_VERSION: 1,
  IDENTIFIER_REJECTED: 2,
  SERVER_UNAVAILABLE: 3,
  BAD_USERNAME_OR_PASSWORD: 4,
  NOT_AUTHORIZED: 5,
} as const);

export type ConnackReturnCodeName = keyof typeof CONNACK_RETURN_CODE;

export function connackReturnCodeName(code: number): ConnackReturnCodeName | 'RESERVED' {
  for (const name of Object.keys(CONNACK_RETURN_CODE) as ConnackReturnCodeName[]) {
    if (CONNACK_RETURN_CODE[name] === code) return name;
  }
  return 'RESERVED';
}

/** SUBACK failure return code (§3.9.3). */
export const SUBACK_FAILURE = 0x80;

/** Largest Remaining Length four variable-length bytes can carry (§2.2.3). */
export const MQTT_MAX_REMAINING_LENGTH = 268_435_455;

export interface Will {
  topic: string;
  payload: Uint8Array;
  qos: QoS;
  retain: boolean;
}

export interface ConnectPacket {
  type: 'connect';
  clientId: string;
  /** Seconds; 0 disables keep-alive (§3.1.2.10). */
  keepAliveS: number;
  cleanSession: boolean;
  will?: Will;
  username?: string;
  /** Binary data (§3.1.3.5); requires a username in 3.1.1 (§3.1.2.9). */
  password?: Uint8Array;
}

export interface ConnackPacket {
  type: 'connack';
  sessionPresent: boolean;
  returnCode: number;
}

export interface PublishPacket {
  type: 'publish';
  topic: string;
  payload: Uint8Array;
  qos: QoS;
  dup: boolean;
  retain: boolean;
  /** Present exactly when qos > 0 (§2.3.1). */
  packetId?: number;
}

export interface PacketIdPacket {
  type: 'puback' | 'pubrec' | 'pubrel' | 'pubcomp' | 'unsuback';
  packetId: number;
}

export interface Subscription {
  topicFilter: string;
  qos: QoS;
}

export interface SubscribePacket {
  type: 'subscribe';
  packetId: number;
  subscriptions: Subscription[];
}

export interface SubackPacket {
  type: 'suback';
  packetId: number;
  /** One per requested filter: the granted QoS (0..2) or SUBACK_FAILURE. */
  returnCodes: number[];
}

export interface UnsubscribePacket {
  type: 'unsubscribe';
  packetId: number;
  topicFilters: string[];
}

export interface EmptyPacket {
  type: 'pingreq' | 'pingresp' | 'disconnect';
}

export type MqttPacket =
  | ConnectPacket
  | ConnackPacket
  | PublishPacket
  | PacketIdPacket
  | SubscribePacket
  | SubackPacket
  | UnsubscribePacket
  | EmptyPacket;

export interface MqttLimits {
  /** Largest Remaining Length accepted by the decoder, bytes (<= MQTT_MAX_REMAINING_LENGTH). */
  maxRemainingLength: number;
  /** Longest topic name or topic filter, in UTF-8 bytes (the wire format allows 65535). */
  maxTopicLength: number;
}

/** Device defaults: a 16 KB packet bounds the decoder's buffer; OpenRemote topics are well under 512 bytes. */
export const DEFAULT_LIMITS: MqttLimits = Object.freeze({ maxRemainingLength: 16 * 1024, maxTopicLength: 512 });

/** Why a packet was rejected. Any of these on receive is a protocol violation: close the connection (§4.8). */
export type MqttErrorCode =
  | 'REMAINING_LENGTH_MALFORMED' // more than 4 variable-length bytes (§2.2.3)
  | 'PACKET_TOO_LARGE' // Remaining Length above the configured limit
  | 'RESERVED_PACKET_TYPE' // type 0 or 15 (§2.2.1)
  | 'RESERVED_FLAGS' // fixed-header flags differ from Table 2.2, DUP on QoS 0, or reserved bits in a byte (§2.2.2)
  | 'INVALID_QOS' // QoS 3 in PUBLISH, a will or a subscription (§3.3.1.2, §3.8.3.1)
  | 'MALFORMED' // lengths do not add up: truncated fields or trailing bytes
  | 'INVALID_UTF8' // ill-formed UTF-8, a surrogate or U+0000 in a string (§1.5.3)
  | 'TOPIC_EMPTY' // zero-length topic name or filter (§4.7.3)
  | 'TOPIC_TOO_LONG' // longer than maxTopicLength
  | 'TOPIC_WILDCARD' // '+' or '#' in a topic name (§3.3.2.1)
  | 'INVALID_TOPIC_FILTER' // '#' not last or '+'/'#' sharing a level (§4.7.1)
  | 'PACKET_ID_ZERO' // packet identifier 0 (§2.3.1)
  | 'UNSUPPORTED_PROTOCOL' // CONNECT protocol name/level other than "MQTT"/4 (§3.1.2.1-2)
  | 'INVALID_RETURN_CODE' // reserved CONNACK or SUBACK return code
  | 'EMPTY_SUBSCRIPTION' // SUBSCRIBE/UNSUBSCRIBE/SUBACK without entries (§3.8.3, §3.10.3)
  | 'FIELD_RANGE'; // encoder only: a number or string length outside what the wire format can carry

export class MqttError extends Error {
  constructor(readonly code: MqttErrorCode, message: string) {
    super(message);
    this.name = 'MqttError';
  }
}
