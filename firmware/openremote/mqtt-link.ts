// BackendLink over firmware/mqtt/client.ts: one MqttClient per OpenRemote config (openremote.md §4.2–4.3:
// client id = user, username = realm:user, password = secret), subscribed to the device's attribute values, and the
// status the or-cfg channel reports (§1.5 [I]):
// - CONNECTED only after CONNACK 0 AND every subscription acknowledged (a refused subscription means the service
//   user is not linked to the asset: FAILED "subscribe_refused", §3.3);
// - FAILED only for definite failures, so the newer apps that stop polling at FAILED (§7 item 5) never stop on a
//   hiccup: TLS verification failures (unknown CA, name mismatch, expired) at once; authentication refused
//   `authRefusalsBeforeFailed` times over at least `authGraceMs` (the service user was created seconds ago, §1.5);
//   a name that keeps not resolving, a broker that keeps refusing or not answering, a TLS handshake that keeps
//   failing, or refused logins, once they persisted `definiteAfterMs` without the link ever getting online, so the
//   answer comes inside the app's 60 s window instead of its timeout (error 600).
// The client keeps retrying in the background either way, and a later success still reports CONNECTED.
import type { SecretRegistry } from '../util/log';
import { MqttClient, type IncomingMessage, type MqttClientConfig, type MqttClientDeps } from '../mqtt/client';
import type { LinkState } from '../mqtt/link-state';
import type { BackendLink, BackendLinkState } from './backend-link';
import type { OpenRemoteConfig } from './config';
import { attributeValueFilter, backendStatus, mqttConfigFor } from './mqtt-api';

export interface MqttLinkPolicy {
  /** CONNACK 4/5 in a row before FAILED. Default 3. */
  authRefusalsBeforeFailed: number;
  /** ...and not before this long after start(): the refusals must span a few seconds, so a user that Keycloak
   * makes usable a moment after /rest/device returned is not reported as a wrong password. Default 10000. */
  authGraceMs: number;
  /** A persisting DNS / TCP / connect-timeout / auth failure with the link never online since start() becomes
   * FAILED after this long. Default 40000 (inside the app's 60 s, with room for one more poll round). */
  definiteAfterMs: number;
}

export const DEFAULT_MQTT_LINK_POLICY: MqttLinkPolicy = Object.freeze({ authRefusalsBeforeFailed: 3, authGraceMs: 10_000, definiteAfterMs: 40_000 });

export interface MqttBackendLinkOptions {
  deps: MqttClientDeps;
  /** Trust anchors for mqtts:// (the product's CA bundle; Let's Encrypt for the standard stack, §4.1). */
  ca: string[];
  /** The MQTT password is registered here before the client exists. */
  secrets: SecretRegistry;
  policy?: Partial<MqttLinkPolicy>;
  /** Extra MqttClientConfig fields (keep-alive, backoff, timeouts) for every client. */
  client?: Partial<Omit<MqttClientConfig, 'url' | 'clientId' | 'username' | 'password' | 'tls'>>;
  /** Subscribe to every attribute value of the device's asset (`attributevalue/+/<asset>`, §4.5). Default true. */
  subscribeAttributeValues?: boolean;
  onMessage?: (message: IncomingMessage) => void;
  /** The client of the current config, for the application (publishing); undefined after stop(). */
  onClient?: (client: MqttClient | undefined, config: OpenRemoteConfig | undefined) => void;
}

type SubState = 'pending' | 'granted' | 'refused';

export class MqttBackendLink implements BackendLink {
  private readonly policy: MqttLinkPolicy;
  private client: MqttClient | undefined;
  private configError: string | undefined;
  private startedAtMs = 0;
  private everOnline = false;
  private subs = new Map<string, SubState>();
  private readonly listeners: ((state: BackendLinkState) => void)[] = [];
  private lastNotified = '';

  constructor(private readonly options: MqttBackendLinkOptions) {
    this.policy = { ...DEFAULT_MQTT_LINK_POLICY, ...options.policy };
  }

  get mqttClient(): MqttClient | undefined {
    return this.client;
  }

  start(config: OpenRemoteConfig): void {
    this.stop();
    this.options.secrets.add(config.mqttPassword);
    this.configError = undefined;
    this.everOnline = false;
    this.startedAtMs = this.options.deps.clock.monotonicMs();
    const base = mqttConfigFor(config, { ca: this.options.ca.slice() });
    if (typeof base === 'string') return this.refuse(base);
    const subscribe = this.options.subscribeAttributeValues !== false;
    const filter = subscribe ? attributeValueFilter({ realm: config.realm, clientId: config.user, assetId: config.assetId }) : undefined;
    if (filter && !filter.ok) return this.refuse(filter.error);
    let client: MqttClient;
    try {
      client = new MqttClient(this.options.deps, { ...this.options.client, ...base }, {
        onLinkState: (state) => this.onLinkState(client, state),
        onSubscription: (topicFilter, result) => {
          if (this.client !== client || !this.subs.has(topicFilter)) return;
          this.subs.set(topicFilter, 'failed' in result ? 'refused' : 'granted');
          this.changed();
        },
        onMessage: (m) => this.options.onMessage?.(m),
      });
    } catch (e) {
      return this.refuse(e instanceof Error ? e.message : String(e));
    }
    this.client = client;
    this.subs = new Map();
    if (filter && filter.ok) {
      this.subs.set(filter.topic, 'pending');
      client.subscribe(filter.topic, 0);
    }
    this.options.onClient?.(client, config);
    client.start();
  }

  stop(): void {
    const client = this.client;
    this.client = undefined;
    this.configError = undefined;
    this.subs = new Map();
    if (client) {
      client.stop();
      this.options.onClient?.(undefined, undefined);
      this.changed();
    }
  }

  state(): BackendLinkState {
    if (this.configError !== undefined) return { status: 'FAILED', reason: 'config_invalid' };
    if (!this.client) return { status: 'DISCONNECTED', reason: 'idle' };
    return this.classify(this.client.linkState);
  }

  onChange(listener: (state: BackendLinkState) => void): void {
    this.listeners.push(listener);
  }

  /** The status rules of the header comment, from the client's link state. */
  private classify(link: LinkState): BackendLinkState {
    if (link.phase === 'online') {
      let pending = false;
      for (const s of this.subs.values()) {
        if (s === 'refused') return { status: 'FAILED', reason: 'subscribe_refused' };
        if (s === 'pending') pending = true;
      }
      return pending ? { status: 'CONNECTING', reason: 'subscribing' } : { status: 'CONNECTED', reason: 'online' };
    }
    const reason = reasonToken(link);
    let status = backendStatus(link, { authRefusalsBeforeFailed: this.policy.authRefusalsBeforeFailed });
    const f = link.lastFailure;
    const elapsed = this.options.deps.clock.monotonicMs() - this.startedAtMs;
    if (status === 'FAILED' && f?.reason === 'AUTH_REFUSED' && elapsed < this.policy.authGraceMs) status = 'CONNECTING';
    if (status === 'CONNECTING' && f && !this.everOnline) {
      // TLS here is a handshake failure other than verification (alert, version, cipher): it does not fix itself.
      const persisting = f.reason === 'DNS' || f.reason === 'TCP' || f.reason === 'CONNECT_TIMEOUT' || f.reason === 'AUTH_REFUSED' || f.reason === 'TLS';
      if (persisting && elapsed >= this.policy.definiteAfterMs) status = 'FAILED';
    }
    return { status, reason };
  }

  private onLinkState(client: MqttClient, state: LinkState): void {
    if (this.client !== client && this.client !== undefined) return;
    if (state.phase === 'online') {
      this.everOnline = true;
      // Clean session: every CONNACK is followed by a fresh SUBSCRIBE, so the acknowledgements start over.
      for (const k of this.subs.keys()) this.subs.set(k, 'pending');
    }
    this.changed();
  }

  private refuse(error: string): void {
    // checkOpenRemoteConfig already enforces everything mqttConfigFor checks; reaching this is a rule mismatch.
    this.configError = error;
    this.options.deps.logger.error(`OpenRemote config unusable for MQTT: ${error}`);
    this.changed();
  }

  /** Notifies listeners when the reported (status, reason) pair changed. */
  private changed(): void {
    const state = this.state();
    const key = `${state.status}:${state.reason}`;
    if (key === this.lastNotified) return;
    this.lastNotified = key;
    for (const l of this.listeners) {
      try {
        l(state);
      } catch (e) {
        this.options.deps.logger.error(`link state listener threw: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
  }
}

/** The precise reason as a short token (proto-ver label, logs): the phase until something failed, then the last
 * failure (it stays the most useful answer to "why is it not online" while the retries run). */
export function reasonToken(link: LinkState): string {
  if (link.phase === 'stopped') return 'idle';
  if (link.phase === 'online') return 'online';
  const f = link.lastFailure;
  if (!f) return link.phase === 'mqtt-connecting' ? 'mqtt_connecting' : 'connecting';
  switch (f.reason) {
    case 'TLS':
      return f.socketError ? f.socketError.toLowerCase() : 'tls';
    case 'TCP':
      return f.socketError === 'UNREACHABLE' ? 'tcp_unreachable' : 'tcp_refused';
    case 'CONNACK_REFUSED':
      return `connack_${f.connackCode ?? 'x'}`;
    default:
      return f.reason.toLowerCase();
  }
}
