// Wi-Fi station host, modelled on esp_wifi (station mode, scan, WIFI_EVENT_STA_DISCONNECTED reason codes).
// ESP32: esp_wifi_* with esp_wifi_set_storage(WIFI_STORAGE_RAM): the firmware persists credentials itself
// (after the station got an IP; see firmware/provisioning). Events reach XS via modMessagePostToMachine.
// Simulator: a world file of access points (tools/sim/wifi-world.ts).
//
// Contract:
// - connect() starts one association attempt with the given config and returns at once; the outcome arrives as
//   onConnected + onGotIp, or onDisconnected(reason). The host does not retry by itself.
// - Reason codes are ESP-IDF's wifi_err_reason_t values (WIFI_REASON below).
// - scan() runs one scan; a second call while scanning throws WifiHostError('BUSY'). The callback receives every
//   record found (unsorted, uncapped) or an error code; a failed scan is an error, never an empty success.
// - auth values are raw wifi_auth_mode_t (may be >= 8: WAPI, OWE, ...); the firmware maps them for clients.
// - startAccessPoint() (SoftAP provisioning, unified-provisioning.md §9.2) brings up the access point next to the
//   station (AP+STA) and returns once it is configured: WPA2-PSK when `password` has 8..64 bytes (64 = the PSK in
//   hex), open when it is empty; any other length, an SSID outside 1..32 bytes, a channel outside 1..13 or
//   maxStations outside 1..10 throw RangeError before anything changes. On the chip the AP is 192.168.4.1/24 with
//   the DHCP server of ESP-IDF's default AP netif. Calling it again reconfigures the running AP.
//   stopAccessPoint() returns to station mode ('sta', §8.6); it is idempotent. The station's association survives both.
//   Both are optional members: a host that cannot run an access point leaves them out, and SoftAP provisioning
//   then refuses to start with a clear error (firmware/app/provisioning.ts).

export const WIFI_REASON = Object.freeze({
  UNSPECIFIED: 1,
  AUTH_EXPIRE: 2,
  AUTH_LEAVE: 3,
  ASSOC_EXPIRE: 4,
  ASSOC_LEAVE: 8,
  MIC_FAILURE: 14,
  FOURWAY_HANDSHAKE_TIMEOUT: 15,
  BEACON_TIMEOUT: 200,
  NO_AP_FOUND: 201,
  AUTH_FAIL: 202,
  ASSOC_FAIL: 203,
  HANDSHAKE_TIMEOUT: 204,
  CONNECTION_FAIL: 205,
} as const);

export type WifiScanErrorCode = 'BUSY' | 'TIMEOUT' | 'NOT_STARTED' | 'INTERNAL';

export class WifiHostError extends Error {
  constructor(readonly code: WifiScanErrorCode, message: string) {
    super(message);
    this.name = 'WifiHostError';
  }
}

export interface WifiScanRecord {
  ssid: Uint8Array; // 0..32 bytes; empty for a hidden network
  bssid: Uint8Array; // 6 bytes
  channel: number;
  rssi: number; // dBm, negative
  auth: number; // wifi_auth_mode_t
}

export interface WifiStationInfo {
  ssid: Uint8Array;
  bssid: Uint8Array;
  channel: number;
  rssi: number;
  auth: number;
  ip: string; // dotted quad
}

export interface WifiCallbacks {
  onConnected(): void;
  onGotIp(ip: string): void;
  onLostIp(): void;
  onDisconnected(reason: number): void;
}

export interface AccessPointConfig {
  ssid: Uint8Array; // 1..32 bytes (the device name, §9.2)
  password: Uint8Array; // empty = open; 8..63 passphrase bytes or 64 hex digits = WPA2-PSK
  channel: number; // 1..13
  maxStations: number; // 1..10; the reference uses 5 (§9.2)
}

export interface WifiStationHost {
  /** Registers the event callbacks and starts the station interface (esp_wifi_start in STA mode). */
  start(callbacks: WifiCallbacks): void;
  /** 'sta' for BLE/console provisioning and normal operation; 'apsta' while SoftAP provisioning runs. */
  setMode(mode: 'sta' | 'apsta'): void;
  connect(config: { ssid: Uint8Array; password: Uint8Array; bssid?: Uint8Array; channel?: number }): void;
  disconnect(): void;
  scan(
    options: { passive: boolean; dwellMsPerChannel: number; channel?: number; showHidden: boolean },
    done: (records: WifiScanRecord[] | undefined, error?: WifiScanErrorCode) => void,
  ): void;
  /** Present only while associated with an IP. */
  stationInfo(): WifiStationInfo | undefined;
  /** 6-byte station MAC. */
  mac(): Uint8Array;
  /** Starts (or reconfigures) the provisioning access point in AP+STA mode; see the contract above. */
  startAccessPoint?(config: AccessPointConfig): void;
  /** Stops the access point: back to STA mode. No-op when no AP runs. */
  stopAccessPoint?(): void;
}

/** The startAccessPoint() argument rules, shared by every host so they refuse the same inputs (RangeError). */
export function checkAccessPointConfig(config: AccessPointConfig): void {
  const { ssid, password, channel, maxStations } = config;
  if (!(ssid instanceof Uint8Array) || ssid.length < 1 || ssid.length > 32) throw new RangeError('access point: SSID must be 1..32 bytes');
  if (!(password instanceof Uint8Array)) throw new RangeError('access point: password must be bytes');
  const n = password.length;
  if (n !== 0 && (n < 8 || n > 64)) throw new RangeError('access point: passphrase must be empty (open) or 8..64 bytes (WPA2-PSK)');
  if (n === 64 && !password.every((c) => (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66))) {
    throw new RangeError('access point: a 64-character key is the PSK itself and must be hex');
  }
  if (!Number.isInteger(channel) || channel < 1 || channel > 13) throw new RangeError('access point: channel must be 1..13');
  if (!Number.isInteger(maxStations) || maxStations < 1 || maxStations > 10) throw new RangeError('access point: maxStations must be 1..10');
}
