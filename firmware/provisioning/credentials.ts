// Wi-Fi station credentials persisted as ONE NVS blob record, so a power cut at any step leaves the old or the new
// record, never a mix or nothing (firmware/host/nvs.ts: one set is atomic, several are not). Replaces the IDF
// driver's own STA-config storage (unified-provisioning.md §8.8); "is provisioned" = a valid record exists.
//
// Record layout (all lengths in bytes, integers little-endian):
//   0  magic 0x57 0x43 ("WC")      2  schema version (1)      3  ssid length (1..32)
//   4  passphrase length (0..63)   5  bssid length (0 or 6)   6  channel (0..14, 0 = any)   7  reserved (0)
//   8  ssid | passphrase | bssid   end-4  CRC-32 (IEEE) of every byte before it
// The CRC catches a record that a future schema, a bit flip or a foreign writer left behind; NVS itself already
// checksums each entry, so a torn write never reaches us as a half-new record.
import type { NvsHost } from '../host/nvs';
import { CRC_TRAILER as TRAILER, describeNvsError, eraseRecord, readRecord, recordCrcMatches, sealRecord, writeRecord } from '../storage/record';
import { redact, type Logger } from '../util/log';

export interface WifiCredentials {
  ssid: Uint8Array; // 1..32 bytes, no NUL
  password: Uint8Array; // 0..63 bytes (0 = open network)
  bssid?: Uint8Array; // 6 bytes when pinned to one access point
  channel?: number; // 1..14 when known
}

export const CREDENTIALS_NAMESPACE = 'prov';
export const CREDENTIALS_KEY = 'wifi_sta';
const MAGIC0 = 0x57;
const MAGIC1 = 0x43;
const SCHEMA_VERSION = 1;
const HEADER = 8;

export type LoadResult =
  | { ok: true; credentials: WifiCredentials }
  | { ok: false; reason: 'absent' | 'corrupt' | 'unsupported-version' | 'storage-error' };

export class CredentialsError extends Error {
  constructor(message: string, override readonly cause?: unknown) {
    super(message);
    this.name = 'CredentialsError';
  }
}

/** Validates a credential set against the prov-config limits (§7.1). Returns an error text or undefined. */
export function checkCredentials(c: WifiCredentials): string | undefined {
  if (c.ssid.length < 1 || c.ssid.length > 32) return 'ssid must be 1..32 bytes';
  if (c.password.length > 63) return 'passphrase must be at most 63 bytes';
  if (c.bssid !== undefined && c.bssid.length !== 6) return 'bssid must be 6 bytes';
  if (c.channel !== undefined && (!Number.isInteger(c.channel) || c.channel < 0 || c.channel > 14)) return 'channel must be 0..14';
  return undefined;
}

export function encodeCredentials(c: WifiCredentials): Uint8Array {
  const problem = checkCredentials(c);
  if (problem) throw new CredentialsError(problem);
  const bssid = c.bssid ?? new Uint8Array(0);
  const body = HEADER + c.ssid.length + c.password.length + bssid.length;
  const out = new Uint8Array(body + TRAILER);
  out[0] = MAGIC0;
  out[1] = MAGIC1;
  out[2] = SCHEMA_VERSION;
  out[3] = c.ssid.length;
  out[4] = c.password.length;
  out[5] = bssid.length;
  out[6] = c.channel ?? 0;
  out[7] = 0;
  out.set(c.ssid, HEADER);
  out.set(c.password, HEADER + c.ssid.length);
  out.set(bssid, HEADER + c.ssid.length + c.password.length);
  sealRecord(out, body);
  return out;
}

/** Parses a record; never throws. */
export function decodeCredentials(data: Uint8Array): LoadResult {
  if (data.length < HEADER + TRAILER + 1 || data[0] !== MAGIC0 || data[1] !== MAGIC1) return { ok: false, reason: 'corrupt' };
  const body = data.length - TRAILER;
  if (!recordCrcMatches(data)) return { ok: false, reason: 'corrupt' };
  if (data[2] !== SCHEMA_VERSION) return { ok: false, reason: 'unsupported-version' };
  const ssidLen = data[3];
  const passLen = data[4];
  const bssidLen = data[5];
  if (HEADER + ssidLen + passLen + bssidLen !== body) return { ok: false, reason: 'corrupt' };
  const credentials: WifiCredentials = {
    ssid: new Uint8Array(data.subarray(HEADER, HEADER + ssidLen)),
    password: new Uint8Array(data.subarray(HEADER + ssidLen, HEADER + ssidLen + passLen)),
  };
  if (bssidLen) credentials.bssid = new Uint8Array(data.subarray(HEADER + ssidLen + passLen, body));
  if (data[6]) credentials.channel = data[6];
  if (checkCredentials(credentials)) return { ok: false, reason: 'corrupt' };
  return { ok: true, credentials };
}

export interface CredentialStoreOptions {
  nvs: NvsHost;
  log: Logger;
  namespace?: string;
  key?: string;
}

/** The one place that reads and writes the station credentials. */
export class CredentialStore {
  private readonly nvs: NvsHost;
  private readonly log: Logger;
  private readonly namespace: string;
  private readonly key: string;

  constructor(options: CredentialStoreOptions) {
    this.nvs = options.nvs;
    this.log = options.log;
    this.namespace = options.namespace ?? CREDENTIALS_NAMESPACE;
    this.key = options.key ?? CREDENTIALS_KEY;
  }

  load(): LoadResult {
    const read = readRecord(this.nvs, this.namespace, this.key);
    if (read.status === 'storage-error') {
      this.log.error(`reading Wi-Fi credentials failed: ${describeNvsError(read.error)}`);
      return { ok: false, reason: 'storage-error' };
    }
    if (read.status !== 'found') return { ok: false, reason: read.status };
    const result = decodeCredentials(read.blob);
    if (!result.ok) this.log.warn(`stored Wi-Fi credentials unusable (${result.reason}); treating device as unprovisioned`);
    return result;
  }

  isProvisioned(): boolean {
    return this.load().ok;
  }

  /** Writes the record (one atomic set), commits, and reads it back. Throws CredentialsError on any failure; the
   * previous record is then either still in place or fully replaced (never a mix). */
  save(credentials: WifiCredentials): void {
    const record = encodeCredentials(credentials);
    try {
      if (!writeRecord(this.nvs, this.namespace, this.key, record)) throw new CredentialsError('read-back verification failed');
      this.log.info(`saved Wi-Fi credentials for SSID "${printableSsid(credentials.ssid)}" (passphrase ${redact(credentials.password)})`);
    } catch (e) {
      if (e instanceof CredentialsError) throw e;
      throw new CredentialsError(`saving Wi-Fi credentials failed: ${describeNvsError(e)}`, e);
    } finally {
      record.fill(0);
    }
  }

  /** Factory reset: removes the record (one atomic erase). Missing record is fine. */
  clear(): void {
    try {
      eraseRecord(this.nvs, this.namespace, this.key);
      this.log.info('Wi-Fi credentials erased');
    } catch (e) {
      throw new CredentialsError(`erasing Wi-Fi credentials failed: ${describeNvsError(e)}`, e);
    }
  }
}

/** SSIDs are bytes; show printable ASCII as is and escape the rest so a log line stays one line. */
export function printableSsid(ssid: Uint8Array): string {
  let out = '';
  for (let i = 0; i < ssid.length; i++) {
    const c = ssid[i];
    out += c >= 0x20 && c < 0x7f && c !== 0x22 && c !== 0x5c ? String.fromCharCode(c) : '\\x' + (c < 16 ? '0' : '') + c.toString(16);
  }
  return out;
}
