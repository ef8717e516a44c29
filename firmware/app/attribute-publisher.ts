// The publisher the application model writes through: OpenRemote's write topics on an MQTT client (openremote.md
// §4.5), like OpenRemoteMqtt.write, plus one choice it lacks: `serverTime` forces `writeattributevalue` (stamped by
// OpenRemote on receipt). The model uses it for write echoes and for putting back a refused value: OpenRemote
// ignores an event older than the attribute's current timestamp (OutdatedAttributeEvent, §4.5), so an answer to a
// server-stamped write must not carry a device timestamp that a little clock skew could make "older".
import type { ClockHost } from '../host/clock';
import type { MqttClient } from '../mqtt/client';
import {
  encodeTimestampedValue,
  encodeValue,
  writeAttributeTopic,
  writeAttributeValueTopic,
  type AttributeValue,
  type OpenRemoteIdentity,
  type WriteResult,
} from '../openremote/mqtt-api';
import type { AttributePublisher } from './attributes';

export class OpenRemotePublisher implements AttributePublisher {
  constructor(
    private readonly client: Pick<MqttClient, 'publish'>,
    readonly identity: OpenRemoteIdentity,
    private readonly clock: ClockHost,
  ) {}

  /** With a synchronised wall clock and without serverTime: `writeattribute` with our timestamp (a value delayed in
   * the outbox keeps its real time); otherwise `writeattributevalue` (never a 1970 timestamp, §4.5). */
  write(attribute: string, value: AttributeValue, options: { qos?: 0 | 1; serverTime?: boolean } = {}): WriteResult {
    const wall = options.serverTime ? undefined : this.clock.wallMs();
    const stamped = wall !== undefined && wall > 0;
    const topic = stamped ? writeAttributeTopic(this.identity, attribute) : writeAttributeValueTopic(this.identity, attribute);
    if (!topic.ok) return { ok: false, reason: 'INVALID_TOPIC', error: topic.error };
    let payload: Uint8Array;
    try {
      payload = stamped ? encodeTimestampedValue(value, Math.floor(wall)) : encodeValue(value);
    } catch (e) {
      return { ok: false, reason: 'INVALID_VALUE', error: String(e) };
    }
    return this.client.publish(topic.topic, payload, { qos: options.qos ?? 1 });
  }
}
