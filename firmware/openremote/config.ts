// The OpenRemote configuration the app sends over or-cfg (openremote.md §1.2 Request.OpenRemoteConfig, §1.5 step 6)
// and its validation. A config that passes here can be persisted (config-store.ts) and handed to the MQTT client
// (mqtt-api.ts mqttConfigFor) without any later surprise: every rule below exists because a later stage breaks.
import { parseBrokerUrl } from '../mqtt/url';
import { utf8Encode } from '../util/bytes';

export interface OpenRemoteConfig {
  /** `mqtts://host[:port]` (`mqtt://` only when the build allows plaintext). The app sends `mqtts://<host>:8883`. */
  mqttBrokerUrl: string;
  /** Service-user name = MQTT client id = topic token 2 (openremote.md §4.2–4.3); the app sends the lower-cased
   * device id. */
  user: string;
  /** The service user's secret (16 random [A-Za-z0-9] from the app). A secret: never logged. */
  mqttPassword: string;
  /** iOS always "master"; Android the app's realm (openremote.md §7 item 1). */
  realm: string;
  /** 22-char base62 OpenRemote id of the device's asset. */
  assetId: string;
  /** Android only (field 6): backend-defined extras, kept verbatim for the application. Empty on iOS. */
  properties: Record<string, string>;
}

/** Bounds: chosen so the stored record (config-store.ts) stays far below the 4000-byte NVS blob bound of
 * firmware/host/nvs.ts and the or-cfg request below the transport's 4096-byte custom-endpoint limit. */
export const CONFIG_LIMITS = Object.freeze({
  urlBytes: 256,
  userBytes: 64,
  passwordBytes: 128,
  realmBytes: 64,
  propertyCount: 16,
  propertyKeyBytes: 64,
  propertyValueBytes: 256,
  /** Sum of all property key and value bytes. */
  propertiesTotalBytes: 1536,
} as const);

export interface ConfigRules {
  /** Accept `mqtt://` (no TLS). Off in production builds: the MQTT password would cross the network in clear. */
  allowPlaintextMqtt?: boolean;
}

export type ConfigField = 'mqtt_broker_url' | 'user' | 'mqtt_password' | 'realm' | 'asset_id' | 'properties';

export type ConfigCheck = { ok: true; config: OpenRemoteConfig } | { ok: false; field: ConfigField; error: string };

/** The fields as decoded from the protobuf (proto3: absent strings are ""). */
export interface RawOpenRemoteConfig {
  mqttBrokerUrl?: string | null;
  user?: string | null;
  mqttPassword?: string | null;
  realm?: string | null;
  assetId?: string | null;
  properties?: Record<string, string> | null;
}

const ASSET_ID = /^[0-9A-Za-z]{22}$/;
// The user is also the MQTT client id and topic token 2 (§4.3 [I]: "only [a-z0-9_-]"); we also allow upper case,
// '.' and '@' because Keycloak service-user names may carry them. '/', '+', '#', ':' and whitespace can never work.
const USER = /^[A-Za-z0-9._@-]+$/;
// Realm is topic token 1 and the part before the first ':' of the MQTT user name (§4.2).
const REALM = /^[A-Za-z0-9._-]+$/;

/** Validates and normalises (copies) a received config. Error texts never contain the password. */
export function checkOpenRemoteConfig(raw: RawOpenRemoteConfig, rules: ConfigRules = {}): ConfigCheck {
  const url = str(raw.mqttBrokerUrl);
  const user = str(raw.user);
  const password = str(raw.mqttPassword);
  const realm = str(raw.realm);
  const assetId = str(raw.assetId);

  const urlError = brokerUrlError(url, rules);
  if (urlError) return { ok: false, field: 'mqtt_broker_url', error: urlError };

  if (user.length === 0) return { ok: false, field: 'user', error: 'user is empty' };
  if (bytes(user) > CONFIG_LIMITS.userBytes) return { ok: false, field: 'user', error: `user longer than ${CONFIG_LIMITS.userBytes} bytes` };
  if (!USER.test(user)) return { ok: false, field: 'user', error: `user "${printable(user)}" has characters outside [A-Za-z0-9._@-]` };

  if (password.length === 0) return { ok: false, field: 'mqtt_password', error: 'mqtt_password is empty' };
  if (bytes(password) > CONFIG_LIMITS.passwordBytes) return { ok: false, field: 'mqtt_password', error: `mqtt_password longer than ${CONFIG_LIMITS.passwordBytes} bytes` };
  if (hasControl(password)) return { ok: false, field: 'mqtt_password', error: 'mqtt_password contains control characters' };

  if (realm.length === 0) return { ok: false, field: 'realm', error: 'realm is empty' };
  if (bytes(realm) > CONFIG_LIMITS.realmBytes) return { ok: false, field: 'realm', error: `realm longer than ${CONFIG_LIMITS.realmBytes} bytes` };
  if (!REALM.test(realm)) return { ok: false, field: 'realm', error: `realm "${printable(realm)}" has characters outside [A-Za-z0-9._-]` };

  if (!ASSET_ID.test(assetId)) return { ok: false, field: 'asset_id', error: `asset_id "${printable(assetId)}" is not 22 base62 characters` };

  const properties: Record<string, string> = {};
  const source = raw.properties ?? {};
  const keys = Object.keys(source);
  if (keys.length > CONFIG_LIMITS.propertyCount) return { ok: false, field: 'properties', error: `more than ${CONFIG_LIMITS.propertyCount} properties` };
  let total = 0;
  for (const key of keys) {
    const value = str(source[key]);
    const kb = bytes(key);
    const vb = bytes(value);
    if (kb === 0 || kb > CONFIG_LIMITS.propertyKeyBytes || hasControl(key)) {
      return { ok: false, field: 'properties', error: `property key "${printable(key)}" is empty, too long or has control characters` };
    }
    if (vb > CONFIG_LIMITS.propertyValueBytes || hasControl(value)) {
      return { ok: false, field: 'properties', error: `property "${printable(key)}" value too long or has control characters` };
    }
    total += kb + vb;
    if (total > CONFIG_LIMITS.propertiesTotalBytes) return { ok: false, field: 'properties', error: `properties exceed ${CONFIG_LIMITS.propertiesTotalBytes} bytes` };
    properties[key] = value;
  }
  return { ok: true, config: { mqttBrokerUrl: url, user, mqttPassword: password, realm, assetId, properties } };
}

/** `mqtts://host[:port]`: no path, query, fragment or credentials; host a DNS name, IPv4 or bracketed IPv6;
 * port 1..65535 (default 8883 / 1883 as in firmware/mqtt/url.ts). */
export function brokerUrlError(url: string, rules: ConfigRules = {}): string | undefined {
  if (url.length === 0) return 'mqtt_broker_url is empty';
  if (bytes(url) > CONFIG_LIMITS.urlBytes) return `mqtt_broker_url longer than ${CONFIG_LIMITS.urlBytes} bytes`;
  // parseBrokerUrl trims and tolerates a trailing '/'; a stored URL must be exact, so both are refused here.
  if (/[\s\u0000-\u001f\u007f]/.test(url)) return 'mqtt_broker_url contains whitespace or control characters';
  if (url.endsWith('/')) return 'mqtt_broker_url must not have a path';
  const parsed = parseBrokerUrl(url);
  if (typeof parsed === 'string') return parsed;
  if (!parsed.tls && !rules.allowPlaintextMqtt) return 'mqtt:// (plaintext) is not allowed by this build; use mqtts://';
  if (!isHost(parsed.host)) return `"${printable(parsed.host)}" is not a DNS name or IP address`;
  return undefined;
}

function isHost(host: string): boolean {
  if (/^[0-9.]+$/.test(host)) {
    const parts = host.split('.');
    return parts.length === 4 && parts.every((p) => /^(0|[1-9][0-9]{0,2})$/.test(p) && Number(p) <= 255);
  }
  if (host.includes(':')) {
    // IPv6 literal (parseBrokerUrl removed the brackets): hex groups, at most one '::', optional dotted tail.
    if (!/^[0-9A-Fa-f:.]+$/.test(host) || host.split('::').length > 2) return false;
    const groups = host.split(':');
    return groups.length >= 3 && groups.length <= 8 && groups.every((g) => g.length <= 4 || /^[0-9.]+$/.test(g));
  }
  if (host.length > 253) return false;
  const labels = host.split('.');
  // A name whose last label is all digits would be a malformed IPv4 address, not a DNS name.
  if (/^[0-9]+$/.test(labels[labels.length - 1])) return false;
  return labels.every((l) => /^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/.test(l));
}

function str(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

function bytes(text: string): number {
  return utf8Encode(text).length;
}

function hasControl(text: string): boolean {
  return /[\u0000-\u001f\u007f]/.test(text);
}

/** For error texts: at most 40 chars, control characters escaped, so a hostile value cannot forge log lines. */
function printable(text: string): string {
  const cut = text.length > 40 ? text.slice(0, 40) + '…' : text;
  return cut.replace(/[\u0000-\u001f\u007f"\\]/g, (c) => '\\x' + c.charCodeAt(0).toString(16).padStart(2, '0'));
}
