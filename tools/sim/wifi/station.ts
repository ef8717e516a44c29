// Simulated ESP32 Wi-Fi station (firmware/host/wifi.ts WifiStationHost) over a world of access points (world.ts).
// All timing runs through a TimerHost, so a virtual clock makes tests instant; events are always delivered
// asynchronously, as esp_event posts them, never from inside connect()/disconnect()/scan().
//
// Modelled:
// - scan: per-channel dwell (active 120 ms, passive 360 ms, or the requested dwell), one channel or 1..14; hidden
//   APs reported with an empty SSID; a scan while one runs or while connecting throws WifiHostError('BUSY')
//   (ESP-IDF answers ESP_ERR_WIFI_STATE while the station is connecting).
// - connect: a fast scan up to the AP's channel (all 14 channels when the SSID is absent → 201 NO_AP_FOUND),
//   the ESP-IDF ≥ 5.x rule that a passphrase of ≥ 8 bytes raises the auth threshold to WPA2 (so open/WEP/WPA-only
//   APs are not joined → 201), hidden APs joined by exact SSID, association (50 ms), a wrong passphrase ending with
//   the AP's `wrongPasswordReason` (default 15 4WAY_HANDSHAKE_TIMEOUT for WPA/WPA2, 202 AUTH_FAIL for WPA3-SAE)
//   after `wrongPasswordDelayMs`, then DHCP after `dhcpDelayMs`.
// - `dhcpFails`: associated, never an IP; after `dhcpTimeoutMs` the simulator ends the association with reason 1
//   (UNSPECIFIED). A real ESP32 would stay associated and keep retrying DHCP; the simulator ends it so the
//   firmware's retry and connect-timeout paths are exercised in bounded time.
// - disconnect(): reason 8 (ASSOC_LEAVE) if associated or connecting, as esp_wifi_disconnect reports.
// - the SoftAP (startAccessPoint/stopAccessPoint, §9.2) as state only: `accessPoint` holds the configuration the
//   chip would run (SSID, WPA2-PSK or open, channel, max stations, 192.168.4.1) and `stats.accessPointStarts`
//   counts starts; the same argument rules as the chip (checkAccessPointConfig); AP+STA while it runs, and
//   setMode('sta') takes it down as esp_wifi_set_mode(WIFI_MODE_STA) does. NOT modelled: beacons, stations
//   joining the AP, its DHCP server, and 192.168.4.1 itself: the simulator's HTTP transport listens on loopback.
// Not modelled: RF (RSSI is fixed per AP, no fading, no packet loss), roaming between APs of one SSID (the
// strongest is joined), 5 GHz, WEP key formats, enterprise EAP (always AUTH_FAIL), PMF, country codes, beacon loss
// (use kick()), BSSID/channel pinning subtleties beyond filtering, coexistence with BLE airtime.
import type { TimerHost, TimerId } from '../../../firmware/host/timers';
import {
  checkAccessPointConfig,
  WIFI_REASON,
  WifiHostError,
  type AccessPointConfig,
  type WifiCallbacks,
  type WifiScanErrorCode,
  type WifiScanRecord,
  type WifiStationHost,
  type WifiStationInfo,
} from '../../../firmware/host/wifi';
import type { AccessPoint, WifiWorld } from './world';

export const ACTIVE_DWELL_MS = 120;
export const PASSIVE_DWELL_MS = 360;
export const ASSOC_MS = 50;
const ALL_CHANNELS = 14;
const WPA2_PSK = 3;
const OPEN_LIKE = new Set([0, 9]);
const ENTERPRISE = new Set([5, 10, 14, 15, 16]);

type Phase =
  | { kind: 'idle' }
  | { kind: 'connecting'; ap?: AccessPoint } // scanning / authenticating / waiting for a lease
  | { kind: 'connected'; ap: AccessPoint; ip: string | undefined };

export interface SimWifiOptions {
  world: WifiWorld;
  timers: TimerHost;
  mac?: Uint8Array;
}

export interface SimAccessPoint {
  ssid: Uint8Array;
  password: Uint8Array;
  auth: 'open' | 'wpa2-psk';
  channel: number;
  maxStations: number;
  ip: '192.168.4.1'; // what ESP-IDF's default AP netif uses; not bound anywhere in the simulator
}

export interface SimWifiStats {
  scans: number;
  connects: number;
  accessPointStarts: number;
  lastConnect?: { ssid: Uint8Array; password: Uint8Array };
}

export class SimWifiStation implements WifiStationHost {
  readonly stats: SimWifiStats = { scans: 0, connects: 0, accessPointStarts: 0 };
  mode: 'sta' | 'apsta' = 'sta';
  /** The running access point (startAccessPoint), undefined in STA mode. */
  accessPoint: SimAccessPoint | undefined;
  private readonly world: WifiWorld;
  private readonly timers: TimerHost;
  private readonly macAddress: Uint8Array;
  private callbacks: WifiCallbacks | undefined;
  private phase: Phase = { kind: 'idle' };
  private scanning = false;
  private attemptTimers: TimerId[] = [];
  private nextScanError: WifiScanErrorCode | undefined;

  constructor(options: SimWifiOptions) {
    this.world = options.world;
    this.timers = options.timers;
    this.macAddress = options.mac ?? Uint8Array.of(0x24, 0x0a, 0xc4, 0x00, 0x00, 0x01);
  }

  start(callbacks: WifiCallbacks): void {
    this.callbacks = callbacks;
  }

  setMode(mode: 'sta' | 'apsta'): void {
    this.mode = mode;
    if (mode === 'sta') this.accessPoint = undefined; // WIFI_MODE_STA stops the AP interface
  }

  startAccessPoint(config: AccessPointConfig): void {
    checkAccessPointConfig(config);
    if (!this.callbacks) throw new WifiHostError('NOT_STARTED', 'esp_wifi_start not called');
    this.mode = 'apsta';
    this.stats.accessPointStarts++;
    this.accessPoint = {
      ssid: new Uint8Array(config.ssid),
      password: new Uint8Array(config.password),
      auth: config.password.length ? 'wpa2-psk' : 'open',
      channel: config.channel,
      maxStations: config.maxStations,
      ip: '192.168.4.1',
    };
  }

  stopAccessPoint(): void {
    this.setMode('sta');
  }

  connect(config: { ssid: Uint8Array; password: Uint8Array; bssid?: Uint8Array; channel?: number }): void {
    if (!this.callbacks) throw new WifiHostError('NOT_STARTED', 'esp_wifi_start not called');
    // A new attempt replaces the current one without an event (esp_wifi_connect re-targets the station).
    this.cancelAttempt();
    this.stats.connects++;
    this.stats.lastConnect = { ssid: new Uint8Array(config.ssid), password: new Uint8Array(config.password) };
    const ssid = new Uint8Array(config.ssid);
    const password = new Uint8Array(config.password);
    const pwLen = config.password.length;
    const candidates = this.world.aps
      .filter((ap) => bytesEqual(ap.ssid, ssid))
      .filter((ap) => !config.bssid || bytesEqual(ap.bssid, config.bssid))
      .filter((ap) => !config.channel || ap.channel === config.channel)
      // IDF >= 5.x: with a WPA2-length passphrase and no explicit threshold, weaker APs are skipped.
      .filter((ap) => pwLen < 8 || !(ap.auth < WPA2_PSK));
    this.phase = { kind: 'connecting' };
    if (candidates.length === 0) {
      const channels = config.channel ? 1 : ALL_CHANNELS;
      this.after(channels * ACTIVE_DWELL_MS, () => this.endAttempt(WIFI_REASON.NO_AP_FOUND));
      return;
    }
    const ap = candidates.reduce((a, b) => (b.rssi > a.rssi ? b : a));
    this.phase = { kind: 'connecting', ap };
    const scanMs = (config.channel ? 1 : ap.channel) * ACTIVE_DWELL_MS;
    this.after(scanMs + ASSOC_MS, () => {
      const verdict = authenticate(ap, password);
      if (verdict !== 0) {
        this.after(ap.wrongPasswordDelayMs, () => this.endAttempt(verdict));
        return;
      }
      this.phase = { kind: 'connected', ap, ip: undefined };
      this.callbacks?.onConnected();
      if (ap.dhcpFails) {
        this.after(ap.dhcpTimeoutMs, () => this.endAttempt(WIFI_REASON.UNSPECIFIED));
        return;
      }
      this.after(ap.dhcpDelayMs, () => {
        if (this.phase.kind !== 'connected') return;
        this.phase.ip = ap.ip;
        this.callbacks?.onGotIp(ap.ip);
      });
    });
  }

  disconnect(): void {
    const wasActive = this.phase.kind !== 'idle';
    this.cancelAttempt();
    this.phase = { kind: 'idle' };
    if (wasActive) this.post(() => this.callbacks?.onDisconnected(WIFI_REASON.ASSOC_LEAVE));
  }

  scan(
    options: { passive: boolean; dwellMsPerChannel: number; channel?: number; showHidden: boolean },
    done: (records: WifiScanRecord[] | undefined, error?: WifiScanErrorCode) => void,
  ): void {
    if (!this.callbacks) throw new WifiHostError('NOT_STARTED', 'esp_wifi_start not called');
    if (this.scanning) throw new WifiHostError('BUSY', 'a scan is already running');
    if (this.phase.kind === 'connecting') throw new WifiHostError('BUSY', 'station is connecting (ESP_ERR_WIFI_STATE)');
    if (options.channel !== undefined && (!Number.isInteger(options.channel) || options.channel < 1 || options.channel > ALL_CHANNELS)) {
      throw new WifiHostError('INTERNAL', `invalid channel ${options.channel}`);
    }
    this.scanning = true;
    this.stats.scans++;
    const dwell = options.dwellMsPerChannel > 0 ? options.dwellMsPerChannel : options.passive ? PASSIVE_DWELL_MS : ACTIVE_DWELL_MS;
    const channels = options.channel === undefined ? ALL_CHANNELS : 1;
    const error = this.nextScanError;
    this.nextScanError = undefined;
    this.timers.setTimeout(() => {
      this.scanning = false;
      if (error) return done(undefined, error);
      const records = this.world.aps
        .filter((ap) => options.channel === undefined || ap.channel === options.channel)
        .filter((ap) => options.showHidden || !ap.hidden)
        .map((ap) => ({ ssid: ap.hidden ? new Uint8Array(0) : new Uint8Array(ap.ssid), bssid: new Uint8Array(ap.bssid), channel: ap.channel, rssi: ap.rssi, auth: ap.auth }));
      done(records);
    }, channels * dwell);
  }

  stationInfo(): WifiStationInfo | undefined {
    if (this.phase.kind !== 'connected' || this.phase.ip === undefined) return undefined;
    const ap = this.phase.ap;
    return { ssid: new Uint8Array(ap.ssid), bssid: new Uint8Array(ap.bssid), channel: ap.channel, rssi: ap.rssi, auth: ap.auth, ip: this.phase.ip };
  }

  mac(): Uint8Array {
    return new Uint8Array(this.macAddress);
  }

  // ---- test and simulator controls -------------------------------------------------------------------------

  /** The next scan() ends with this error instead of records (e.g. 'TIMEOUT' as on ESP32-C5 with BT busy). */
  failNextScan(code: WifiScanErrorCode): void {
    this.nextScanError = code;
  }

  /** The AP drops the station (beacon loss 200, deauth 2, …). */
  kick(reason: number): void {
    if (this.phase.kind === 'idle') return;
    this.cancelAttempt();
    this.phase = { kind: 'idle' };
    this.post(() => this.callbacks?.onDisconnected(reason));
  }

  get connecting(): boolean {
    return this.phase.kind === 'connecting';
  }

  // ---- internals -------------------------------------------------------------------------------------------

  private endAttempt(reason: number): void {
    this.attemptTimers = [];
    this.phase = { kind: 'idle' };
    this.callbacks?.onDisconnected(reason);
  }

  private after(ms: number, fn: () => void): void {
    const id = this.timers.setTimeout(() => {
      this.attemptTimers = this.attemptTimers.filter((t) => t !== id);
      fn();
    }, ms);
    this.attemptTimers.push(id);
  }

  private post(fn: () => void): void {
    this.timers.setTimeout(fn, 0);
  }

  private cancelAttempt(): void {
    for (const t of this.attemptTimers) this.timers.clear(t);
    this.attemptTimers = [];
  }
}

/** 0 = accepted, else the disconnect reason. */
function authenticate(ap: AccessPoint, password: Uint8Array): number {
  if (OPEN_LIKE.has(ap.auth)) return 0;
  if (ENTERPRISE.has(ap.auth)) return WIFI_REASON.AUTH_FAIL; // no EAP credentials can come through this API
  if (password.length === 0 || !bytesEqual(password, new TextEncoder().encode(ap.password))) return ap.wrongPasswordReason;
  return 0;
}

function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
