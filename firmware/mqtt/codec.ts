// MQTT 3.1.1 codec: the public face of the encoder (encode.ts), the streaming decoder (decode.ts), packet types and
// limits (packets.ts) and the string/topic rules (strings.ts). OASIS MQTT 3.1.1 §1.5, §2, §3, §4.7, §4.8.
export * from './packets';
export { encodePacket, varintSize } from './encode';
export { MqttDecoder, decodePacket, type DecodeResult } from './decode';
export { encodeString, decodeString, topicFilterError, topicMatches, topicNameError } from './strings';
