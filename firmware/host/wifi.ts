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

export const WIFI_REASON = {
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
} as const;

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
}
