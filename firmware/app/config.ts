// The device's boot configuration: plain JSON data, so the same object comes from mc/config on the chip (per
// product build) and from the simulator's command line (tools/sim/main.ts). Secrets here (PoP, SRP verifier) are
// product/factory data; they are registered with the log redactor at boot and never printed.
import type { LogLevel } from '../host/log';
import { utf8Encode } from '../util/bytes';

export type SecurityBootConfig =
  | { version: 0 }
  | { version: 1; pop?: string }
  /** sec2: salt and verifier made offline from username + PoP (tools/srp/gen-verifier.ts, §5.2). */
  | { version: 2; saltHex: string; verifierHex: string; patchVersion?: 0 | 1 };

export interface TransportsBootConfig {
  /** BLE GATT transport (the reference default). */
  ble?: { serviceUuid?: string; customMaxMessage?: number; manufacturerDataHex?: string };
  /** SoftAP/HTTP transport (unified-provisioning.md §9.2): an access point named after the device, then the HTTP
   * server on `port` (80 on the chip; 0 = any loopback port in the simulator). */
  softap?: {
    port: number;
    /** WPA2 key of the access point (product data, a secret): 8..63 printable ASCII characters or 64 hex digits.
     * Absent = an open access point (the reference's default when no service key is given). */
    passphrase?: string;
  };
  /** UART console transport (seed format `<endpoint> <session id> <hex>`). */
  console?: boolean;
}

export interface BootConfig {
  logLevel?: LogLevel;
  /** BLE name / SoftAP SSID; default PROV_ + last 3 MAC bytes (§9.1). At most 29 bytes. */
  deviceName?: string;
  security: SecurityBootConfig;
  transports: TransportsBootConfig;
  provisioning?: {
    /** Reference default true; the OpenRemote flow needs the session after Wi-Fi, so it turns it off. */
    autoStop?: boolean;
    cleanupDelayMs?: number;
    /** Stop provisioning if nothing was provisioned this long after start (0 = never). */
    windowTimeoutMs?: number;
    wifiConnAttempts?: number;
    strictReference?: boolean;
    /** Custom protocomm endpoints created before start (BLE ids 0xFF54+ in this order). */
    customEndpoints?: string[];
    /** With OpenRemote (auto-stop off): stop provisioning this long after the backend link got CONNECTED if the app
     * never sent ExitProvisioning (it was closed or lost the link), so BLE does not stay up forever. Default 300000;
     * 0 = wait for ExitProvisioning only. */
    lingerAfterOnlineMs?: number;
  };
  /** Brute-force limit on session establishment (beyond the reference). */
  attemptLimit?: { maxFailures?: number; windowMs?: number };
  /** Reconnect backoff for the provisioned station. */
  station?: { firstRetryMs?: number; maxRetryMs?: number };
  /** OpenRemote: the or-cfg endpoint during provisioning and the MQTT link afterwards (openremote.md). */
  openremote?: OpenRemoteBootConfig;
}

export interface OpenRemoteBootConfig {
  /** DeviceInfo.model_name: the backend picks the asset type from it (openremote.md §3.1). */
  modelName: string;
  /** PEM trust anchors for mqtts:// (the product's CA bundle). */
  caCerts: string[];
  /** Accept mqtt:// configs. Off in production: the MQTT password would cross the network in clear. */
  allowPlaintextMqtt?: boolean;
  /** Reported in the proto-ver "openremote" label and as the firmwareVersion attribute. */
  firmwareVersion?: string;
}

/** Throws a RangeError naming the first invalid field, so a bad product configuration fails at boot, loudly. */
export function validateBootConfig(config: BootConfig): void {
  const sec = config.security;
  if (!sec || ![0, 1, 2].includes(sec.version)) throw new RangeError('security.version must be 0, 1 or 2');
  if (sec.version === 2) {
    if (!/^([0-9a-f]{2})+$/i.test(sec.saltHex)) throw new RangeError('security.saltHex must be hex');
    if (!/^([0-9a-f]{2})+$/i.test(sec.verifierHex)) throw new RangeError('security.verifierHex must be hex');
    if (sec.patchVersion !== undefined && sec.patchVersion !== 0 && sec.patchVersion !== 1) {
      throw new RangeError('security.patchVersion must be 0 or 1');
    }
  }
  const or = config.openremote;
  if (or) {
    if (typeof or.modelName !== 'string' || or.modelName.length === 0) throw new RangeError('openremote.modelName is required');
    if (!Array.isArray(or.caCerts) || (or.caCerts.length === 0 && !or.allowPlaintextMqtt)) {
      throw new RangeError('openremote.caCerts must hold the CA bundle for mqtts://');
    }
  }
  const t = config.transports;
  if (!t || (!t.ble && !t.softap && !t.console)) throw new RangeError('at least one provisioning transport is needed');
  if (t.softap && !(Number.isInteger(t.softap.port) && t.softap.port >= 0 && t.softap.port <= 65535)) {
    throw new RangeError('transports.softap.port must be 0..65535');
  }
  if (t.softap && t.softap.passphrase !== undefined) checkSoftApPassphrase(t.softap.passphrase);
  // The SoftAP's SSID is the device name (§9.2); an SSID holds at most 32 bytes.
  if (t.softap && config.deviceName !== undefined && utf8Encode(config.deviceName).length > 32) {
    throw new RangeError('deviceName must be at most 32 bytes: it is the SoftAP SSID');
  }
}

/** WPA2-PSK key rules (IEEE 802.11i passphrase: 8..63 printable ASCII; 64 characters are the PSK in hex). The
 * message never contains the key: it is a secret. */
function checkSoftApPassphrase(key: unknown): void {
  const rule = 'transports.softap.passphrase must be 8..63 printable ASCII characters or 64 hex digits (omit it for an open AP)';
  if (typeof key !== 'string') throw new RangeError(rule);
  if (key.length === 64 ? !/^[0-9a-fA-F]{64}$/.test(key) : !/^[\x20-\x7e]{8,63}$/.test(key)) throw new RangeError(rule);
}
