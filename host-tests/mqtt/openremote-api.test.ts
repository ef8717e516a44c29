// firmware/openremote/mqtt-api.ts: OpenRemote topic rules (openremote.md §4.3, §4.5), JSON value encoding,
// writeattribute only with a synchronised clock, and attributevalue wildcard expansion on delivery.
import { describe, expect, it } from 'vitest';
import type { IncomingMessage, PublishResult } from '../../firmware/mqtt/client';
import type { QoS } from '../../firmware/mqtt/packets';
import type { LinkFailure, LinkState } from '../../firmware/mqtt/link-state';
import {
  BACKEND_STATUS,
  OpenRemoteMqtt,
  backendStatus,
  attributeValueFilter,
  decodeValue,
  encodeTimestampedValue,
  encodeValue,
  mqttConfigFor,
  parseAttributeValueTopic,
  writeAttributeTopic,
  writeAttributeValueTopic,
} from '../../firmware/openremote/mqtt-api';
import { VirtualClock } from '../../tools/sim/host/clock';

const ASSET = '4cdWlxEvmDRBBDEuVyJAtM';
const ID = { realm: 'master', clientId: 'esp32-a1b2c3', assetId: ASSET };
const text = (b: Uint8Array) => new TextDecoder().decode(b);

describe('OpenRemote topics', () => {
  it('builds the 5-token publish topics', () => {
    expect(writeAttributeValueTopic(ID, 'temperature')).toEqual({ ok: true, topic: `master/esp32-a1b2c3/writeattributevalue/temperature/${ASSET}` });
    expect(writeAttributeTopic(ID, 'temperature')).toEqual({ ok: true, topic: `master/esp32-a1b2c3/writeattribute/temperature/${ASSET}` });
    expect(attributeValueFilter(ID)).toEqual({ ok: true, topic: `master/esp32-a1b2c3/attributevalue/+/${ASSET}` });
    expect(attributeValueFilter(ID, 'setpoint')).toEqual({ ok: true, topic: `master/esp32-a1b2c3/attributevalue/setpoint/${ASSET}` });
  });

  it.each([
    ['wildcard attribute', () => writeAttributeValueTopic(ID, '+')],
    ['# attribute', () => writeAttributeValueTopic(ID, 'a#')],
    ["'/' in attribute", () => writeAttributeValueTopic(ID, 'a/b')],
    ['empty attribute', () => writeAttributeValueTopic(ID, '')],
    ['short asset id', () => writeAttributeValueTopic(ID, 'x', 'abc')],
    ['asset id with a dash', () => writeAttributeValueTopic(ID, 'x', '4cdWlxEvmDRBBDEuVyJA-M')],
    ['23-char asset id', () => writeAttributeValueTopic(ID, 'x', ASSET + 'a')],
    ["'/' in client id", () => writeAttributeValueTopic({ ...ID, clientId: 'a/b' }, 'x')],
    ["':' in realm", () => writeAttributeValueTopic({ ...ID, realm: 'a:b' }, 'x')],
    ['wildcard in realm', () => writeAttributeTopic({ ...ID, realm: '+' }, 'x')],
    ['lone surrogate', () => writeAttributeTopic(ID, 'x\ud800')],
    ['wildcard asset in filter', () => attributeValueFilter(ID, '+', '#')],
  ])('refuses %s', (_name, build) => expect(build().ok).toBe(false));

  it('reads delivered topics with the wildcard expanded, and ignores others', () => {
    expect(parseAttributeValueTopic(ID, `master/esp32-a1b2c3/attributevalue/setpoint/${ASSET}`)).toEqual({ attribute: 'setpoint', assetId: ASSET });
    expect(parseAttributeValueTopic(ID, `master/other/attributevalue/setpoint/${ASSET}`)).toBeUndefined();
    expect(parseAttributeValueTopic(ID, `master/esp32-a1b2c3/attribute/setpoint/${ASSET}`)).toBeUndefined();
    expect(parseAttributeValueTopic(ID, `master/esp32-a1b2c3/attributevalue/setpoint/${ASSET}/x`)).toBeUndefined();
  });
});

describe('OpenRemote payloads', () => {
  it('encodes JSON values with strings quoted', () => {
    expect(text(encodeValue('Hello'))).toBe('"Hello"');
    expect(text(encodeValue(21.5))).toBe('21.5');
    expect(text(encodeValue(true))).toBe('true');
    expect(text(encodeValue({ a: [1, 'x'] }))).toBe('{"a":[1,"x"]}');
    expect(text(encodeValue('Grüße "q"'))).toBe('"Grüße \\"q\\""');
    expect(() => encodeValue(NaN)).toThrow(RangeError);
    expect(() => encodeValue({ a: [Infinity] })).toThrow(RangeError);
  });

  it('encodes {"value","timestamp"} and needs a positive timestamp', () => {
    expect(text(encodeTimestampedValue(3, 1795257600000))).toBe('{"value":3,"timestamp":1795257600000}');
    expect(JSON.parse(text(encodeTimestampedValue('on', 1)))).toEqual({ value: 'on', timestamp: 1 });
    expect(() => encodeTimestampedValue(3, 0)).toThrow(RangeError);
  });

  it('decodes values and rejects invalid JSON', () => {
    expect(decodeValue(new TextEncoder().encode('"text"'))).toEqual({ value: 'text' });
    expect(decodeValue(new TextEncoder().encode('null'))).toEqual({ value: null });
    expect(decodeValue(new TextEncoder().encode('Hello'))).toBeUndefined();
  });

  it('maps an OpenRemoteConfig to the MQTT session: client id = user, username = realm:user', () => {
    const c = mqttConfigFor({ mqttBrokerUrl: 'mqtts://or.example.com:8883', user: 'esp32-a1b2c3', mqttPassword: 'pw', realm: 'building1', assetId: ASSET }, { ca: ['PEM'] });
    expect(c).toMatchObject({ url: 'mqtts://or.example.com:8883', clientId: 'esp32-a1b2c3', username: 'building1:esp32-a1b2c3', password: 'pw', cleanSession: true });
    expect(typeof mqttConfigFor({ mqttBrokerUrl: 'mqtts://x', user: 'a/b', mqttPassword: 'pw', realm: 'r', assetId: ASSET })).toBe('string');
  });
});

describe('OpenRemoteMqtt facade', () => {
  function fakeClient() {
    const published: { topic: string; payload: string; qos: number }[] = [];
    const subscribed: [string, QoS][] = [];
    return {
      published,
      subscribed,
      publish(topic: string, payload: Uint8Array, options: { qos?: 0 | 1 } = {}): PublishResult {
        published.push({ topic, payload: text(payload), qos: options.qos ?? 0 });
        return { ok: true, seq: published.length };
      },
      subscribe(filter: string, qos: QoS = 0) {
        subscribed.push([filter, qos]);
        return { ok: true as const };
      },
      unsubscribe() {},
    };
  }

  it('uses writeattributevalue until the wall clock is synchronised, then writeattribute with a timestamp', () => {
    const clock = new VirtualClock();
    const client = fakeClient();
    const or = new OpenRemoteMqtt(client, ID, clock);
    expect(or.write('temperature', 21.5).ok).toBe(true);
    clock.setWall(1_795_257_600_000);
    clock.advance(250);
    expect(or.write('mode', 'eco').ok).toBe(true);
    expect(client.published).toEqual([
      { topic: `master/esp32-a1b2c3/writeattributevalue/temperature/${ASSET}`, payload: '21.5', qos: 1 },
      { topic: `master/esp32-a1b2c3/writeattribute/mode/${ASSET}`, payload: '{"value":"eco","timestamp":1795257600250}', qos: 1 },
    ]);
    expect(or.write('bad/name', 1)).toMatchObject({ ok: false, reason: 'INVALID_TOPIC' });
    expect(or.write('x', NaN)).toMatchObject({ ok: false, reason: 'INVALID_VALUE' });
    expect(client.published.length).toBe(2); // nothing invalid reached the client
  });

  it('subscribes to attributevalue/+ and routes the expanded topics to handlers', () => {
    const client = fakeClient();
    const or = new OpenRemoteMqtt(client, ID, new VirtualClock());
    expect(or.subscribeValues().ok).toBe(true);
    expect(client.subscribed).toEqual([[`master/esp32-a1b2c3/attributevalue/+/${ASSET}`, 0]]);
    const seen: unknown[] = [];
    or.onValue((attribute, assetId, value) => seen.push([attribute, assetId, value]));
    const msg = (topic: string, payload: string): IncomingMessage => ({ topic, payload: new TextEncoder().encode(payload), qos: 0, retain: false, dup: false });
    expect(or.handleMessage(msg(`master/esp32-a1b2c3/attributevalue/setpoint/${ASSET}`, '19.5'))).toBe(true);
    expect(or.handleMessage(msg(`master/esp32-a1b2c3/attributevalue/label/${ASSET}`, '"hall"'))).toBe(true);
    expect(or.handleMessage(msg(`master/esp32-a1b2c3/attributevalue/label/${ASSET}`, 'hall'))).toBe(false);
    expect(or.handleMessage(msg('other/topic', '1'))).toBe(false);
    expect(seen).toEqual([
      ['setpoint', ASSET, 19.5],
      ['label', ASSET, 'hall'],
    ]);
  });

  it('refuses an invalid identity up front', () => {
    expect(() => new OpenRemoteMqtt(fakeClient(), { ...ID, assetId: 'nope' }, new VirtualClock())).toThrow(RangeError);
  });
});

describe('BackendConnectionStatus from the link state', () => {
  const state = (phase: LinkState['phase'], failure?: Partial<LinkFailure>): LinkState => ({
    phase,
    tls: true,
    attempt: 1,
    sinceMs: 0,
    lastFailure: failure ? { reason: 'SOCKET', detail: '', atMs: 0, repeats: 1, ...failure } : undefined,
  });
  it.each([
    [state('stopped'), 'DISCONNECTED'],
    [state('connecting'), 'CONNECTING'],
    [state('mqtt-connecting'), 'CONNECTING'],
    [state('online', { reason: 'AUTH_REFUSED', repeats: 9 }), 'CONNECTED'],
    [state('backing-off', { reason: 'TLS', socketError: 'TLS_UNKNOWN_CA' }), 'FAILED'],
    [state('connecting', { reason: 'TLS', socketError: 'TLS_NAME_MISMATCH' }), 'FAILED'],
    [state('backing-off', { reason: 'TLS', socketError: 'TLS_HANDSHAKE' }), 'CONNECTING'],
    [state('backing-off', { reason: 'AUTH_REFUSED', connackCode: 5, repeats: 2 }), 'CONNECTING'],
    [state('backing-off', { reason: 'AUTH_REFUSED', connackCode: 5, repeats: 3 }), 'FAILED'],
    [state('backing-off', { reason: 'DNS', repeats: 4 }), 'CONNECTING'],
    [state('backing-off', { reason: 'DNS', repeats: 5 }), 'FAILED'],
    [state('backing-off', { reason: 'CONNACK_REFUSED', connackCode: 2 }), 'FAILED'],
    [state('backing-off', { reason: 'CONNACK_REFUSED', connackCode: 3 }), 'CONNECTING'],
    [state('backing-off', { reason: 'NO_CONNACK', repeats: 10 }), 'CONNECTING'],
    [state('backing-off', { reason: 'CONNECT_TIMEOUT' }), 'CONNECTING'],
  ] as const)('%#: %o -> %s', (s, expected) => expect(backendStatus(s)).toBe(expected));

  it('uses the proto enum numbers', () => expect(BACKEND_STATUS).toEqual({ DISCONNECTED: 0, CONNECTING: 1, CONNECTED: 2, FAILED: 3 }));
});
