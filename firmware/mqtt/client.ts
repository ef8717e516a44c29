// MQTT 3.1.1 client session for the device (OASIS MQTT 3.1.1 §3, §4; openremote.md §0 items 7–8, §4.1–4.7).
// One long-lived object per broker config: connects over the socket seam (TLS for mqtts://, never a fallback),
// keeps the link alive (PINGREQ + dead-link timeout), re-subscribes after every reconnect (clean session), keeps
// QoS 1 messages in a bounded outbox until PUBACK (resent with DUP after a reconnect), and reconnects with
// exponential backoff and full jitter. The link state it publishes is what the OpenRemote config channel reports.
import type { ClockHost } from '../host/clock';
import type { CryptoHost } from '../host/crypto';
import type { Socket, SocketError, SocketHost } from '../host/socket';
import type { TimerHost, TimerId } from '../host/timers';
import { utf8Encode } from '../util/bytes';
import type { Logger } from '../util/log';
import { Backoff, DEFAULT_BACKOFF, type BackoffOptions } from './backoff';
import { MqttDecoder } from './decode';
import { encodePacket, topicName } from './encode';
import type { LinkFailure, LinkFailureReason, LinkPhase, LinkState } from './link-state';
import { DEFAULT_OUTBOX, Outbox, type OutboxEntry, type OutboxOptions } from './outbox';
import {
  CONNACK_RETURN_CODE,
  MQTT_MAX_REMAINING_LENGTH,
  MqttError,
  SUBACK_FAILURE,
  connackReturnCodeName,
  type MqttErrorCode,
  type MqttLimits,
  type MqttPacket,
  type PublishPacket,
  type QoS,
} from './packets';
import { encodeString, topicFilterError, topicNameError } from './strings';
import { parseBrokerUrl, type BrokerAddress } from './url';

export interface MqttClientDeps {
  socket: SocketHost;
  timers: TimerHost;
  clock: ClockHost;
  /** Only randomBytes (reconnect jitter). */
  crypto: Pick<CryptoHost, 'randomBytes'>;
  logger: Logger;
}

export interface MqttClientConfig {
  /** mqtts://host[:8883] or mqtt://host[:1883]. */
  url: string;
  /** CA PEMs (required for mqtts://) and the name to verify; serverName defaults to the URL host. */
  tls?: { ca: string[]; serverName?: string };
  /** OpenRemote: the config's user, also topic token 2 (openremote.md §4.3). */
  clientId: string;
  /** OpenRemote: `realm:user` (§4.2). */
  username?: string;
  /** OpenRemote: the service user's secret. Never logged. */
  password?: string | Uint8Array;
  /** Default 60 (openremote.md §4.4 suggests 30–120 s). 0 disables keep-alive. */
  keepAliveS?: number;
  /** Default true: OpenRemote drops subscriptions on disconnect anyway (§4.4). */
  cleanSession?: boolean;
  will?: { topic: string; payload: Uint8Array; qos: 0 | 1; retain: boolean };
  /** DNS + TCP + TLS budget per attempt. Default 20000. */
  connectTimeoutMs?: number;
  /** Wait for CONNACK after CONNECT. Default 20000; at least 15000 (OpenRemote's Keycloak login, §4.2). */
  connackTimeoutMs?: number;
  /** Wait for PINGRESP before declaring the link dead. Default: half the keep-alive, within 5..30 s. */
  pingTimeoutMs?: number;
  backoff?: Partial<BackoffOptions>;
  /** A link that stayed online this long resets the backoff (a broker that accepts and then kicks us, e.g. for an
   * unauthorised publish, must not cause a tight reconnect loop). Default 30000. */
  stableAfterMs?: number;
  /** QoS 1 messages on the wire without PUBACK at once. Default 8. */
  maxInflight?: number;
  /** QoS 0 publishes are refused (BACKPRESSURE, counted) while the socket holds more unsent bytes than this, so a
   * slow link cannot fill the heap with telemetry. Default 16384. */
  maxQueuedBytes?: number;
  outbox?: Partial<OutboxOptions>;
  limits?: Partial<MqttLimits>;
}

export interface IncomingMessage {
  topic: string;
  payload: Uint8Array;
  qos: QoS;
  retain: boolean;
  dup: boolean;
}

export type SubscriptionResult = { granted: QoS } | { failed: true };

export interface MqttClientEvents {
  onLinkState?(state: LinkState): void;
  onMessage?(message: IncomingMessage): void;
  /** A SUBACK answered this filter (after every (re)subscribe). */
  onSubscription?(topicFilter: string, result: SubscriptionResult): void;
  /** PUBACK received for the QoS 1 message `seq` (as returned by publish()). */
  onDelivered?(seq: number): void;
  /** The QoS 1 message `seq` was discarded to make room (drop-oldest). */
  onDropped?(seq: number): void;
}

export type PublishResult =
  | { ok: true; seq?: number }
  | { ok: false; reason: 'INVALID_TOPIC'; code: MqttErrorCode }
  | { ok: false; reason: 'OFFLINE' | 'BACKPRESSURE' | 'FULL' | 'TOO_LARGE' };

export interface MqttClientStats {
  connectAttempts: number;
  connects: number;
  sentQos0: number;
  droppedQos0Offline: number;
  droppedQos0Backpressure: number;
  deliveredQos1: number;
  /** QoS 1 messages the outbox discarded or refused (drop policy). */
  droppedQos1: number;
  resentQos1: number;
  received: number;
  protocolErrors: number;
}

interface Connection {
  socket: Socket;
  decoder: MqttDecoder;
  onlineAtMs?: number;
  /** Outbox entries sent on this connection and not yet acknowledged. */
  inflight: Set<number>;
  /** QoS 2 packet ids received and not yet released (duplicate suppression, §4.3.3). */
  incomingQos2: Set<number>;
  /** Packet ids of in-flight messages the outbox dropped: not reused until their PUBACK or a new connection. */
  orphanIds: Set<number>;
  pendingSubscribe: Map<number, string[]>;
  pendingUnsubscribe: Set<number>;
  pingOutstanding: boolean;
  /** Bytes the socket still had queued after our last write (SocketHost.write's return). */
  queuedBytes: number;
  lastSentMs: number;
  lastReceivedMs: number;
}

const MIN_CONNACK_TIMEOUT_MS = 15_000;

export class MqttClient {
  private readonly broker: BrokerAddress;
  private readonly password: Uint8Array | undefined;
  private readonly keepAliveMs: number;
  private readonly pingTimeoutMs: number;
  private readonly connectTimeoutMs: number;
  private readonly connackTimeoutMs: number;
  private readonly stableAfterMs: number;
  private readonly maxInflight: number;
  private readonly maxQueuedBytes: number;
  private readonly backoff: Backoff;
  private readonly outbox: Outbox;
  private readonly subscriptions = new Map<string, QoS>();

  private state: LinkState;
  private conn: Connection | undefined;
  /** Bumped for every attempt; callbacks of older sockets are ignored. */
  private generation = 0;
  private nextPacketId = 1;
  /** When the link last went online (failures before it do not count as repeats). */
  private lastOnlineMs = -1;
  private retryTimer: TimerId | undefined;
  private connackTimer: TimerId | undefined;
  private keepAliveTimer: TimerId | undefined;
  private pingTimer: TimerId | undefined;
  private readonly counters: Omit<MqttClientStats, 'droppedQos1'> = {
    connectAttempts: 0,
    connects: 0,
    sentQos0: 0,
    droppedQos0Offline: 0,
    droppedQos0Backpressure: 0,
    deliveredQos1: 0,
    resentQos1: 0,
    received: 0,
    protocolErrors: 0,
  };

  constructor(
    private readonly deps: MqttClientDeps,
    private readonly config: MqttClientConfig,
    private readonly events: MqttClientEvents = {},
  ) {
    const broker = parseBrokerUrl(config.url);
    if (typeof broker === 'string') throw new RangeError(broker);
    if (broker.tls && !(config.tls && config.tls.ca.length > 0)) {
      // mqtts:// without trust anchors cannot be verified; refusing here is the only alternative to a downgrade.
      throw new RangeError('mqtts:// needs tls.ca (there is no unverified or plain-TCP fallback)');
    }
    this.broker = broker;
    encodeString(config.clientId); // throws MqttError for U+0000 / lone surrogates
    if (config.clientId.length === 0 && config.cleanSession === false) throw new RangeError('an empty client id needs a clean session');
    if (config.password !== undefined && config.username === undefined) throw new RangeError('MQTT 3.1.1 sends a password only with a username');
    if (config.will) {
      const bytes = encodeString(config.will.topic);
      const err = topicNameError(config.will.topic, bytes.length, 0xffff);
      if (err) throw err;
    }
    this.password = typeof config.password === 'string' ? utf8Encode(config.password) : config.password?.slice();
    const keepAliveS = config.keepAliveS ?? 60;
    if (!Number.isInteger(keepAliveS) || keepAliveS < 0 || keepAliveS > 0xffff) throw new RangeError('keepAliveS must be 0..65535');
    this.keepAliveMs = keepAliveS * 1000;
    this.pingTimeoutMs = config.pingTimeoutMs ?? Math.min(30_000, Math.max(5_000, this.keepAliveMs / 2));
    this.connectTimeoutMs = config.connectTimeoutMs ?? 20_000;
    this.connackTimeoutMs = config.connackTimeoutMs ?? 20_000;
    if (this.connackTimeoutMs < MIN_CONNACK_TIMEOUT_MS) {
      throw new RangeError(`connackTimeoutMs must be >= ${MIN_CONNACK_TIMEOUT_MS} (the broker may log in to Keycloak inside CONNECT)`);
    }
    this.stableAfterMs = config.stableAfterMs ?? 30_000;
    this.maxInflight = Math.max(1, config.maxInflight ?? 8);
    this.maxQueuedBytes = config.maxQueuedBytes ?? 16 * 1024;
    this.backoff = new Backoff(deps.crypto, { ...DEFAULT_BACKOFF, ...config.backoff });
    this.outbox = new Outbox({ ...DEFAULT_OUTBOX, ...config.outbox });
    this.state = { phase: 'stopped', tls: broker.tls, attempt: 0, sinceMs: deps.clock.monotonicMs() };
  }

  get linkState(): LinkState {
    return { ...this.state };
  }

  get stats(): MqttClientStats {
    return { ...this.counters, droppedQos1: this.outbox.dropped };
  }

  /** QoS 1 messages not yet acknowledged. */
  get pendingCount(): number {
    return this.outbox.length;
  }

  /** Starts connecting (no-op unless stopped). */
  start(): void {
    if (this.state.phase !== 'stopped') return;
    this.backoff.reset();
    this.attempt();
  }

  /** Sends DISCONNECT if online (no will is published), closes the link and stops reconnecting. Queued QoS 1
   * messages stay in the outbox for the next start(). */
  stop(): void {
    if (this.state.phase === 'stopped') return;
    if (this.conn && this.state.phase === 'online') this.send({ type: 'disconnect' });
    this.dropConnection();
    this.clearTimer('retryTimer');
    this.setPhase('stopped');
  }

  /** Skips the remaining backoff (e.g. Wi-Fi just got an IP again). */
  reconnectNow(): void {
    if (this.state.phase !== 'backing-off') return;
    this.clearTimer('retryTimer');
    this.attempt();
  }

  /**
   * Publishes `payload` on `topic`. QoS 0 goes out only while online (at most once; dropped and counted
   * otherwise). QoS 1 is queued in the outbox and sent while online until acknowledged.
   */
  publish(topic: string, payload: Uint8Array, options: { qos?: 0 | 1; retain?: boolean } = {}): PublishResult {
    const qos = options.qos ?? 0;
    const retain = options.retain ?? false;
    let topicBytes: number;
    try {
      // The encoder's own check: an ASCII topic (every OpenRemote topic) is validated without allocating.
      topicBytes = topicName(topic).length;
    } catch (e) {
      return { ok: false, reason: 'INVALID_TOPIC', code: e instanceof MqttError ? e.code : 'INVALID_UTF8' };
    }
    if (topicBytes + payload.length + 4 > MQTT_MAX_REMAINING_LENGTH) return { ok: false, reason: 'TOO_LARGE' };
    if (qos === 0) {
      if (!this.conn || this.state.phase !== 'online') {
        this.counters.droppedQos0Offline++;
        return { ok: false, reason: 'OFFLINE' };
      }
      // The last write's figure may be stale (the queue drains between writes): re-read it with an empty write.
      if (this.conn.queuedBytes > this.maxQueuedBytes) this.probeQueue(this.conn);
      if (this.conn.queuedBytes > this.maxQueuedBytes) {
        this.counters.droppedQos0Backpressure++;
        return { ok: false, reason: 'BACKPRESSURE' };
      }
      this.send({ type: 'publish', topic, payload, qos: 0, dup: false, retain });
      this.counters.sentQos0++;
      return { ok: true };
    }
    const added = this.outbox.add(topic, payload, retain, topicBytes);
    if (!added.accepted) {
      this.deps.logger.warn(`outbox ${added.reason === 'FULL' ? 'full' : 'cannot hold the message'}: QoS 1 publish refused (${this.outbox.dropped} dropped so far)`);
      return { ok: false, reason: added.reason };
    }
    for (const old of added.dropped) this.onOutboxDropped(old);
    this.pump();
    return { ok: true, seq: added.seq };
  }

  /** Adds a subscription that is (re)sent after every CONNACK; sent at once when online. */
  subscribe(topicFilter: string, qos: QoS = 0): { ok: true } | { ok: false; code: MqttErrorCode } {
    try {
      const bytes = encodeString(topicFilter);
      const err = topicFilterError(topicFilter, bytes.length, 0xffff);
      if (err) throw err;
    } catch (e) {
      return { ok: false, code: e instanceof MqttError ? e.code : 'INVALID_UTF8' };
    }
    this.subscriptions.set(topicFilter, qos);
    if (this.conn && this.state.phase === 'online') this.sendSubscribe([topicFilter]);
    return { ok: true };
  }

  unsubscribe(topicFilter: string): void {
    if (!this.subscriptions.delete(topicFilter)) return;
    if (this.conn && this.state.phase === 'online') {
      const packetId = this.allocatePacketId();
      this.conn.pendingUnsubscribe.add(packetId);
      this.send({ type: 'unsubscribe', packetId, topicFilters: [topicFilter] });
    }
  }

  // ---- connection lifecycle ----

  private attempt(): void {
    this.dropConnection(); // nothing should be open here; make sure of it rather than leak a socket
    const generation = ++this.generation;
    this.counters.connectAttempts++;
    this.setPhase('connecting');
    const { host, port, tls } = this.broker;
    const tlsOptions = tls && this.config.tls ? { ca: this.config.tls.ca, serverName: this.config.tls.serverName ?? host } : undefined;
    this.deps.logger.info(`connecting to ${tls ? 'mqtts' : 'mqtt'}://${host}:${port} as ${this.config.clientId} (attempt ${this.backoff.attempts + 1})`);
    let socket: Socket;
    try {
      socket = this.deps.socket.connect(
        { host, port, tls: tlsOptions, timeoutMs: this.connectTimeoutMs },
        {
          onConnect: () => {
            if (generation === this.generation) this.onTransportUp();
          },
          onData: (data) => {
            if (generation === this.generation) this.onData(data);
          },
          onClose: (error) => {
            if (generation === this.generation) this.onTransportClosed(error);
          },
        },
      );
    } catch (e) {
      this.fail('SOCKET', `socket host refused the connection: ${String(e)}`, (e as SocketError).code);
      return;
    }
    const now = this.deps.clock.monotonicMs();
    this.conn = {
      socket,
      decoder: new MqttDecoder(this.config.limits),
      inflight: new Set(),
      incomingQos2: new Set(),
      orphanIds: new Set(),
      pendingSubscribe: new Map(),
      pendingUnsubscribe: new Set(),
      pingOutstanding: false,
      queuedBytes: 0,
      lastSentMs: now,
      lastReceivedMs: now,
    };
  }

  private onTransportUp(): void {
    if (this.state.phase !== 'connecting') return; // a second onConnect would break the seam contract; ignore it
    this.setPhase('mqtt-connecting');
    const c = this.config;
    const connect: MqttPacket = { type: 'connect', clientId: c.clientId, keepAliveS: this.keepAliveMs / 1000, cleanSession: c.cleanSession ?? true };
    if (c.will) connect.will = { ...c.will };
    if (c.username !== undefined) connect.username = c.username;
    if (this.password !== undefined) connect.password = this.password;
    this.send(connect);
    this.connackTimer = this.deps.timers.setTimeout(() => {
      this.connackTimer = undefined;
      this.fail('CONNACK_TIMEOUT', `no CONNACK within ${this.connackTimeoutMs} ms`);
    }, this.connackTimeoutMs);
  }

  private onTransportClosed(error: SocketError | undefined): void {
    const code = error?.code;
    switch (this.state.phase) {
      case 'connecting': {
        let reason: LinkFailureReason = 'SOCKET';
        if (code === 'DNS') reason = 'DNS';
        else if (code === 'REFUSED' || code === 'UNREACHABLE') reason = 'TCP';
        else if (code === 'TIMEOUT') reason = 'CONNECT_TIMEOUT';
        else if (code && code.startsWith('TLS_')) reason = 'TLS';
        this.fail(reason, error ? error.message : 'closed while connecting', code);
        return;
      }
      case 'mqtt-connecting':
        this.fail('NO_CONNACK', 'connection closed before CONNACK (client id still connected on the broker, or refused)', code);
        return;
      default:
        this.fail('CONNECTION_LOST', error ? `link lost: ${error.message}` : 'broker closed the connection', code);
    }
  }

  /** Ends the current attempt or session and schedules the next one. */
  private fail(reason: LinkFailureReason, detail: string, socketError?: SocketError['code'], connackCode?: number): void {
    const onlineFor = this.conn?.onlineAtMs !== undefined ? this.deps.clock.monotonicMs() - this.conn.onlineAtMs : 0;
    this.dropConnection();
    if (onlineFor >= this.stableAfterMs) this.backoff.reset();
    const previous = this.state.lastFailure;
    const repeats = previous && previous.reason === reason && previous.atMs >= this.lastOnlineMs ? previous.repeats + 1 : 1;
    const failure: LinkFailure = { reason, detail, atMs: this.deps.clock.monotonicMs(), repeats };
    if (socketError) failure.socketError = socketError;
    if (connackCode !== undefined) {
      failure.connackCode = connackCode;
      failure.connackName = connackReturnCodeName(connackCode);
    }
    this.state.lastFailure = failure;
    const delay = this.backoff.next();
    this.clearTimer('retryTimer'); // never two attempts scheduled at once
    this.deps.logger.warn(`${reason}${socketError ? ` (${socketError})` : ''}: ${detail}; retry in ${delay} ms`);
    this.retryTimer = this.deps.timers.setTimeout(() => {
      this.retryTimer = undefined;
      this.attempt();
    }, delay);
    this.setPhase('backing-off', delay);
  }

  /** Closes the socket (if any) and forgets everything that belonged to this connection. */
  private dropConnection(): void {
    this.generation++; // late callbacks from this socket are ignored from here on
    this.clearTimer('connackTimer');
    this.clearTimer('keepAliveTimer');
    this.clearTimer('pingTimer');
    const conn = this.conn;
    this.conn = undefined;
    if (conn) {
      try {
        conn.socket.close();
      } catch {
        // already closed: nothing to release
      }
    }
  }

  private setPhase(phase: LinkPhase, retryInMs?: number): void {
    this.state = {
      phase,
      tls: this.broker.tls,
      attempt: this.backoff.attempts,
      sinceMs: this.deps.clock.monotonicMs(),
      lastFailure: this.state.lastFailure,
    };
    if (retryInMs !== undefined) this.state.retryInMs = retryInMs;
    this.events.onLinkState?.({ ...this.state });
  }

  // ---- incoming ----

  private onData(data: Uint8Array): void {
    const conn = this.conn;
    if (!conn) return;
    conn.lastReceivedMs = this.deps.clock.monotonicMs();
    const result = conn.decoder.push(data);
    for (const packet of result.packets) {
      if (this.conn !== conn) return; // a handler ended this connection
      this.handle(conn, packet);
    }
    if (result.error && this.conn === conn) this.protocolError(`${result.error.code}: ${result.error.message}`);
  }

  private protocolError(detail: string): void {
    this.counters.protocolErrors++;
    this.fail('PROTOCOL_ERROR', detail);
  }

  private handle(conn: Connection, p: MqttPacket): void {
    if (this.state.phase === 'mqtt-connecting') {
      // §3.2: the first packet from the server MUST be CONNACK.
      if (p.type !== 'connack') return this.protocolError(`${p.type} before CONNACK`);
      return this.onConnack(conn, p.returnCode, p.sessionPresent);
    }
    switch (p.type) {
      case 'publish':
        return this.onPublish(conn, p);
      case 'puback': {
        const entry = this.outbox.ack(p.packetId);
        if (entry) {
          conn.inflight.delete(entry.seq);
          this.counters.deliveredQos1++;
          this.events.onDelivered?.(entry.seq);
          this.pump();
        } else if (!conn.orphanIds.delete(p.packetId)) {
          this.deps.logger.debug(`PUBACK for unknown packet id ${p.packetId} ignored`);
        }
        return;
      }
      case 'pubrel':
        conn.incomingQos2.delete(p.packetId);
        this.send({ type: 'pubcomp', packetId: p.packetId });
        return;
      case 'suback':
        return this.onSuback(conn, p.packetId, p.returnCodes);
      case 'unsuback':
        conn.pendingUnsubscribe.delete(p.packetId);
        return;
      case 'pingresp':
        conn.pingOutstanding = false;
        this.clearTimer('pingTimer');
        this.armKeepAlive();
        return;
      default:
        // CONNACK twice, PUBREC/PUBCOMP (we never publish QoS 2), or a client-to-server packet.
        return this.protocolError(`unexpected ${p.type} from the broker`);
    }
  }

  private onConnack(conn: Connection, returnCode: number, sessionPresent: boolean): void {
    this.clearTimer('connackTimer');
    if (returnCode !== CONNACK_RETURN_CODE.ACCEPTED) {
      const name = connackReturnCodeName(returnCode);
      const auth = returnCode === CONNACK_RETURN_CODE.BAD_USERNAME_OR_PASSWORD || returnCode === CONNACK_RETURN_CODE.NOT_AUTHORIZED;
      this.fail(auth ? 'AUTH_REFUSED' : 'CONNACK_REFUSED', `CONNACK ${returnCode} ${name}`, undefined, returnCode);
      return;
    }
    conn.onlineAtMs = this.deps.clock.monotonicMs();
    this.lastOnlineMs = conn.onlineAtMs;
    this.counters.connects++;
    this.deps.logger.info(`online (session present: ${sessionPresent})`);
    this.setPhase('online');
    this.armKeepAlive();
    if (this.subscriptions.size > 0) this.sendSubscribe([...this.subscriptions.keys()]);
    this.pump();
  }

  private onPublish(conn: Connection, p: PublishPacket): void {
    this.counters.received++;
    if (p.qos === 2) {
      // Exactly-once receive (§4.3.3 method B): deliver on first PUBLISH, suppress duplicates until PUBREL.
      const id = p.packetId as number;
      const duplicate = conn.incomingQos2.has(id);
      conn.incomingQos2.add(id);
      this.send({ type: 'pubrec', packetId: id });
      if (duplicate) return;
    }
    try {
      this.events.onMessage?.({ topic: p.topic, payload: p.payload, qos: p.qos, retain: p.retain, dup: p.dup });
    } catch (e) {
      // A faulty handler must not take the link (or, on XS, the machine) down; the message counts as delivered.
      this.deps.logger.error(`message handler failed on ${p.topic}: ${String(e)}`);
    }
    // Acknowledge after the handler ran (§4.3.2): it has taken ownership of the message.
    if (p.qos === 1 && this.conn === conn) this.send({ type: 'puback', packetId: p.packetId as number });
  }

  private onSuback(conn: Connection, packetId: number, codes: number[]): void {
    const filters = conn.pendingSubscribe.get(packetId);
    if (!filters) return this.protocolError(`SUBACK for unknown packet id ${packetId}`);
    if (filters.length !== codes.length) return this.protocolError(`SUBACK has ${codes.length} codes for ${filters.length} filters (§3.9.3)`);
    conn.pendingSubscribe.delete(packetId);
    for (let i = 0; i < filters.length; i++) {
      const failed = codes[i] === SUBACK_FAILURE;
      if (failed) this.deps.logger.warn(`subscription refused by the broker: ${filters[i]}`);
      this.events.onSubscription?.(filters[i], failed ? { failed: true } : { granted: codes[i] as QoS });
    }
  }

  // ---- outgoing ----

  private send(packet: MqttPacket): void {
    const conn = this.conn;
    if (!conn) return;
    const bytes = encodePacket(packet);
    try {
      conn.queuedBytes = conn.socket.write(bytes);
    } catch {
      // SocketError('CLOSED'): onClose is on its way and will schedule the reconnect.
      return;
    }
    conn.lastSentMs = this.deps.clock.monotonicMs();
  }

  private probeQueue(conn: Connection): void {
    try {
      conn.queuedBytes = conn.socket.write(new Uint8Array(0));
    } catch {
      // closed: onClose follows
    }
  }

  private sendSubscribe(filters: string[]): void {
    const conn = this.conn as Connection;
    const packetId = this.allocatePacketId();
    conn.pendingSubscribe.set(packetId, filters);
    this.send({ type: 'subscribe', packetId, subscriptions: filters.map((f) => ({ topicFilter: f, qos: this.subscriptions.get(f) ?? 0 })) });
  }

  /** Sends queued QoS 1 messages, oldest first, up to maxInflight unacknowledged on this connection. */
  private pump(): void {
    const conn = this.conn;
    if (!conn || this.state.phase !== 'online') return;
    for (const entry of this.outbox.list()) {
      if (conn.inflight.size >= this.maxInflight) return;
      if (conn.inflight.has(entry.seq)) continue;
      const packetId = entry.packetId ?? this.allocatePacketId();
      const dup = entry.sent; // sent on an earlier connection: at-least-once means the broker may have it (§4.4)
      if (dup) this.counters.resentQos1++;
      this.outbox.markSent(entry, packetId);
      conn.inflight.add(entry.seq);
      this.send({ type: 'publish', topic: entry.topic, payload: entry.payload, qos: 1, dup, retain: entry.retain, packetId });
      if (this.conn !== conn) return;
    }
  }

  private onOutboxDropped(entry: OutboxEntry): void {
    const conn = this.conn;
    if (conn && conn.inflight.delete(entry.seq) && entry.packetId !== undefined) conn.orphanIds.add(entry.packetId);
    this.events.onDropped?.(entry.seq);
  }

  private allocatePacketId(): number {
    const conn = this.conn;
    for (let tries = 0; tries < 0xffff; tries++) {
      const id = this.nextPacketId;
      this.nextPacketId = id === 0xffff ? 1 : id + 1;
      const busy =
        this.outbox.hasPacketId(id) ||
        (conn !== undefined && (conn.pendingSubscribe.has(id) || conn.pendingUnsubscribe.has(id) || conn.orphanIds.has(id)));
      if (!busy) return id;
    }
    // Unreachable with the outbox bounded far below 65535 entries.
    throw new RangeError('no free MQTT packet identifier');
  }

  // ---- keep-alive (§3.1.2.10) ----

  private armKeepAlive(): void {
    this.clearTimer('keepAliveTimer');
    const conn = this.conn;
    if (!conn || this.keepAliveMs === 0) return;
    // Ping when we have not sent anything for a keep-alive period (required by the spec) and also when we have not
    // heard from the broker for one (a half-open link would otherwise go unnoticed while we keep publishing).
    const idleSince = Math.min(conn.lastSentMs, conn.lastReceivedMs);
    const due = Math.max(0, idleSince + this.keepAliveMs - this.deps.clock.monotonicMs());
    this.keepAliveTimer = this.deps.timers.setTimeout(() => {
      this.keepAliveTimer = undefined;
      this.onKeepAlive();
    }, due);
  }

  private onKeepAlive(): void {
    const conn = this.conn;
    if (!conn || this.state.phase !== 'online') return;
    const now = this.deps.clock.monotonicMs();
    if (!conn.pingOutstanding && now - Math.min(conn.lastSentMs, conn.lastReceivedMs) >= this.keepAliveMs) {
      conn.pingOutstanding = true;
      this.send({ type: 'pingreq' });
      this.pingTimer = this.deps.timers.setTimeout(() => {
        this.pingTimer = undefined;
        this.fail('KEEPALIVE_TIMEOUT', `no PINGRESP within ${this.pingTimeoutMs} ms`);
      }, this.pingTimeoutMs);
    }
    // While a PINGREQ is outstanding the PINGRESP (or the ping timeout) re-arms; re-arming now would spin.
    if (this.conn === conn && !conn.pingOutstanding) this.armKeepAlive();
  }

  private clearTimer(name: 'retryTimer' | 'connackTimer' | 'keepAliveTimer' | 'pingTimer'): void {
    const id = this[name];
    if (id !== undefined) this.deps.timers.clear(id);
    this[name] = undefined;
  }
}
