// OpenRemote's device MQTT API on top of firmware/mqtt/client.ts (openremote.md §4.2–4.6): client id and
// username from the config, topic builders for writeattributevalue / writeattribute, attributevalue
// subscriptions with wildcard expansion on delivery, and JSON value encoding. Every topic is validated before it
// is published, because an unauthorised or malformed publish makes OpenRemote drop the connection (§4.5).
import type { ClockHost } from '../host/clock';
import { utf8Decode, utf8Encode } from '../util/bytes';
import type { IncomingMessage, MqttClient, MqttClientConfig, PublishResult } from '../mqtt/client';
import type { LinkState } from '../mqtt/link-state';

/** Constants.ASSET_ID_REGEXP: 22 base62 characters (§4.5). */
const ASSET_ID = /^[0-9A-Za-z]{22}$/;

export interface OpenRemoteIdentity {
  realm: string;
  /** The config's `user`: the MQTT client id and topic token 2 (§4.3). */
  clientId: string;
  /** The device's own asset (default target of writes and subscriptions). */
  assetId: string;
}

/** The OpenRemoteConfig fields this module needs (orconfig.Request.OpenRemoteConfig). */
export interface OpenRemoteMqttSettings {
  mqttBrokerUrl: string;
  user: string;
  mqttPassword: string;
  realm: string;
  assetId: string;
}

/** JSON values OpenRemote attributes carry. */
export type AttributeValue = null | boolean | number | string | AttributeValue[] | { [key: string]: AttributeValue };

/** Why a token or topic is unusable; undefined when fine. Tokens are single topic levels. */
export function tokenError(token: string, what: string): string | undefined {
  if (token.length === 0) return `${what} is empty`;
  for (let i = 0; i < token.length; i++) {
    const c = token.charCodeAt(i);
    if (c === 0x2f || c === 0x2b || c === 0x23) return `${what} "${token}" contains '/', '+' or '#'`;
    if (c === 0) return `${what} contains U+0000`;
    if (c >= 0xd800 && c <= 0xdfff) {
      // A lone surrogate cannot be sent as UTF-8; a pair is fine.
      const pair = c <= 0xdbff && i + 1 < token.length && (token.charCodeAt(i + 1) & 0xfc00) === 0xdc00;
      if (!pair) return `${what} contains a lone surrogate`;
      i++;
    }
  }
  return undefined;
}

export function assetIdError(assetId: string): string | undefined {
  return ASSET_ID.test(assetId) ? undefined : `asset id "${assetId}" is not 22 base62 characters`;
}

/** Checks the identity once (realm, client id, asset id), e.g. when a config arrives over or-cfg. */
export function identityError(id: OpenRemoteIdentity): string | undefined {
  const realm = tokenError(id.realm, 'realm');
  if (realm) return realm;
  // The broker splits the username "realm:user" at the first ':' (§4.2), so the realm cannot contain one.
  if (id.realm.includes(':')) return 'realm contains ":"';
  return tokenError(id.clientId, 'client id (user)') ?? assetIdError(id.assetId);
}

export type TopicResult = { ok: true; topic: string } | { ok: false; error: string };

function publishTopic(kind: 'writeattributevalue' | 'writeattribute', id: OpenRemoteIdentity, attribute: string, assetId: string): TopicResult {
  const error = identityError({ ...id, assetId }) ?? tokenError(attribute, 'attribute name');
  if (error) return { ok: false, error };
  // Exactly 5 tokens (§4.5): {realm}/{clientId}/{kind}/{attribute}/{assetId}.
  return { ok: true, topic: `${id.realm}/${id.clientId}/${kind}/${attribute}/${assetId}` };
}

/** `{realm}/{clientId}/writeattributevalue/{attribute}/{assetId}`: payload is the JSON value. */
export function writeAttributeValueTopic(id: OpenRemoteIdentity, attribute: string, assetId = id.assetId): TopicResult {
  return publishTopic('writeattributevalue', id, attribute, assetId);
}

/** `{realm}/{clientId}/writeattribute/{attribute}/{assetId}`: payload is {"value","timestamp"}. */
export function writeAttributeTopic(id: OpenRemoteIdentity, attribute: string, assetId = id.assetId): TopicResult {
  return publishTopic('writeattribute', id, attribute, assetId);
}

/** `{realm}/{clientId}/attributevalue/{attribute|+}/{assetId}`: delivers only the value's JSON (§4.5). */
export function attributeValueFilter(id: OpenRemoteIdentity, attribute: string | '+' = '+', assetId = id.assetId): TopicResult {
  const error = identityError({ ...id, assetId }) ?? (attribute === '+' ? undefined : tokenError(attribute, 'attribute name'));
  if (error) return { ok: false, error };
  return { ok: true, topic: `${id.realm}/${id.clientId}/attributevalue/${attribute}/${assetId}` };
}

/** Reads a delivered attributevalue topic. OpenRemote expands the wildcards of the subscription in the topic it
 * delivers on (§4.5), so the attribute name and asset id are always concrete here. */
export function parseAttributeValueTopic(id: OpenRemoteIdentity, topic: string): { attribute: string; assetId: string } | undefined {
  const t = topic.split('/');
  if (t.length !== 5 || t[0] !== id.realm || t[1] !== id.clientId || t[2] !== 'attributevalue') return undefined;
  if (tokenError(t[3], 'attribute') || assetIdError(t[4])) return undefined;
  return { attribute: t[3], assetId: t[4] };
}

/** JSON for a value. Strings are quoted (an unquoted string is invalid JSON and clears the attribute, §4.5).
 * Non-finite numbers throw: JSON.stringify would turn them into null, which would also clear it. */
export function encodeValue(value: AttributeValue): Uint8Array {
  return utf8Encode(stringifyValue(value));
}

function stringifyValue(value: AttributeValue): string {
  checkFinite(value);
  return JSON.stringify(value);
}

function checkFinite(value: AttributeValue): void {
  if (typeof value === 'number' && !Number.isFinite(value)) throw new RangeError(`${value} has no JSON form`);
  if (Array.isArray(value)) value.forEach(checkFinite);
  else if (value && typeof value === 'object') for (const k of Object.keys(value)) checkFinite(value[k]);
}

/** `{"value": <json>, "timestamp": <epoch ms>}` (§4.5); the timestamp must be > 0. */
export function encodeTimestampedValue(value: AttributeValue, timestampMs: number): Uint8Array {
  if (!Number.isInteger(timestampMs) || timestampMs <= 0) throw new RangeError('timestamp must be a positive integer epoch ms');
  return utf8Encode(`{"value":${stringifyValue(value)},"timestamp":${timestampMs}}`);
}

/** Parses an attributevalue payload; undefined for invalid JSON. */
export function decodeValue(payload: Uint8Array): { value: AttributeValue } | undefined {
  try {
    return { value: JSON.parse(utf8Decode(payload)) as AttributeValue };
  } catch {
    return undefined;
  }
}

/** MqttClientConfig for an OpenRemote config: client id = user, username = realm:user, password = secret (§4.2–4.3). */
export function mqttConfigFor(settings: OpenRemoteMqttSettings, tls?: MqttClientConfig['tls']): MqttClientConfig | string {
  const error = identityError({ realm: settings.realm, clientId: settings.user, assetId: settings.assetId });
  if (error) return error;
  const config: MqttClientConfig = {
    url: settings.mqttBrokerUrl,
    clientId: settings.user,
    username: `${settings.realm}:${settings.user}`,
    password: settings.mqttPassword,
    cleanSession: true, // OpenRemote removes subscriptions on disconnect anyway (§4.4)
  };
  if (tls) config.tls = tls;
  return config;
}

export type WriteResult = PublishResult | { ok: false; reason: 'INVALID_TOPIC'; error: string } | { ok: false; reason: 'INVALID_VALUE'; error: string };

/** Attribute-level facade: wire `handleMessage` into the client's onMessage. */
export class OpenRemoteMqtt {
  private readonly handlers: ((attribute: string, assetId: string, value: AttributeValue) => void)[] = [];

  constructor(
    private readonly client: Pick<MqttClient, 'publish' | 'subscribe' | 'unsubscribe'>,
    readonly identity: OpenRemoteIdentity,
    private readonly clock: ClockHost,
  ) {
    const error = identityError(identity);
    if (error) throw new RangeError(error);
  }

  /**
   * Writes an attribute. With a synchronised wall clock it uses `writeattribute` with our timestamp (so a
   * message delayed in the outbox keeps its real time); without one, `writeattributevalue`, stamped by the
   * server on receipt (§4.5: never send a 1970 timestamp). `serverTime` forces `writeattributevalue`: the
   * application model uses it for write echoes and for putting back a refused value, because OpenRemote ignores an
   * event older than the attribute's current timestamp (OutdatedAttributeEvent, §4.5), so an answer to a
   * server-stamped write must not carry a device timestamp that a little clock skew could make "older".
   */
  write(attribute: string, value: AttributeValue, options: { assetId?: string; qos?: 0 | 1; serverTime?: boolean } = {}): WriteResult {
    const assetId = options.assetId ?? this.identity.assetId;
    const wall = options.serverTime ? undefined : this.clock.wallMs();
    const timestamped = wall !== undefined && wall > 0;
    const topic = timestamped ? writeAttributeTopic(this.identity, attribute, assetId) : writeAttributeValueTopic(this.identity, attribute, assetId);
    if (!topic.ok) return { ok: false, reason: 'INVALID_TOPIC', error: topic.error };
    let payload: Uint8Array;
    try {
      payload = timestamped ? encodeTimestampedValue(value, Math.floor(wall)) : encodeValue(value);
    } catch (e) {
      return { ok: false, reason: 'INVALID_VALUE', error: String(e) };
    }
    return this.client.publish(topic.topic, payload, { qos: options.qos ?? 1 });
  }

  /** Subscribes to value changes of one attribute or all ('+') of an asset (OpenRemote sends them at QoS 0). */
  subscribeValues(attribute: string | '+' = '+', assetId = this.identity.assetId): TopicResult {
    const filter = attributeValueFilter(this.identity, attribute, assetId);
    if (!filter.ok) return filter;
    const r = this.client.subscribe(filter.topic, 0);
    return r.ok ? filter : { ok: false, error: `subscribe refused: ${r.code}` };
  }

  onValue(handler: (attribute: string, assetId: string, value: AttributeValue) => void): void {
    this.handlers.push(handler);
  }

  /** Routes one incoming message; returns false if it is not an attributevalue event for this identity. */
  handleMessage(message: IncomingMessage): boolean {
    const where = parseAttributeValueTopic(this.identity, message.topic);
    if (!where) return false;
    const decoded = decodeValue(message.payload);
    if (!decoded) return false;
    for (const h of this.handlers) h(where.attribute, where.assetId, decoded.value);
    return true;
  }
}

/** Response.BackendConnectionStatus.Status (ORConfigChannelProtocol.proto; openremote.md §1.2, §1.5). */
export const BACKEND_STATUS = Object.freeze({ DISCONNECTED: 0, CONNECTING: 1, CONNECTED: 2, FAILED: 3 } as const);
export type BackendStatus = keyof typeof BACKEND_STATUS;

export interface BackendStatusPolicy {
  /** CONNACK 4/5 in a row before FAILED: the service user was only just created (§1.5 [I]). Default 3. */
  authRefusalsBeforeFailed: number;
  /** DNS failures in a row before FAILED. Default 5. */
  dnsFailuresBeforeFailed: number;
}

const DEFAULT_STATUS_POLICY: BackendStatusPolicy = Object.freeze({ authRefusalsBeforeFailed: 3, dnsFailuresBeforeFailed: 5 });

/**
 * What to answer a BackendConnectionStatus poll (openremote.md §1.5 [I]): CONNECTED only after CONNACK 0; FAILED
 * only for definite failures (TLS verification, repeated authentication refusals, a name that keeps not
 * resolving, identifier or protocol rejected), because newer apps stop polling at FAILED; anything that may still
 * recover (timeouts, refused TCP, lost links, client id still held by the broker) stays CONNECTING. The client
 * keeps retrying in the background either way.
 */
export function backendStatus(state: LinkState, policy: Partial<BackendStatusPolicy> = {}): BackendStatus {
  const p = { ...DEFAULT_STATUS_POLICY, ...policy };
  if (state.phase === 'stopped') return 'DISCONNECTED';
  if (state.phase === 'online') return 'CONNECTED';
  const f = state.lastFailure;
  if (!f) return 'CONNECTING';
  switch (f.reason) {
    case 'TLS':
      return f.socketError === 'TLS_UNKNOWN_CA' || f.socketError === 'TLS_NAME_MISMATCH' || f.socketError === 'TLS_EXPIRED' ? 'FAILED' : 'CONNECTING';
    case 'AUTH_REFUSED':
      return f.repeats >= p.authRefusalsBeforeFailed ? 'FAILED' : 'CONNECTING';
    case 'DNS':
      return f.repeats >= p.dnsFailuresBeforeFailed ? 'FAILED' : 'CONNECTING';
    case 'CONNACK_REFUSED':
      return f.connackCode === 1 || f.connackCode === 2 ? 'FAILED' : 'CONNECTING';
    default:
      return 'CONNECTING';
  }
}
