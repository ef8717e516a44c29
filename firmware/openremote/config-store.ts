// The OpenRemote config persisted as ONE NVS blob record (namespace "orcfg", key "config"), so a power cut at any
// step of a save leaves the old or the new config, never a mix (firmware/host/nvs.ts: one set is atomic, several
// are not). openremote.md §5 suggests one key per field plus a single commit; NVS has no multi-key transaction,
// so that layout could tear between keys. Boot API: loadOpenRemoteConfig / clearOpenRemoteConfig (§5 factory reset).
//
// Record layout (integers little-endian):
//   0 'O' 1 'R' (magic)   2 schema version (1)   3 flags (0, reserved)
//   4 five strings, each u16 length + UTF-8 bytes: url, user, password, realm, asset id
//   then u8 property count, per property u16 key length + key + u16 value length + value
//   end-4 CRC-32 (IEEE, firmware/provisioning/crc32.ts) of every byte before it
// The MQTT password is stored in clear inside the record, like esp_wifi stores the Wi-Fi passphrase: production
// images should enable NVS encryption (openremote.md §5, "a long-lived credential").
import type { NvsHost } from '../host/nvs';
import { CRC_TRAILER as TRAILER, describeNvsError, eraseRecord, readRecord, recordCrcMatches, sealRecord, writeRecord } from '../storage/record';
import { utf8Decode, utf8Encode } from '../util/bytes';
import type { Logger, SecretRegistry } from '../util/log';
import { checkOpenRemoteConfig, type ConfigRules, type OpenRemoteConfig } from './config';

export const OR_CONFIG_NAMESPACE = 'orcfg';
export const OR_CONFIG_KEY = 'config';
const MAGIC0 = 0x4f; // 'O'
const MAGIC1 = 0x52; // 'R'
export const OR_CONFIG_SCHEMA = 1;
const HEADER = 4;

export type OpenRemoteConfigLoad =
  | { ok: true; config: OpenRemoteConfig }
  | { ok: false; reason: 'absent' | 'corrupt' | 'unsupported-version' | 'invalid' | 'storage-error' };

export class OpenRemoteConfigStoreError extends Error {
  constructor(message: string, override readonly cause?: unknown) {
    super(message);
    this.name = 'OpenRemoteConfigStoreError';
  }
}

export function encodeOpenRemoteConfig(config: OpenRemoteConfig): Uint8Array {
  const parts: number[] = [MAGIC0, MAGIC1, OR_CONFIG_SCHEMA, 0];
  const put = (text: string, max: number) => {
    const b = utf8Encode(text);
    if (b.length > max) throw new OpenRemoteConfigStoreError('field too long for the record');
    parts.push(b.length & 0xff, b.length >> 8);
    for (let i = 0; i < b.length; i++) parts.push(b[i]);
  };
  for (const field of [config.mqttBrokerUrl, config.user, config.mqttPassword, config.realm, config.assetId]) put(field, 0xffff);
  const keys = Object.keys(config.properties);
  if (keys.length > 255) throw new OpenRemoteConfigStoreError('too many properties for the record');
  parts.push(keys.length);
  for (const k of keys) {
    put(k, 0xffff);
    put(config.properties[k], 0xffff);
  }
  const body = parts.length;
  const out = new Uint8Array(body + TRAILER);
  out.set(parts);
  parts.fill(0); // the array held the password
  sealRecord(out, body);
  return out;
}

/** Parses a record and re-validates it with today's rules; never throws. */
export function decodeOpenRemoteConfig(data: Uint8Array, rules: ConfigRules = {}): OpenRemoteConfigLoad {
  if (data.length < HEADER + TRAILER || data[0] !== MAGIC0 || data[1] !== MAGIC1) return { ok: false, reason: 'corrupt' };
  const body = data.length - TRAILER;
  if (!recordCrcMatches(data)) return { ok: false, reason: 'corrupt' };
  if (data[2] !== OR_CONFIG_SCHEMA) return { ok: false, reason: 'unsupported-version' };
  let at = HEADER;
  const take = (): string | undefined => {
    if (at + 2 > body) return undefined;
    const n = data[at] | (data[at + 1] << 8);
    at += 2;
    if (at + n > body) return undefined;
    const s = utf8Decode(data.subarray(at, at + n));
    at += n;
    return s;
  };
  const fields: string[] = [];
  for (let i = 0; i < 5; i++) {
    const s = take();
    if (s === undefined) return { ok: false, reason: 'corrupt' };
    fields.push(s);
  }
  if (at + 1 > body) return { ok: false, reason: 'corrupt' };
  const count = data[at++];
  const properties: Record<string, string> = {};
  for (let i = 0; i < count; i++) {
    const k = take();
    const v = take();
    if (k === undefined || v === undefined) return { ok: false, reason: 'corrupt' };
    properties[k] = v;
  }
  if (at !== body) return { ok: false, reason: 'corrupt' };
  // A record this build would not accept (e.g. mqtt:// after plaintext was switched off) is not used.
  const checked = checkOpenRemoteConfig(
    { mqttBrokerUrl: fields[0], user: fields[1], mqttPassword: fields[2], realm: fields[3], assetId: fields[4], properties },
    rules,
  );
  return checked.ok ? { ok: true, config: checked.config } : { ok: false, reason: 'invalid' };
}

export interface LoadOptions extends ConfigRules {
  log?: Logger;
  /** The logger's registry: a loaded MQTT password is registered before the config is handed out. */
  secrets?: SecretRegistry;
}

/** Reads the stored config with the reason when there is none; never throws. */
export function readOpenRemoteConfig(nvs: NvsHost, options: LoadOptions = {}): OpenRemoteConfigLoad {
  const read = readRecord(nvs, OR_CONFIG_NAMESPACE, OR_CONFIG_KEY);
  if (read.status === 'storage-error') {
    options.log?.error(`reading the OpenRemote config failed: ${describeNvsError(read.error)}`);
    return { ok: false, reason: 'storage-error' };
  }
  if (read.status !== 'found') return { ok: false, reason: read.status };
  const result = decodeOpenRemoteConfig(read.blob, options);
  if (result.ok) options.secrets?.add(result.config.mqttPassword);
  else options.log?.warn(`stored OpenRemote config unusable (${result.reason}); the device needs provisioning`);
  return result;
}

/** Boot API: the stored config, or undefined when absent, corrupt or unusable (then: provision). */
export function loadOpenRemoteConfig(nvs: NvsHost, options: LoadOptions = {}): OpenRemoteConfig | undefined {
  const r = readOpenRemoteConfig(nvs, options);
  return r.ok ? r.config : undefined;
}

/** One atomic set + commit + read-back. Throws OpenRemoteConfigStoreError; the previous record is then either
 * still in place or fully replaced. */
export function saveOpenRemoteConfig(nvs: NvsHost, config: OpenRemoteConfig): void {
  const record = encodeOpenRemoteConfig(config);
  try {
    if (!writeRecord(nvs, OR_CONFIG_NAMESPACE, OR_CONFIG_KEY, record)) {
      throw new OpenRemoteConfigStoreError('read-back verification failed');
    }
  } catch (e) {
    if (e instanceof OpenRemoteConfigStoreError) throw e;
    throw new OpenRemoteConfigStoreError(`saving the OpenRemote config failed: ${describeNvsError(e)}`, e);
  } finally {
    record.fill(0);
  }
}

/** Factory reset: one atomic erase of the record (absent is fine). Throws OpenRemoteConfigStoreError. */
export function clearOpenRemoteConfig(nvs: NvsHost): void {
  try {
    eraseRecord(nvs, OR_CONFIG_NAMESPACE, OR_CONFIG_KEY);
  } catch (e) {
    throw new OpenRemoteConfigStoreError(`erasing the OpenRemote config failed: ${describeNvsError(e)}`, e);
  }
}
