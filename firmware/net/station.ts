// Keeps a provisioned device on its Wi-Fi network: connects with the stored credentials and reconnects after every
// drop with exponential backoff and full jitter (first retry <= firstRetryMs, capped at maxRetryMs), so a fleet
// that lost its access point does not hammer it in lock-step when it returns (field-notes.md §2 item 9).
import type { CryptoHost } from '../host/crypto';
import type { TimerHost, TimerId } from '../host/timers';
import type { WifiCallbacks, WifiStationHost } from '../host/wifi';
import type { WifiCredentials } from '../provisioning/credentials';
import type { Logger } from '../util/log';

export type StationState = 'idle' | 'connecting' | 'online' | 'backing-off';

export interface StationOptions {
  wifi: WifiStationHost;
  timers: TimerHost;
  crypto: CryptoHost;
  log: Logger;
  firstRetryMs?: number;
  maxRetryMs?: number;
  onOnline?: (ip: string) => void;
  onOffline?: (reason: number) => void;
}

export class StationController {
  readonly events: WifiCallbacks;
  private state: StationState = 'idle';
  private credentials: WifiCredentials | undefined;
  private attempt = 0;
  private retryTimer: TimerId | undefined;
  private readonly firstRetryMs: number;
  private readonly maxRetryMs: number;

  constructor(private readonly options: StationOptions) {
    this.firstRetryMs = options.firstRetryMs ?? 1000;
    this.maxRetryMs = options.maxRetryMs ?? 60_000;
    this.events = {
      onConnected: () => {},
      onGotIp: (ip) => this.onGotIp(ip),
      onLostIp: () => this.onDisconnected(0),
      onDisconnected: (reason) => this.onDisconnected(reason),
    };
  }

  get status(): StationState {
    return this.state;
  }

  start(credentials: WifiCredentials): void {
    this.stop();
    this.credentials = credentials;
    this.attempt = 0;
    this.connect();
  }

  /** Takes over a link that is already up (provisioning just connected it) so later drops reconnect. */
  adopt(credentials: WifiCredentials, ip: string): void {
    this.stop();
    this.credentials = credentials;
    this.attempt = 0;
    this.state = 'connecting';
    this.onGotIp(ip);
  }

  stop(): void {
    if (this.retryTimer !== undefined) this.options.timers.clear(this.retryTimer);
    this.retryTimer = undefined;
    if (this.state !== 'idle') this.options.wifi.disconnect();
    this.state = 'idle';
    this.credentials = undefined;
  }

  private connect(): void {
    if (!this.credentials) return;
    this.state = 'connecting';
    this.options.wifi.connect({ ssid: this.credentials.ssid, password: this.credentials.password });
  }

  private onGotIp(ip: string): void {
    if (this.state === 'idle') return;
    this.state = 'online';
    this.attempt = 0;
    this.options.log.info(`station online, ip ${ip}`);
    this.options.onOnline?.(ip);
  }

  private onDisconnected(reason: number): void {
    if (this.state === 'idle' || this.state === 'backing-off') return;
    const wasOnline = this.state === 'online';
    this.state = 'backing-off';
    if (wasOnline) this.options.onOffline?.(reason);
    const ceiling = Math.min(this.maxRetryMs, this.firstRetryMs * 2 ** Math.min(this.attempt, 16));
    this.attempt++;
    const delay = Math.floor(ceiling * this.unitRandom());
    this.options.log.warn(`station disconnected (reason ${reason}); retry ${this.attempt} in ${delay} ms`);
    this.retryTimer = this.options.timers.setTimeout(() => {
      this.retryTimer = undefined;
      this.connect();
    }, delay);
  }

  /** Uniform in [0, 1) from the host RNG (full jitter). */
  private unitRandom(): number {
    const b = this.options.crypto.randomBytes(4);
    return (((b[0] << 24) | (b[1] << 16) | (b[2] << 8) | b[3]) >>> 0) / 4294967296;
  }
}
