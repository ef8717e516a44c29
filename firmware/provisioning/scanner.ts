// Wi-Fi scan for provisioning (IDF wifi_prov_mgr_wifi_scan_start and its SCAN_DONE handling;
// unified-provisioning.md §7.2): one all-channel pass, or channel by channel with a 120 ms pause after every
// `group_channels` channels (keeps a SoftAP usable). Results are kept sorted by descending RSSI, capped at
// `maxEntries` (CONFIG_WIFI_PROV_SCAN_MAX_ENTRIES, default 16), with auth clamped to 0..7.
import type { TimerHost, TimerId } from '../host/timers';
import type { WifiScanRecord, WifiStationHost } from '../host/wifi';
import { equal } from '../util/bytes';
import type { Logger } from '../util/log';
import { clampAuthMode } from './auth-mode';

export interface ScanParams {
  passive: boolean;
  /** 0 = all channels in one pass; n = scan channels one at a time, pausing after every n. */
  groupChannels: number;
  /** Dwell per channel in ms; 0 = the driver default. */
  periodMs: number;
}

export interface ScanEntry {
  ssid: Uint8Array; // empty for a hidden network
  bssid: Uint8Array;
  channel: number;
  rssi: number;
  auth: number; // already clamped to 0..7
}

export interface ScannerOptions {
  wifi: WifiStationHost;
  timers: TimerHost;
  log: Logger;
  /** 1..255, default 16. */
  maxEntries?: number;
  /** Highest channel of the per-channel walk; IDF walks 1..14. */
  lastChannel?: number;
  /** Pause after each channel group, IDF's 120 ms. */
  groupPauseMs?: number;
}

export const DEFAULT_SCAN_MAX_ENTRIES = 16;

export class WifiScanner {
  readonly maxEntries: number;
  private readonly wifi: WifiStationHost;
  private readonly timers: TimerHost;
  private readonly log: Logger;
  private readonly lastChannel: number;
  private readonly groupPauseMs: number;
  private entries: ScanEntry[] = [];
  private running = false;
  /** IDF reports "finished" whenever no scan is running, including before the first one. */
  private finishedFlag = true;
  private failedFlag = false;
  private generation = 0;
  private pauseTimer: TimerId | undefined;
  private waiters: Array<(ok: boolean) => void> = [];

  constructor(options: ScannerOptions) {
    const max = options.maxEntries ?? DEFAULT_SCAN_MAX_ENTRIES;
    if (!Number.isInteger(max) || max < 1 || max > 255) throw new RangeError('scan maxEntries must be 1..255');
    this.maxEntries = max;
    this.wifi = options.wifi;
    this.timers = options.timers;
    this.log = options.log;
    this.lastChannel = options.lastChannel ?? 14;
    this.groupPauseMs = options.groupPauseMs ?? 120;
  }

  get finished(): boolean {
    return this.finishedFlag;
  }
  /** The last scan ended with a driver error (reported as an error status, never as an empty list). */
  get failed(): boolean {
    return this.failedFlag;
  }
  get count(): number {
    return this.entries.length;
  }
  entry(index: number): ScanEntry | undefined {
    return this.entries[index];
  }

  /** Starts a scan; `onDone(ok)` runs when it ends. A scan already running is joined, not restarted (§7.2).
   * Returns false if the driver refused to start (onDone is then not called). */
  start(params: ScanParams, onDone?: (ok: boolean) => void): boolean {
    if (this.running) {
      if (onDone) this.waiters.push(onDone);
      return true;
    }
    this.generation++;
    this.entries = [];
    this.running = true;
    this.finishedFlag = false;
    this.failedFlag = false;
    if (onDone) this.waiters.push(onDone);
    const group = Math.max(0, Math.floor(params.groupChannels));
    const started = group === 0 ? this.scanPass(params, undefined, () => this.finish(true)) : this.scanChannel(params, group, 1);
    if (!started) {
      // Nothing was scanned: the caller answers at once; do not also call the waiters later.
      this.waiters = [];
      this.running = false;
      this.finishedFlag = true;
      this.failedFlag = true;
    }
    return started;
  }

  /** Abandons a running scan (provisioning stopping); waiting callers get ok = false. */
  cancel(): void {
    if (!this.running) return;
    this.generation++;
    if (this.pauseTimer !== undefined) this.timers.clear(this.pauseTimer);
    this.pauseTimer = undefined;
    this.finish(false);
  }

  private scanChannel(params: ScanParams, group: number, channel: number): boolean {
    const gen = this.generation;
    return this.scanPass(params, channel, () => {
      if (gen !== this.generation) return;
      if (channel >= this.lastChannel) return this.finish(true);
      const next = (): void => {
        this.pauseTimer = undefined;
        if (gen !== this.generation) return;
        if (!this.scanChannel(params, group, channel + 1)) this.finish(false);
      };
      if (channel % group === 0) this.pauseTimer = this.timers.setTimeout(next, this.groupPauseMs);
      else next();
    });
  }

  /** One driver scan (all channels or one); calls `then` after merging its records. */
  private scanPass(params: ScanParams, channel: number | undefined, then: () => void): boolean {
    const gen = this.generation;
    try {
      this.wifi.scan(
        { passive: params.passive, dwellMsPerChannel: Math.max(0, Math.floor(params.periodMs)), channel, showHidden: true },
        (records, error) => {
          if (gen !== this.generation) return;
          if (error !== undefined || records === undefined) {
            this.log.warn(`Wi-Fi scan failed: ${error ?? 'no records'}`);
            this.finish(false);
            return;
          }
          this.merge(records);
          then();
        },
      );
      return true;
    } catch (e) {
      this.log.warn(`Wi-Fi scan could not start: ${e instanceof Error ? e.message : String(e)}`);
      return false;
    }
  }

  private merge(records: WifiScanRecord[]): void {
    for (const r of records) {
      const entry: ScanEntry = {
        ssid: new Uint8Array(r.ssid.subarray(0, 32)),
        bssid: new Uint8Array(r.bssid.subarray(0, 6)),
        channel: r.channel,
        rssi: r.rssi,
        auth: clampAuthMode(r.auth),
      };
      // One AP heard twice (e.g. on neighbouring channels in per-channel mode) is listed once, strongest signal.
      const dup = this.entries.findIndex((e) => equal(e.bssid, entry.bssid));
      if (dup >= 0) {
        if (this.entries[dup].rssi >= entry.rssi) continue;
        this.entries.splice(dup, 1);
      }
      // Insert after all entries with RSSI >= ours: descending RSSI, stable for equal values.
      let at = this.entries.length;
      while (at > 0 && this.entries[at - 1].rssi < entry.rssi) at--;
      if (at >= this.maxEntries) continue;
      this.entries.splice(at, 0, entry);
      if (this.entries.length > this.maxEntries) this.entries.length = this.maxEntries;
    }
  }

  private finish(ok: boolean): void {
    if (!this.running) return;
    this.running = false;
    this.finishedFlag = true;
    this.failedFlag = !ok;
    if (!ok) this.entries = [];
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w(ok);
  }
}
