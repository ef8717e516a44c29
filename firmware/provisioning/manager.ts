// The Wi-Fi provisioning manager: the state machine of IDF's wifi_prov_mgr (unified-provisioning.md §8) behind the
// prov-config / prov-scan / prov-ctrl handlers (§7), plus the endpoint table the transports consume (§1.2).
// States: IDLE → STARTED → CRED_RECV → SUCCESS | FAIL → (STOPPING) → STOPPED.
//
// Where this deliberately differs from IDF v5.5.4 (field-notes.md §2 items 1, 2, 6), unless `strictReference`:
// - After FAIL (wrong passphrase, network not found), SetConfig + ApplyConfig are accepted again in the same
//   session; IDF answers ApplyConfig with InternalError until CtrlReset, a reboot or a restart of provisioning.
// - Credentials reach NVS only after the station got an IP (IDF writes them at ApplyConfig, so a typo survives a
//   reboot). A failed attempt leaves the last good record untouched, and CtrlReset does not erase it.
// - CtrlReset in STARTED answers Success (network_provisioning >= 1.2.1) and resets the attempt counter (1.2.2).
// - A connection that neither succeeds nor fails (e.g. DHCP never answers, reasons IDF retries silently forever)
//   ends as FAIL after `connectTimeoutMs` (default 30 s, as ESPHome), so a client is never left polling forever.
// - An exhausted `wifiConnAttempts` budget with a non-auth reason reports NetworkNotFound, not a stale reason.
import { WIFI_REASON, type WifiCallbacks, type WifiStationHost } from '../host/wifi';
import type { TimerHost, TimerId } from '../host/timers';
import type { EndpointHandler, EndpointRegistry } from '../protocomm/types';
import { utf8Decode } from '../util/bytes';
import { redact, type Logger, type SecretRegistry } from '../util/log';
import { CredentialStore, printableSsid, type WifiCredentials } from './credentials';
import { EndpointTable, EP_CONFIG, EP_CTRL, EP_SCAN, type ProvEndpoint } from './endpoints';
import { WifiScanner } from './scanner';
import { createWifiConfigHandler, type FailReason, type StationStatus, type WifiConfigHandler } from './wifi-config';
import { createWifiCtrlHandler } from './wifi-ctrl';
import { createWifiScanHandler } from './wifi-scan';

export type ProvState = 'IDLE' | 'STARTED' | 'CRED_RECV' | 'SUCCESS' | 'FAIL' | 'STOPPING' | 'STOPPED';

/** wifi_prov_cb_event_t (§8.7), as names; `PROV_EVENT_ID` gives the IDF numbers. */
export type ProvEventName = 'init' | 'start' | 'set-sta-config' | 'cred-recv' | 'cred-fail' | 'cred-success' | 'end' | 'deinit';
export const PROV_EVENT_ID: Record<ProvEventName, number> = Object.freeze({
  init: 0,
  start: 1,
  'set-sta-config': 2,
  'cred-recv': 3,
  'cred-fail': 4,
  'cred-success': 5,
  end: 6,
  deinit: 7,
});

export type ProvEvent =
  | { name: 'init' | 'start' | 'end' | 'deinit' }
  /** The app may edit `config` in place before it is used (IDF passes wifi_config_t for the same purpose). */
  | { name: 'set-sta-config'; config: WifiCredentials }
  | { name: 'cred-recv'; ssid: Uint8Array }
  | { name: 'cred-fail'; reason: FailReason; wifiReason: number }
  /** persisted = false: the station works but the record could not be written (the app may retry or warn). */
  | { name: 'cred-success'; ssid: Uint8Array; ip: string; persisted: boolean };

/** What the manager asks of a transport (firmware/transport BleTransport, ProtocommHttpd, ProtocommConsole all
 * fit: they take their endpoint list at construction, see ProvisioningManager.bleEndpoints()). */
export interface ProvisioningTransport {
  start(endpoints: readonly ProvEndpoint[]): unknown;
  stop(): void;
}

/** The protocomm instance: where request endpoints attach; cleanup() (if present) wipes session keys on stop. */
export type ProvisioningRegistry = EndpointRegistry & { cleanup?(): void };

export interface ProvisioningManagerOptions {
  wifi: WifiStationHost;
  timers: TimerHost;
  log: Logger;
  credentials: CredentialStore;
  /** Where the request endpoints are attached (the protocomm instance). May also be given to start(). */
  registry?: ProvisioningRegistry;
  transport?: ProvisioningTransport;
  /** Wi-Fi mode while connecting: 'apsta' for SoftAP provisioning, 'sta' otherwise (§8.3). */
  wifiMode?: 'sta' | 'apsta';
  /** Call wifi.start(manager.wifiEvents) on the first start(). Off when the boot flow owns the station and
   * forwards events to `wifiEvents` itself. Default true. */
  startStation?: boolean;
  /** wifi_conn_attempts: 0 = retry forever on non-auth reasons (IDF default); N > 0 = fail after N attempts. */
  wifiConnAttempts?: number;
  /** Delay between ApplyConfig and connect so the response leaves before any channel change. Default 1000. */
  connectDelayMs?: number;
  /** Auto-stop (default on). disableAutoStop() turns it off before start. */
  autoStop?: boolean;
  /** Stop delay after the first Connected GetStatus or an app stop(); min 100, default 1000. */
  cleanupDelayMs?: number;
  /** CONFIG_WIFI_PROV_AUTOSTOP_TIMEOUT: stop this long after got-IP if nobody asked GetStatus. Default 30000. */
  autoStopTimeoutMs?: number;
  /** Stop provisioning if no network was provisioned this long after start. 0 = never (default). */
  windowTimeoutMs?: number;
  /** End a connection attempt that neither succeeds nor fails. 0 = never. Default 30000 (0 when strict). */
  connectTimeoutMs?: number;
  /** Reproduce IDF v5.5.4 exactly: reject credentials after FAIL, CtrlReset in STARTED is InternalError. */
  strictReference?: boolean;
  /** Scan list cap, 1..255, default 16. */
  scanMaxEntries?: number;
  /** Advertise network_provisioning's "wifi_prov" capability as well (§10). */
  advertiseWifiProv?: boolean;
  onEvent?: (event: ProvEvent) => void;
  /** The logger's secret registry: received passphrases are added so no later line can print them. */
  secrets?: SecretRegistry;
}

export class ProvisioningError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProvisioningError';
  }
}

type WifiState = 'connecting' | 'attempt-failed' | 'connected' | 'disconnected';
type TimerKey = 'connect' | 'connectTimeout' | 'autoStop' | 'window' | 'cleanup' | 'reconnect';

/** Reason mapping of §8.4. undefined = not a credential problem (silently retried when attempts are unlimited). */
export function mapDisconnectReason(reason: number): FailReason | undefined {
  switch (reason) {
    case WIFI_REASON.AUTH_FAIL:
    case WIFI_REASON.FOURWAY_HANDSHAKE_TIMEOUT:
    case WIFI_REASON.HANDSHAKE_TIMEOUT:
    case WIFI_REASON.MIC_FAILURE:
      return 'auth-error';
    case WIFI_REASON.NO_AP_FOUND:
      return 'network-not-found';
    default:
      return undefined;
  }
}

export class ProvisioningManager {
  /** Forward the station's events here while provisioning runs (see `startStation`). */
  readonly wifiEvents: WifiCallbacks;

  private readonly wifi: WifiStationHost;
  private readonly timers: TimerHost;
  private readonly log: Logger;
  private readonly store: CredentialStore;
  private readonly transport: ProvisioningTransport | undefined;
  private registry: ProvisioningRegistry | undefined;
  private readonly table = new EndpointTable();
  private readonly opts: Required<
    Pick<
      ProvisioningManagerOptions,
      | 'wifiMode'
      | 'startStation'
      | 'wifiConnAttempts'
      | 'connectDelayMs'
      | 'autoStopTimeoutMs'
      | 'windowTimeoutMs'
      | 'connectTimeoutMs'
      | 'strictReference'
      | 'scanMaxEntries'
      | 'advertiseWifiProv'
    >
  >;
  private readonly onEvent: ((event: ProvEvent) => void) | undefined;
  private readonly secrets: SecretRegistry | undefined;
  private autoStop: boolean;
  private cleanupDelayMs: number;

  private state: ProvState = 'IDLE';
  private initialised = false;
  private stationStarted = false;
  private wifiState: WifiState = 'connecting';
  private failReason: FailReason = 'auth-error';
  private lastWifiReason = 0;
  private attempts = 0;
  /** A connect() was issued and its outcome has not arrived yet. Events outside an attempt are stale. */
  private attemptInFlight = false;
  private candidate: WifiCredentials | undefined;
  private scanner: WifiScanner | undefined;
  private configHandler: WifiConfigHandler | undefined;
  private registered: string[] = [];
  private doneCalled = false;
  private timersById: Partial<Record<TimerKey, TimerId>> = {};

  constructor(options: ProvisioningManagerOptions) {
    this.wifi = options.wifi;
    this.timers = options.timers;
    this.log = options.log;
    this.store = options.credentials;
    this.transport = options.transport;
    this.registry = options.registry;
    this.onEvent = options.onEvent;
    this.secrets = options.secrets;
    const strict = options.strictReference ?? false;
    this.opts = {
      wifiMode: options.wifiMode ?? 'sta',
      startStation: options.startStation ?? true,
      wifiConnAttempts: nonNegativeInt(options.wifiConnAttempts ?? 0, 'wifiConnAttempts'),
      connectDelayMs: nonNegativeInt(options.connectDelayMs ?? 1000, 'connectDelayMs'),
      autoStopTimeoutMs: nonNegativeInt(options.autoStopTimeoutMs ?? 30_000, 'autoStopTimeoutMs'),
      windowTimeoutMs: nonNegativeInt(options.windowTimeoutMs ?? 0, 'windowTimeoutMs'),
      connectTimeoutMs: nonNegativeInt(options.connectTimeoutMs ?? (strict ? 0 : 30_000), 'connectTimeoutMs'),
      strictReference: strict,
      scanMaxEntries: options.scanMaxEntries ?? 16,
      advertiseWifiProv: options.advertiseWifiProv ?? false,
    };
    if (this.opts.scanMaxEntries < 1 || this.opts.scanMaxEntries > 255 || !Number.isInteger(this.opts.scanMaxEntries)) {
      throw new RangeError('scanMaxEntries must be 1..255');
    }
    this.autoStop = options.autoStop ?? true;
    this.cleanupDelayMs = Math.max(100, nonNegativeInt(options.cleanupDelayMs ?? 1000, 'cleanupDelayMs'));
    this.wifiEvents = {
      onConnected: () => this.onStaConnected(),
      onGotIp: (ip) => this.onGotIp(ip),
      onLostIp: () => this.log.info('station lost its IP address'),
      onDisconnected: (reason) => this.onDisconnected(reason),
    };
  }

  // ---- Public API for the boot flow and the application ------------------------------------------------------

  get provState(): ProvState {
    return this.state;
  }

  get running(): boolean {
    return this.state !== 'IDLE' && this.state !== 'STOPPED';
  }

  /** wifi_prov_mgr_is_provisioned: a valid credential record exists. */
  isProvisioned(): boolean {
    return this.store.isProvisioned();
  }

  /** wifi_prov_mgr_reset_provisioning / factory reset: erases the stored credentials (one atomic NVS erase).
   * Throws CredentialsError if the erase fails. */
  resetProvisioning(): void {
    this.store.clear();
  }

  /** wifi_prov_mgr_init: emits INIT once. start() calls it if the app did not. */
  init(): void {
    if (this.initialised) return;
    this.initialised = true;
    this.emit({ name: 'init' });
  }

  /** wifi_prov_mgr_deinit: stops at once if running, then emits DEINIT. */
  deinit(): void {
    if (this.running) this.stopNow();
    if (!this.initialised) return;
    this.initialised = false;
    this.emit({ name: 'deinit' });
  }

  /** wifi_prov_mgr_endpoint_create: reserves a custom endpoint (and its BLE id 0xFF54+) before start. */
  createEndpoint(name: string): ProvEndpoint {
    if (this.running) throw new ProvisioningError('custom endpoints must be created before start()');
    return this.table.create(name);
  }

  /** wifi_prov_mgr_endpoint_register: attaches a handler to a created endpoint after start. */
  registerEndpoint(name: string, handler: EndpointHandler): void {
    if (!this.running || this.state === 'STOPPING') throw new ProvisioningError('registerEndpoint needs a running provisioning service');
    if (!this.table.isCustom(name)) throw new ProvisioningError(`endpoint "${name}" was not created with createEndpoint()`);
    this.requireRegistry().addEndpoint(name, handler);
    if (!this.registered.includes(name)) this.registered.push(name);
  }

  unregisterEndpoint(name: string): void {
    if (!this.table.isCustom(name) || !this.registered.includes(name)) return;
    this.registry?.removeEndpoint(name);
    this.registered = this.registered.filter((n) => n !== name);
  }

  /** The ordered endpoint list with BLE ids that the transports build their tables from. */
  endpoints(): readonly ProvEndpoint[] {
    return this.table.list();
  }

  /** The same list in the shape firmware/transport/ble.ts takes ({name, id}). */
  bleEndpoints(): { name: string; id: number }[] {
    return this.table.list().map((e) => ({ name: e.name, id: e.bleId }));
  }

  /** Custom endpoint names in creation order. */
  customEndpointNames(): string[] {
    return this.table.customNames();
  }

  /** Capability strings for proto-ver "prov.cap" after the security ones (no_sec / no_pop) (§6.2). */
  capabilities(): string[] {
    return this.opts.advertiseWifiProv ? ['wifi_prov', 'wifi_scan'] : ['wifi_scan'];
  }

  /** The capability flags in the shape of firmware/protocomm/version.ts ProtoVersionOptions. */
  protoVersionFlags(): { wifiScan: boolean; wifiProv: boolean } {
    return { wifiScan: true, wifiProv: this.opts.advertiseWifiProv };
  }

  /** wifi_prov_mgr_disable_auto_stop: no automatic stop; the app calls stop(), which waits `cleanupDelayMs`. */
  disableAutoStop(cleanupDelayMs: number): void {
    if (this.running) throw new ProvisioningError('disableAutoStop must be called before start()');
    this.autoStop = false;
    this.cleanupDelayMs = Math.max(100, nonNegativeInt(cleanupDelayMs, 'cleanupDelayMs'));
  }

  /** wifi_prov_mgr_start_provisioning (§8.2): registers prov-config/scan/ctrl, starts the transport, STARTED. */
  start(registry?: ProvisioningRegistry): void {
    if (this.running) throw new ProvisioningError(`provisioning already running (${this.state})`);
    if (registry) this.registry = registry;
    const reg = this.requireRegistry();
    this.init();
    if (this.opts.startStation && !this.stationStarted) {
      this.wifi.start(this.wifiEvents);
      this.stationStarted = true;
    }
    // IDF clears the STA config in RAM only and disconnects; the stored record survives an abandoned session.
    this.wifi.disconnect();
    // SoftAP provisioning runs the AP beside the station for the whole session (scheme_softap sets APSTA).
    if (this.opts.wifiMode === 'apsta') this.wifi.setMode('apsta');
    this.resetRunState();
    this.doneCalled = false;
    this.scanner = new WifiScanner({ wifi: this.wifi, timers: this.timers, log: this.log, maxEntries: this.opts.scanMaxEntries });
    this.configHandler = createWifiConfigHandler(
      {
        getStatus: () => this.stationStatus(),
        connectedReported: () => this.done(),
        applyConfig: (c) => this.configureSta(c),
      },
      this.log,
    );
    reg.addEndpoint(EP_CONFIG, this.configHandler.handler);
    reg.addEndpoint(EP_SCAN, createWifiScanHandler(this.scanner, this.log));
    reg.addEndpoint(EP_CTRL, createWifiCtrlHandler({ reset: () => this.ctrlReset(), reprov: () => this.ctrlReprov() }, this.log));
    this.registered = [EP_CONFIG, EP_SCAN, EP_CTRL];
    this.transport?.start(this.endpoints());
    this.state = 'STARTED';
    this.armWindowTimer();
    this.log.info('provisioning started');
    this.emit({ name: 'start' });
  }

  /** wifi_prov_mgr_stop_provisioning: stops after the cleanup delay so a last response can leave. */
  stop(): void {
    if (!this.running || this.state === 'STOPPING') return;
    this.state = 'STOPPING';
    this.cancelTimer('autoStop');
    this.cancelTimer('window');
    this.timersById.cleanup = this.timers.setTimeout(() => {
      this.timersById.cleanup = undefined;
      this.finishStop();
    }, this.cleanupDelayMs);
  }

  /** Stops at once (reboot paths, deinit, provisioning-window expiry). */
  stopNow(): void {
    if (!this.running) return;
    this.finishStop();
  }

  // ---- prov-config / prov-ctrl semantics ----------------------------------------------------------------------

  private stationStatus(): StationStatus {
    switch (this.wifiState) {
      case 'connected': {
        const info = this.wifi.stationInfo();
        if (!info) return { state: 'connecting' };
        return { state: 'connected', ip: info.ip, auth: info.auth, ssid: info.ssid, bssid: info.bssid, channel: info.channel };
      }
      case 'attempt-failed':
        return { state: 'attempt-failed', attemptsRemaining: Math.max(0, this.opts.wifiConnAttempts - this.attempts) };
      case 'disconnected':
        return { state: 'failed', reason: this.failReason };
      default:
        return { state: 'connecting' };
    }
  }

  /** configure_sta (§8.3). */
  private configureSta(received: WifiCredentials): boolean {
    const config: WifiCredentials = { ssid: new Uint8Array(received.ssid), password: new Uint8Array(received.password) };
    this.emit({ name: 'set-sta-config', config }); // emitted even when the apply is about to be rejected
    const retryAfterFail = this.state === 'FAIL' && !this.opts.strictReference;
    if (this.state !== 'STARTED' && !retryAfterFail) {
      this.log.warn(`ApplyConfig rejected in state ${this.state}`);
      config.password.fill(0);
      return false;
    }
    if (config.ssid.length < 1 || config.ssid.length > 32 || config.password.length > 63) {
      this.log.warn('ApplyConfig rejected: the set-sta-config callback produced an invalid configuration');
      return false;
    }
    this.wifi.setMode(this.opts.wifiMode);
    this.wipeCandidate();
    this.candidate = config;
    this.secrets?.add(utf8Decode(config.password));
    this.resetRunState();
    this.state = 'CRED_RECV';
    this.log.info(
      `credentials received for SSID "${printableSsid(config.ssid)}" (passphrase ${redact(config.password)}); connecting in ${this.opts.connectDelayMs} ms`,
    );
    // The 1 s delay lets the ApplyConfig response reach the client before the radio may change channel.
    this.timersById.connect = this.timers.setTimeout(() => {
      this.timersById.connect = undefined;
      if (this.state !== 'CRED_RECV') return;
      if (this.opts.connectTimeoutMs > 0) {
        this.timersById.connectTimeout = this.timers.setTimeout(() => this.onConnectTimeout(), this.opts.connectTimeoutMs);
      }
      this.connectCandidate();
    }, this.opts.connectDelayMs);
    this.emit({ name: 'cred-recv', ssid: new Uint8Array(config.ssid) });
    return true;
  }

  /** wifi_prov_mgr_reset_sm_state_on_failure (§7.3). */
  private ctrlReset(): boolean {
    if (this.state === 'STARTED') {
      if (this.opts.strictReference) return false;
      this.attempts = 0; // IEC 1.2.1 / 1.2.2
      return true;
    }
    if (this.state !== 'FAIL') {
      this.log.warn(`CtrlReset refused in state ${this.state}`);
      return false;
    }
    // IDF also erases the stored STA config here because it wrote the failed one at ApplyConfig; we never wrote
    // it, so the last good record stays (the device still boots onto its previous network).
    this.wipeCandidate();
    this.resetRunState();
    this.state = 'STARTED';
    this.log.info('provisioning state reset after failure; new credentials accepted');
    return true;
  }

  /** wifi_prov_mgr_reset_sm_state_for_reprovision (§7.3): only with auto-stop disabled. */
  private ctrlReprov(): boolean {
    if (this.autoStop) {
      this.log.warn('CtrlReprov refused: auto-stop is enabled');
      return false;
    }
    if (this.state === 'STOPPING') return false;
    this.attemptInFlight = false;
    this.wifi.disconnect();
    this.wipeCandidate();
    this.resetRunState();
    this.doneCalled = false;
    this.state = 'STARTED';
    this.armWindowTimer();
    this.log.info('re-provisioning requested');
    this.emit({ name: 'start' });
    return true;
  }

  /** wifi_prov_mgr_done: the first Connected GetStatus. */
  private done(): void {
    if (this.doneCalled) return;
    this.doneCalled = true;
    if (this.autoStop) this.stop();
  }

  // ---- Wi-Fi events (only in state >= CRED_RECV, §8.4) -------------------------------------------------------

  private connectCandidate(): void {
    if (!this.candidate) return;
    this.attemptInFlight = true;
    try {
      this.wifi.connect({ ssid: this.candidate.ssid, password: this.candidate.password });
    } catch (e) {
      // A driver refusing the attempt is treated like a disconnect with an unspecified reason.
      this.log.warn(`connect failed to start: ${e instanceof Error ? e.message : String(e)}`);
      this.attemptInFlight = false;
      this.timersById.reconnect = this.timers.setTimeout(() => {
        this.timersById.reconnect = undefined;
        if (this.state === 'CRED_RECV') this.connectCandidate();
      }, 1000);
    }
  }

  private onStaConnected(): void {
    if (this.state === 'CRED_RECV' && this.attemptInFlight) this.log.info('associated; waiting for an IP address');
  }

  private onGotIp(ip: string): void {
    if (this.state === 'SUCCESS') {
      this.wifiState = 'connected';
      return;
    }
    if (this.state !== 'CRED_RECV' || !this.attemptInFlight || !this.candidate) return;
    this.attemptInFlight = false;
    this.cancelTimer('connectTimeout');
    this.cancelTimer('window');
    this.wifiState = 'connected';
    this.state = 'SUCCESS';
    this.log.info(`connected, IP ${ip}`);
    // Only now are the credentials known good: commit them (one atomic record, read back).
    let persisted = true;
    try {
      this.store.save(this.candidate);
    } catch (e) {
      persisted = false;
      this.log.error(`could not persist Wi-Fi credentials: ${e instanceof Error ? e.message : String(e)}`);
    }
    if (this.autoStop && this.opts.autoStopTimeoutMs > 0) {
      this.timersById.autoStop = this.timers.setTimeout(() => {
        this.timersById.autoStop = undefined;
        this.log.info('auto-stop timeout after got-IP');
        this.stop();
      }, this.opts.autoStopTimeoutMs);
    }
    this.emit({ name: 'cred-success', ssid: new Uint8Array(this.candidate.ssid), ip, persisted });
  }

  private onDisconnected(reason: number): void {
    if (this.state === 'SUCCESS') {
      // The provisioned network dropped while the session still runs (e.g. during or-cfg): keep reconnecting.
      this.wifiState = 'connecting';
      if (this.candidate && this.timersById.reconnect === undefined) {
        this.timersById.reconnect = this.timers.setTimeout(() => {
          this.timersById.reconnect = undefined;
          if (this.state !== 'SUCCESS' || !this.candidate) return;
          try {
            this.wifi.connect({ ssid: this.candidate.ssid, password: this.candidate.password });
          } catch (e) {
            this.log.warn(`reconnect failed to start: ${e instanceof Error ? e.message : String(e)}`);
          }
        }, 1000);
      }
      return;
    }
    if (this.state !== 'CRED_RECV' || !this.attemptInFlight) return; // stale (our own disconnect, or before apply)
    this.attemptInFlight = false;
    this.lastWifiReason = reason;
    const mapped = mapDisconnectReason(reason);
    const limit = this.opts.wifiConnAttempts;
    this.log.warn(`connection attempt failed, reason ${reason}${mapped ? ` (${mapped})` : ''}`);
    if (limit > 0) {
      this.attempts++;
      if (this.attempts < limit) {
        this.wifiState = 'attempt-failed';
        this.connectCandidate();
        return;
      }
      return this.fail(mapped ?? 'network-not-found', reason);
    }
    if (mapped) return this.fail(mapped, reason);
    this.wifiState = 'connecting'; // IDF: not a credential problem, retry silently
    this.connectCandidate();
  }

  private onConnectTimeout(): void {
    this.timersById.connectTimeout = undefined;
    if (this.state !== 'CRED_RECV') return;
    this.log.warn(`no IP after ${this.opts.connectTimeoutMs} ms; giving up on these credentials`);
    this.attemptInFlight = false;
    this.wifi.disconnect();
    this.fail(mapDisconnectReason(this.lastWifiReason) ?? 'network-not-found', this.lastWifiReason);
  }

  private fail(reason: FailReason, wifiReason: number): void {
    this.cancelTimer('connectTimeout');
    this.cancelTimer('connect');
    this.cancelTimer('reconnect');
    this.wifiState = 'disconnected';
    this.failReason = reason;
    this.state = 'FAIL';
    this.log.warn(
      `provisioning attempt failed: ${reason}${this.opts.strictReference ? '' : '; new credentials may be sent in this session'}`,
    );
    this.emit({ name: 'cred-fail', reason, wifiReason });
  }

  // ---- internals ---------------------------------------------------------------------------------------------

  private finishStop(): void {
    for (const k of Object.keys(this.timersById) as TimerKey[]) this.cancelTimer(k);
    this.scanner?.cancel();
    this.configHandler?.discardPending();
    for (const name of this.registered) this.registry?.removeEndpoint(name);
    this.registered = [];
    try {
      this.registry?.cleanup?.(); // session keys die with the service (§8.6)
    } catch (e) {
      this.log.error(`protocomm cleanup failed: ${e instanceof Error ? e.message : String(e)}`);
    }
    try {
      this.transport?.stop();
    } catch (e) {
      this.log.error(`transport stop failed: ${e instanceof Error ? e.message : String(e)}`);
    }
    if (this.wifiState !== 'connected' && this.attemptInFlight) this.wifi.disconnect(); // abandon an unfinished attempt
    this.attemptInFlight = false;
    this.wifi.setMode('sta');
    this.wipeCandidate();
    this.scanner = undefined;
    this.configHandler = undefined;
    this.state = 'STOPPED';
    this.log.info('provisioning stopped');
    this.emit({ name: 'end' });
  }

  private resetRunState(): void {
    for (const k of ['connect', 'connectTimeout', 'reconnect', 'autoStop'] as const) this.cancelTimer(k);
    this.wifiState = 'connecting'; // IDF's zeroed context reads as Connecting before any ApplyConfig
    this.failReason = 'auth-error';
    this.lastWifiReason = 0;
    this.attempts = 0;
    this.attemptInFlight = false;
  }

  private armWindowTimer(): void {
    this.cancelTimer('window');
    if (this.opts.windowTimeoutMs <= 0) return;
    this.timersById.window = this.timers.setTimeout(() => {
      this.timersById.window = undefined;
      if (this.state === 'SUCCESS' || !this.running) return;
      this.log.warn(`provisioning window of ${this.opts.windowTimeoutMs} ms expired`);
      this.stopNow();
    }, this.opts.windowTimeoutMs);
  }

  private wipeCandidate(): void {
    this.candidate?.password.fill(0);
    this.candidate = undefined;
  }

  private cancelTimer(key: TimerKey): void {
    const id = this.timersById[key];
    if (id !== undefined) this.timers.clear(id);
    this.timersById[key] = undefined;
  }

  private requireRegistry(): ProvisioningRegistry {
    if (!this.registry) throw new ProvisioningError('no endpoint registry (protocomm) given');
    return this.registry;
  }

  private emit(event: ProvEvent): void {
    if (!this.onEvent) return;
    try {
      this.onEvent(event);
    } catch (e) {
      this.log.error(`event callback for ${event.name} threw: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
}

function nonNegativeInt(value: number, name: string): number {
  if (!Number.isInteger(value) || value < 0) throw new RangeError(`${name} must be a non-negative integer`);
  return value;
}
