// The device's boot configuration: plain JSON data, so the same object comes from mc/config on the chip (per
// product build) and from the simulator's command line (tools/sim/main.ts). Secrets here (PoP, SRP verifier) are
// product/factory data; they are registered with the log redactor at boot and never printed.
import type { LogLevel } from '../host/log';

export type SecurityBootConfig =
  | { version: 0 }
  | { version: 1; pop?: string }
  /** sec2: salt and verifier made offline from username + PoP (tools/srp/gen-verifier.ts, §5.2). */
  | { version: 2; saltHex: string; verifierHex: string; patchVersion?: 0 | 1 };

export interface TransportsBootConfig {
  /** BLE GATT transport (the reference default). */
  ble?: { serviceUuid?: string; customMaxMessage?: number; manufacturerDataHex?: string };
  /** SoftAP/HTTP transport: port 80 on the chip, 0 = any loopback port in the simulator. */
  softap?: { port: number };
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
}
