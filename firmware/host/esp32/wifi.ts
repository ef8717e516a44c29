// ESP32 Wi-Fi station host: firmware/host/wifi.ts on the native esp_wifi core (native/wifi). Credentials stay in
// RAM in the driver (WIFI_STORAGE_RAM); events arrive through the dispatcher on the XS task. The SoftAP
// (startAccessPoint, unified-provisioning.md §9.2) runs on ESP-IDF's default AP netif: 192.168.4.1 + DHCP server.

import {
  checkAccessPointConfig,
  WifiHostError,
  type AccessPointConfig,
  type WifiCallbacks,
  type WifiScanErrorCode,
  type WifiScanRecord,
  type WifiStationHost,
  type WifiStationInfo,
} from '../wifi';
import { bytes } from './status';
import { decodeRecord, decodeScanRecords, SCAN_RECORD_BYTES } from './wifi-records';

// wific_msg_type and wific_status (native/wifi/wifi_core.h)
const MSG_CONNECTED = 1;
const MSG_DISCONNECTED = 2;
const MSG_GOT_IP = 3;
const MSG_LOST_IP = 4;
const MSG_SCAN_DONE = 5;
const SCAN_CODES: Record<number, WifiScanErrorCode> = Object.freeze({ [-1]: 'BUSY', [-2]: 'TIMEOUT', [-3]: 'NOT_STARTED', [-4]: 'INTERNAL' });
const RANGE = -5;
type Dispatch = (type: number, a?: number | string, b?: ArrayBuffer) => void;

class NativeWifi extends Native('xs_nc_wifi_destructor') {
  constructor(dispatch: Dispatch) {
    super();
    native('xs_nc_wifi_constructor').call(this, dispatch);
  }
  start(): number {
    return native('xs_nc_wifi_start').call(this);
  }
  setMode(apsta: boolean): number {
    return native('xs_nc_wifi_set_mode').call(this, apsta);
  }
  connect(ssid: Uint8Array, password: Uint8Array, bssid: Uint8Array | undefined, channel: number): number {
    return native('xs_nc_wifi_connect').call(this, ssid, password, bssid, channel);
  }
  disconnect(): number {
    return native('xs_nc_wifi_disconnect').call(this);
  }
  scan(passive: boolean, dwellMs: number, channel: number, showHidden: boolean): number {
    return native('xs_nc_wifi_scan').call(this, passive, dwellMs, channel, showHidden);
  }
  stationInfo(): ArrayBuffer | undefined {
    return native('xs_nc_wifi_station_info').call(this);
  }
  mac(): ArrayBuffer {
    return native('xs_nc_wifi_mac').call(this);
  }
  apStart(ssid: Uint8Array, password: Uint8Array, channel: number, maxStations: number): number {
    return native('xs_nc_wifi_ap_start').call(this, ssid, password, channel, maxStations);
  }
  apStop(): number {
    return native('xs_nc_wifi_ap_stop').call(this);
  }
}

export class Esp32WifiHost implements WifiStationHost {
  #native: NativeWifi | undefined;
  #callbacks: WifiCallbacks | undefined;
  #scanDone: ((records: WifiScanRecord[] | undefined, error?: WifiScanErrorCode) => void) | undefined;

  start(callbacks: WifiCallbacks): void {
    this.#callbacks = callbacks;
    this.#native ??= new NativeWifi((type, a, b) => this.#dispatch(type, a, b));
    const status = this.#native.start();
    if (status !== 0) throw new WifiHostError('INTERNAL', `Wi-Fi start failed (${status})`);
  }

  #dispatch(type: number, a?: number | string, b?: ArrayBuffer): void {
    const cb = this.#callbacks;
    if (type === MSG_SCAN_DONE) {
      const done = this.#scanDone;
      this.#scanDone = undefined;
      if (!done) return;
      if (a === 0 && b) done(decodeScanRecords(bytes(b)));
      else done(undefined, SCAN_CODES[a as number] ?? 'INTERNAL'); // a failed scan is never an empty success
      return;
    }
    if (!cb) return;
    if (type === MSG_CONNECTED) cb.onConnected();
    else if (type === MSG_DISCONNECTED) cb.onDisconnected(a as number);
    else if (type === MSG_GOT_IP) cb.onGotIp(a as string);
    else if (type === MSG_LOST_IP) cb.onLostIp();
  }

  setMode(mode: 'sta' | 'apsta'): void {
    const status = this.#require().setMode(mode === 'apsta');
    if (status !== 0) throw new WifiHostError(SCAN_CODES[status] ?? 'INTERNAL', `Wi-Fi set mode failed (${status})`);
  }

  connect(config: { ssid: Uint8Array; password: Uint8Array; bssid?: Uint8Array; channel?: number }): void {
    const status = this.#require().connect(config.ssid, config.password, config.bssid, config.channel ?? 0);
    if (status === RANGE) throw new RangeError('Wi-Fi connect: SSID 1..32 bytes, passphrase 0 or 8..64 bytes, BSSID 6 bytes');
    if (status !== 0) throw new WifiHostError(SCAN_CODES[status] ?? 'INTERNAL', `Wi-Fi connect failed (${status})`);
  }

  disconnect(): void {
    this.#require().disconnect();
  }

  scan(
    options: { passive: boolean; dwellMsPerChannel: number; channel?: number; showHidden: boolean },
    done: (records: WifiScanRecord[] | undefined, error?: WifiScanErrorCode) => void,
  ): void {
    if (this.#scanDone) throw new WifiHostError('BUSY', 'a scan is already running');
    const status = this.#require().scan(options.passive, options.dwellMsPerChannel, options.channel ?? 0, options.showHidden);
    if (status === -1) throw new WifiHostError('BUSY', 'a scan is already running');
    if (status !== 0) {
      done(undefined, SCAN_CODES[status] ?? 'INTERNAL');
      return;
    }
    this.#scanDone = done;
  }

  stationInfo(): WifiStationInfo | undefined {
    const raw = this.#native?.stationInfo();
    if (!raw) return undefined;
    const b = bytes(raw);
    const record = decodeRecord(b.subarray(0, SCAN_RECORD_BYTES));
    const ip = Array.from(b.subarray(SCAN_RECORD_BYTES, SCAN_RECORD_BYTES + 4)).join('.');
    return { ...record, ip };
  }

  mac(): Uint8Array {
    return bytes(this.#require().mac());
  }

  startAccessPoint(config: AccessPointConfig): void {
    checkAccessPointConfig(config); // the C core checks again; this gives the precise message
    const status = this.#require().apStart(config.ssid, config.password, config.channel, config.maxStations);
    if (status === RANGE) throw new RangeError('access point: the driver refused the SSID or passphrase');
    if (status !== 0) throw new WifiHostError(SCAN_CODES[status] ?? 'INTERNAL', `access point start failed (${status})`);
  }

  stopAccessPoint(): void {
    if (!this.#native) return; // never started: no AP runs
    const status = this.#native.apStop();
    if (status !== 0) throw new WifiHostError(SCAN_CODES[status] ?? 'INTERNAL', `access point stop failed (${status})`);
  }

  #require(): NativeWifi {
    if (!this.#native) throw new WifiHostError('NOT_STARTED', 'Wi-Fi host not started');
    return this.#native;
  }
}
