// Deterministic tests of firmware/mqtt/client.ts on a scripted socket and a virtual clock: backoff windows,
// CONNACK and keep-alive timers, CONNECT contents, SUBACK failures, the bounded outbox and its drop policy, DUP
// resend after reconnect, in-flight window, QoS 2 receive, protocol violations and link-state reasons.
import { describe, expect, it } from 'vitest';
import { SocketError, type Socket, type SocketCallbacks, type SocketErrorCode, type SocketHost } from '../../firmware/host/socket';
import { MqttClient, type MqttClientConfig, type MqttClientEvents } from '../../firmware/mqtt/client';
import { MqttDecoder, encodePacket, type MqttPacket } from '../../firmware/mqtt/codec';
import { Logger, SecretRegistry } from '../../firmware/util/log';
import { CaptureLog } from '../../tools/sim/host/log';
import { VirtualClock } from '../../tools/sim/host/clock';

const enc = (s: string) => new TextEncoder().encode(s);

class FakeConn implements Socket {
  readonly written: MqttPacket[] = [];
  closed = false;
  private readonly decoder = new MqttDecoder();
  constructor(
    readonly options: Parameters<SocketHost['connect']>[0],
    private readonly callbacks: SocketCallbacks,
  ) {}
  write(data: Uint8Array): number {
    if (this.closed) throw new SocketError('CLOSED', 'closed');
    const r = this.decoder.push(data);
    if (r.error) throw new Error(`client wrote an invalid packet: ${r.error.message}`);
    this.written.push(...r.packets);
    return 0;
  }
  close(): void {
    this.closed = true;
  }
  up(): void {
    this.callbacks.onConnect();
  }
  deliver(p: MqttPacket | Uint8Array): void {
    this.callbacks.onData(p instanceof Uint8Array ? p : encodePacket(p));
  }
  drop(code?: SocketErrorCode): void {
    this.closed = true;
    this.callbacks.onClose(code ? new SocketError(code, `simulated ${code}`) : undefined);
  }
  types(): string[] {
    return this.written.map((p) => p.type);
  }
}

function setup(config: Partial<MqttClientConfig> = {}, random: 'max' | 'zero' = 'max', events: MqttClientEvents = {}) {
  const clock = new VirtualClock();
  const conns: FakeConn[] = [];
  const socket: SocketHost = {
    connect(options, callbacks) {
      const c = new FakeConn(options, callbacks);
      conns.push(c);
      return c;
    },
    listen() {
      throw new Error('not used');
    },
  };
  const log = new CaptureLog(clock);
  const seen = { delivered: [] as number[], dropped: [] as number[], subs: [] as unknown[], messages: [] as string[], states: [] as string[] };
  const client = new MqttClient(
    {
      socket,
      timers: clock,
      clock,
      crypto: { randomBytes: (n: number) => new Uint8Array(n).fill(random === 'max' ? 0xff : 0) },
      logger: new Logger(log, 'mqtt', new SecretRegistry(), 'debug'),
    },
    { url: 'mqtt://broker.local', clientId: 'dev1', username: 'master:dev1', password: 'pw-123456', ...config },
    {
      onDelivered: (s) => seen.delivered.push(s),
      onDropped: (s) => seen.dropped.push(s),
      onSubscription: (f, r) => seen.subs.push([f, r]),
      onMessage: (m) => seen.messages.push(`${m.topic}=${new TextDecoder().decode(m.payload)}`),
      onLinkState: (s) => seen.states.push(s.phase + (s.lastFailure && s.phase === 'backing-off' ? `:${s.lastFailure.reason}` : '')),
      ...events,
    },
  );
  const last = () => conns[conns.length - 1];
  const online = () => {
    last().up();
    last().deliver({ type: 'connack', sessionPresent: false, returnCode: 0 });
  };
  return { clock, client, conns, last, online, seen, log };
}

describe('MqttClient session', () => {
  it('sends CONNECT with client id, realm:user, password, keep-alive, clean session and will', () => {
    const t = setup({ keepAliveS: 45, will: { topic: 'r/dev1/will', payload: enc('bye'), qos: 1, retain: false } });
    t.client.start();
    expect(t.last().options).toMatchObject({ host: 'broker.local', port: 1883, tls: undefined, timeoutMs: 20_000 });
    t.last().up();
    const connect = t.last().written[0];
    expect(connect).toMatchObject({ type: 'connect', clientId: 'dev1', username: 'master:dev1', keepAliveS: 45, cleanSession: true });
    expect(connect.type === 'connect' && new TextDecoder().decode(connect.password)).toBe('pw-123456');
    expect(connect.type === 'connect' && connect.will).toMatchObject({ topic: 'r/dev1/will', qos: 1, retain: false });
    expect(t.log.lines.join('\n')).not.toContain('pw-123456');
  });

  it('waits 20 s for CONNACK by default and refuses less than 15 s', () => {
    const t = setup();
    t.client.start();
    t.last().up();
    t.clock.advance(19_999);
    expect(t.client.linkState.phase).toBe('mqtt-connecting');
    t.clock.advance(1);
    expect(t.client.linkState.lastFailure?.reason).toBe('CONNACK_TIMEOUT');
    expect(t.last().closed).toBe(true);
    expect(() => setup({ connackTimeoutMs: 10_000 })).toThrow(/15000/);
  });

  it('backs off exponentially with full jitter: first retry within 1 s, capped at 60 s', () => {
    const t = setup({}, 'max');
    t.client.start();
    const windows: number[] = [];
    for (let i = 0; i < 9; i++) {
      t.last().drop('REFUSED');
      windows.push(t.client.linkState.retryInMs!);
      t.clock.advance(t.client.linkState.retryInMs!);
    }
    expect(windows).toEqual([1000, 2000, 4000, 8000, 16000, 32000, 60000, 60000, 60000]);
    expect(t.conns.length).toBe(10);
    const z = setup({}, 'zero');
    z.client.start();
    z.last().drop('REFUSED');
    expect(z.client.linkState.retryInMs).toBe(0);
  });

  it('resets the backoff only after the link was stable', () => {
    const t = setup({ stableAfterMs: 30_000 });
    t.client.start();
    for (let i = 0; i < 3; i++) {
      t.last().drop('REFUSED');
      t.clock.advance(t.client.linkState.retryInMs!);
    }
    t.online();
    t.clock.advance(5_000);
    t.last().drop('RESET'); // kicked out soon after CONNACK: keep backing off
    expect(t.client.linkState.retryInMs).toBe(8_000); // windows so far: 1 s, 2 s, 4 s
    t.clock.advance(8_000);
    t.online();
    t.clock.advance(30_000);
    t.last().drop('RESET');
    expect(t.client.linkState.retryInMs).toBe(1000);
    expect(t.client.linkState.lastFailure).toMatchObject({ reason: 'CONNECTION_LOST', socketError: 'RESET' });
  });

  it('names transport failures by phase', () => {
    const cases: [SocketErrorCode, string][] = [
      ['DNS', 'DNS'],
      ['UNREACHABLE', 'TCP'],
      ['TIMEOUT', 'CONNECT_TIMEOUT'],
      ['TLS_EXPIRED', 'TLS'],
      ['TLS_HANDSHAKE', 'TLS'],
      ['INTERNAL', 'SOCKET'],
    ];
    for (const [code, reason] of cases) {
      const t = setup();
      t.client.start();
      t.last().drop(code);
      expect(t.client.linkState.lastFailure).toMatchObject({ reason, socketError: code });
    }
    const t = setup();
    t.client.start();
    t.last().up();
    t.last().drop();
    expect(t.client.linkState.lastFailure?.reason).toBe('NO_CONNACK');
    t.clock.advance(1000);
    t.last().up();
    t.last().deliver({ type: 'connack', sessionPresent: false, returnCode: 4 });
    expect(t.client.linkState.lastFailure).toMatchObject({ reason: 'AUTH_REFUSED', connackCode: 4, connackName: 'BAD_USERNAME_OR_PASSWORD' });
    t.clock.advance(2000);
    t.last().up();
    t.last().deliver({ type: 'connack', sessionPresent: false, returnCode: 3 });
    expect(t.client.linkState.lastFailure).toMatchObject({ reason: 'CONNACK_REFUSED', connackName: 'SERVER_UNAVAILABLE' });
    expect(t.seen.states.slice(0, 3)).toEqual(['connecting', 'mqtt-connecting', 'backing-off:NO_CONNACK']);
  });

  it('counts repeats of the same failure until the link is online again', () => {
    const t = setup();
    t.client.start();
    const refuse = () => {
      t.last().up();
      t.last().deliver({ type: 'connack', sessionPresent: false, returnCode: 5 });
      t.clock.advance(t.client.linkState.retryInMs!);
    };
    refuse();
    refuse();
    expect(t.client.linkState.lastFailure).toMatchObject({ reason: 'AUTH_REFUSED', repeats: 2 });
    t.last().drop('DNS');
    expect(t.client.linkState.lastFailure).toMatchObject({ reason: 'DNS', repeats: 1 });
    t.clock.advance(t.client.linkState.retryInMs!);
    refuse();
    expect(t.client.linkState.lastFailure?.repeats).toBe(1);
    t.online();
    t.last().drop('RESET');
    t.clock.advance(t.client.linkState.retryInMs!);
    refuse();
    expect(t.client.linkState.lastFailure).toMatchObject({ reason: 'AUTH_REFUSED', repeats: 1 });
  });

  it('refuses QoS 0 publishes while the socket queue is over the limit', () => {
    const t = setup({ maxQueuedBytes: 100 });
    t.client.start();
    t.online();
    let queued = 0;
    const conn = t.last();
    const write = conn.write.bind(conn);
    conn.write = (d: Uint8Array) => (write(d), (queued += d.length));
    expect(t.client.publish('t', new Uint8Array(150))).toEqual({ ok: true });
    expect(t.client.publish('t', new Uint8Array(10))).toEqual({ ok: false, reason: 'BACKPRESSURE' });
    queued = 0; // the link drained: the next publish re-reads the queue and goes out
    conn.write = (d: Uint8Array) => (write(d), 0);
    expect(t.client.publish('t', new Uint8Array(10))).toEqual({ ok: true });
    expect(t.client.stats.droppedQos0Backpressure).toBe(1);
  });

  it('(re)subscribes after every CONNACK and reports SUBACK failures', () => {
    const t = setup();
    t.client.subscribe('r/dev1/attributevalue/+/A', 1);
    t.client.subscribe('r/dev1/forbidden/#', 0);
    expect(t.client.subscribe('bad/#/filter')).toEqual({ ok: false, code: 'INVALID_TOPIC_FILTER' });
    t.client.start();
    t.online();
    const sub = t.last().written[1];
    expect(sub).toMatchObject({ type: 'subscribe', subscriptions: [{ topicFilter: 'r/dev1/attributevalue/+/A', qos: 1 }, { topicFilter: 'r/dev1/forbidden/#', qos: 0 }] });
    t.last().deliver({ type: 'suback', packetId: (sub as { packetId: number }).packetId, returnCodes: [1, 0x80] });
    expect(t.seen.subs).toEqual([
      ['r/dev1/attributevalue/+/A', { granted: 1 }],
      ['r/dev1/forbidden/#', { failed: true }],
    ]);
    t.last().drop('RESET');
    t.clock.advance(t.client.linkState.retryInMs!);
    t.online();
    expect(t.last().types()).toEqual(['connect', 'subscribe']);
    // A SUBACK with the wrong number of codes is a protocol violation.
    t.last().deliver({ type: 'suback', packetId: (t.last().written[1] as { packetId: number }).packetId, returnCodes: [0] });
    expect(t.client.linkState.lastFailure?.reason).toBe('PROTOCOL_ERROR');
  });

  it('unsubscribes, and does not re-subscribe the filter after a reconnect', () => {
    const t = setup();
    t.client.subscribe('a/+', 0);
    t.client.subscribe('b/#', 1);
    t.client.start();
    t.online();
    t.client.unsubscribe('a/+');
    t.client.unsubscribe('never/subscribed'); // no-op
    const unsub = t.last().written.at(-1)!;
    expect(unsub).toMatchObject({ type: 'unsubscribe', topicFilters: ['a/+'] });
    t.last().deliver({ type: 'unsuback', packetId: (unsub as { packetId: number }).packetId });
    expect(t.client.linkState.phase).toBe('online');
    t.last().drop('RESET');
    t.clock.advance(t.client.linkState.retryInMs!);
    t.online();
    expect(t.last().written[1]).toMatchObject({ type: 'subscribe', subscriptions: [{ topicFilter: 'b/#', qos: 1 }] });
  });

  it('keeps QoS 1 messages in a bounded outbox with a counted drop policy', () => {
    const t = setup({ outbox: { maxEntries: 3, policy: 'drop-oldest' } });
    const seqs = [1, 2, 3, 4, 5].map((n) => (t.client.publish('r/dev1/t', enc(String(n)), { qos: 1 }) as { seq: number }).seq);
    expect(t.seen.dropped).toEqual(seqs.slice(0, 2));
    expect(t.client.stats.droppedQos1).toBe(2);
    expect(t.client.publish('r/dev1/t', enc('x'))).toEqual({ ok: false, reason: 'OFFLINE' });
    expect(t.client.stats.droppedQos0Offline).toBe(1);
    t.client.start();
    t.online();
    const pubs = t.last().written.filter((p) => p.type === 'publish');
    expect(pubs.map((p) => p.type === 'publish' && new TextDecoder().decode(p.payload))).toEqual(['3', '4', '5']);
    for (const p of pubs) t.last().deliver({ type: 'puback', packetId: (p as { packetId: number }).packetId });
    expect(t.seen.delivered).toEqual(seqs.slice(2));
    expect(t.client.pendingCount).toBe(0);

    const r = setup({ outbox: { maxEntries: 2, policy: 'reject-new' } });
    r.client.publish('t', enc('1'), { qos: 1 });
    r.client.publish('t', enc('2'), { qos: 1 });
    expect(r.client.publish('t', enc('3'), { qos: 1 })).toEqual({ ok: false, reason: 'FULL' });
    expect(r.client.stats.droppedQos1).toBe(1);
    const b = setup({ outbox: { maxBytes: 100 } });
    expect(b.client.publish('t', new Uint8Array(200), { qos: 1 })).toEqual({ ok: false, reason: 'TOO_LARGE' });
  });

  it('resends unacknowledged QoS 1 messages with DUP and the same packet id after a reconnect', () => {
    const t = setup();
    t.client.start();
    t.online();
    t.client.publish('r/dev1/t', enc('a'), { qos: 1 });
    const first = t.last().written.find((p) => p.type === 'publish') as Extract<MqttPacket, { type: 'publish' }>;
    expect(first).toMatchObject({ qos: 1, dup: false });
    t.last().drop('RESET');
    t.clock.advance(t.client.linkState.retryInMs!);
    t.online();
    const again = t.last().written.find((p) => p.type === 'publish') as Extract<MqttPacket, { type: 'publish' }>;
    expect(again).toMatchObject({ qos: 1, dup: true, packetId: first.packetId, topic: 'r/dev1/t' });
    t.last().deliver({ type: 'puback', packetId: first.packetId! });
    expect(t.seen.delivered).toEqual([1]);
    expect(t.client.stats.resentQos1).toBe(1);
  });

  it('limits unacknowledged QoS 1 messages to maxInflight', () => {
    const t = setup({ maxInflight: 2 });
    t.client.start();
    t.online();
    for (let i = 0; i < 5; i++) t.client.publish('t', enc(String(i)), { qos: 1 });
    const pubs = () => t.last().written.filter((p) => p.type === 'publish') as Extract<MqttPacket, { type: 'publish' }>[];
    expect(pubs().length).toBe(2);
    t.last().deliver({ type: 'puback', packetId: pubs()[0].packetId! });
    expect(pubs().length).toBe(3);
    expect(new Set(pubs().map((p) => p.packetId)).size).toBe(3);
  });

  it('pings an idle link and declares it dead without PINGRESP', () => {
    const t = setup({ keepAliveS: 10, pingTimeoutMs: 5000 });
    t.client.start();
    t.online();
    t.clock.advance(9_999);
    expect(t.last().types()).toEqual(['connect']);
    t.clock.advance(1);
    expect(t.last().types()).toEqual(['connect', 'pingreq']);
    t.last().deliver({ type: 'pingresp' });
    t.clock.advance(9_999);
    expect(t.last().types().filter((x) => x === 'pingreq').length).toBe(1);
    t.clock.advance(1);
    expect(t.last().types().filter((x) => x === 'pingreq').length).toBe(2);
    t.clock.advance(4_999);
    expect(t.client.linkState.phase).toBe('online');
    t.clock.advance(1);
    expect(t.client.linkState.lastFailure?.reason).toBe('KEEPALIVE_TIMEOUT');
  });

  it('acknowledges QoS 1, receives QoS 2 exactly once, and answers PUBREL', () => {
    const t = setup();
    t.client.start();
    t.online();
    t.last().deliver({ type: 'publish', topic: 'a/b', payload: enc('1'), qos: 1, dup: false, retain: false, packetId: 7 });
    const q2: MqttPacket = { type: 'publish', topic: 'a/c', payload: enc('2'), qos: 2, dup: false, retain: false, packetId: 8 };
    t.last().deliver(q2);
    t.last().deliver({ ...q2, dup: true } as MqttPacket);
    t.last().deliver({ type: 'pubrel', packetId: 8 });
    expect(t.seen.messages).toEqual(['a/b=1', 'a/c=2']);
    expect(t.last().written.slice(1)).toEqual([
      { type: 'puback', packetId: 7 },
      { type: 'pubrec', packetId: 8 },
      { type: 'pubrec', packetId: 8 },
      { type: 'pubcomp', packetId: 8 },
    ]);
  });

  it('drops the connection on protocol violations', () => {
    const t = setup();
    t.client.start();
    t.last().up();
    t.last().deliver({ type: 'pingresp' }); // before CONNACK (§3.2)
    expect(t.client.linkState.lastFailure).toMatchObject({ reason: 'PROTOCOL_ERROR' });
    expect(t.conns[0].closed).toBe(true);
    t.clock.advance(1000);
    t.online();
    t.last().deliver({ type: 'pubrec', packetId: 1 }); // we never publish QoS 2
    expect(t.client.linkState.lastFailure?.detail).toContain('pubrec');
    t.clock.advance(2000);
    t.online();
    t.last().deliver(Uint8Array.of(0x30, 0x03, 0x00, 0x01)); // truncated... then a 5-byte length
    t.last().deliver(Uint8Array.of(0x61, 0x30, 0xff, 0xff, 0xff, 0xff, 0x01));
    expect(t.client.linkState.lastFailure?.detail).toContain('REMAINING_LENGTH_MALFORMED');
    expect(t.client.stats.protocolErrors).toBe(3);
  });

  it('stop() sends DISCONNECT and stops reconnecting; refuses bad configs', () => {
    const t = setup();
    t.client.start();
    t.online();
    t.client.stop();
    expect(t.conns[0].types()).toEqual(['connect', 'disconnect']);
    expect(t.conns[0].closed).toBe(true);
    t.clock.advance(120_000);
    expect(t.conns.length).toBe(1);
    expect(t.client.linkState.phase).toBe('stopped');
    expect(() => setup({ url: 'mqtts://broker.local' })).toThrow(/tls\.ca/);
    expect(() => setup({ url: 'http://broker.local' })).toThrow(RangeError);
    expect(() => setup({ url: 'mqtt://broker.local:99999' })).toThrow(RangeError);
    expect(setup({ url: 'mqtts://broker.local', tls: { ca: ['PEM'] } }).client.linkState.tls).toBe(true);
  });

  it('reconnectNow() skips the remaining backoff', () => {
    const t = setup();
    t.client.start();
    t.last().drop('UNREACHABLE');
    t.client.reconnectNow();
    expect(t.conns.length).toBe(2);
    expect(t.client.linkState.phase).toBe('connecting');
  });

  it('passes TLS options for mqtts:// with the URL host as the name to verify', () => {
    const t = setup({ url: 'mqtts://or.example.com', tls: { ca: ['PEM-A'] } });
    t.client.start();
    expect(t.last().options).toMatchObject({ host: 'or.example.com', port: 8883, tls: { ca: ['PEM-A'], serverName: 'or.example.com' } });
  });
});
