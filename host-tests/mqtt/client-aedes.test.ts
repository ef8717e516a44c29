// firmware/mqtt/client.ts against a real broker (aedes, in-process, over real loopback sockets through the
// simulator's SocketHost and real timers): connect, subscribe, QoS 1 both ways, will on an abrupt drop, wrong
// password surfaced as CONNACK 5, reconnect after a broker restart with no QoS 1 message lost, TLS verification.
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import * as net from 'node:net';
import { MqttClient, type IncomingMessage, type MqttClientConfig, type MqttClientEvents } from '../../firmware/mqtt/client';
import { SecretRegistry, Logger } from '../../firmware/util/log';
import { createNodeHost, type NodeHost } from '../../tools/sim/host/index';
import { startAedesBroker, type AedesBroker } from '../../tools/brokers/aedes';
import { generateTestPki, type TestPki } from '../../tools/certs/pki';

const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array) => new TextDecoder().decode(b);
const PASSWORD = 'secret-pass-123';

async function waitFor(what: string, predicate: () => boolean, timeoutMs = 10_000): Promise<void> {
  const start = Date.now();
  while (!predicate()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

interface Device {
  host: NodeHost;
  client: MqttClient;
  messages: IncomingMessage[];
  delivered: number[];
  subscriptions: [string, unknown][];
}

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

function device(config: Partial<MqttClientConfig> & { url: string }, events: MqttClientEvents = {}): Device {
  const host = createNodeHost({ clock: 'real', log: 'capture', uart: 'memory' });
  const secrets = new SecretRegistry();
  const logger = new Logger(host.log, 'mqtt', secrets, 'debug');
  const d: Device = { host, messages: [], delivered: [], subscriptions: [], client: undefined as unknown as MqttClient };
  d.client = new MqttClient(
    { socket: host.socket, timers: host.timers, clock: host.clock, crypto: host.crypto, logger },
    { clientId: 'dev1', username: 'master:dev1', password: PASSWORD, keepAliveS: 30, ...config },
    {
      onMessage: (m) => d.messages.push(m),
      onDelivered: (seq) => d.delivered.push(seq),
      onSubscription: (f, r) => d.subscriptions.push([f, r]),
      ...events,
    },
  );
  cleanups.push(() => {
    d.client.stop();
    host.sim.shutdown();
  });
  return d;
}

async function broker(options: Parameters<typeof startAedesBroker>[0] = {}): Promise<AedesBroker> {
  const b = await startAedesBroker({ users: { 'master:dev1': PASSWORD }, ...options });
  cleanups.push(() => b.close());
  return b;
}

describe('MQTT client against aedes', () => {
  it('connects, subscribes, and moves QoS 1 messages both ways', async () => {
    const b = await broker();
    const d = device({ url: `mqtt://127.0.0.1:${b.port}` });
    expect(d.client.subscribe('master/dev1/attributevalue/+/4cdWlxEvmDRBBDEuVyJAtM', 1)).toEqual({ ok: true });
    d.client.start();
    await waitFor('online', () => d.client.linkState.phase === 'online');
    await waitFor('SUBACK', () => d.subscriptions.length === 1);
    expect(d.subscriptions[0]).toEqual(['master/dev1/attributevalue/+/4cdWlxEvmDRBBDEuVyJAtM', { granted: 1 }]);

    // Broker → device at QoS 1: delivered once, and the broker sees our PUBACK.
    const acked: number[] = [];
    b.broker.on('ack', (packet) => acked.push((packet as { messageId?: number })?.messageId ?? -1));
    b.broker.publish({ cmd: 'publish', topic: 'master/dev1/attributevalue/temp/4cdWlxEvmDRBBDEuVyJAtM', payload: Buffer.from('21.5'), qos: 1, retain: false, dup: false }, () => undefined);
    await waitFor('message', () => d.messages.length === 1);
    expect(d.messages[0].topic).toBe('master/dev1/attributevalue/temp/4cdWlxEvmDRBBDEuVyJAtM');
    expect(dec(d.messages[0].payload)).toBe('21.5');
    expect(d.messages[0].qos).toBe(1);
    await waitFor('broker got PUBACK', () => acked.length === 1);

    // Device → broker at QoS 1: PUBACK reported through onDelivered with the seq publish() returned.
    const r = d.client.publish('master/dev1/writeattributevalue/temp/4cdWlxEvmDRBBDEuVyJAtM', enc('22'), { qos: 1 });
    expect(r.ok).toBe(true);
    await waitFor('delivered', () => d.delivered.length === 1);
    expect(d.delivered).toEqual([(r as { seq: number }).seq]);
    expect(b.published.map((p) => [p.topic, p.payload.toString(), p.qos])).toContainEqual(['master/dev1/writeattributevalue/temp/4cdWlxEvmDRBBDEuVyJAtM', '22', 1]);
    expect(d.client.pendingCount).toBe(0);

    // QoS 0 goes out at once while online; the broker receives it.
    expect(d.client.publish('master/dev1/writeattributevalue/on/4cdWlxEvmDRBBDEuVyJAtM', enc('true'))).toEqual({ ok: true });
    await waitFor('QoS 0 arrives', () => b.published.some((p) => p.payload.toString() === 'true'));
    d.host.sim.capture!.assertNoSecret(PASSWORD);
  });

  it('delivers the will after an abrupt drop, and not after a clean stop()', async () => {
    const b = await broker();
    const will = { topic: 'master/dev1/writeattributevalue/online/4cdWlxEvmDRBBDEuVyJAtM', payload: enc('false'), qos: 1 as const, retain: false };
    const a = device({ url: `mqtt://127.0.0.1:${b.port}`, will });
    a.client.start();
    await waitFor('online', () => a.client.linkState.phase === 'online');
    a.host.sim.socket.shutdown(); // power cut: the TCP connection dies without DISCONNECT
    await waitFor('will', () => b.published.some((p) => p.topic === will.topic));
    expect(b.published.find((p) => p.topic === will.topic)?.payload.toString()).toBe('false');

    const before = b.published.length;
    const c = device({ url: `mqtt://127.0.0.1:${b.port}`, will, clientId: 'dev1' });
    c.client.start();
    await waitFor('online again', () => c.client.linkState.phase === 'online');
    c.client.stop(); // DISCONNECT: the broker must discard the will (§3.14.4)
    await new Promise((r) => setTimeout(r, 300));
    expect(b.published.slice(before).filter((p) => p.topic === will.topic)).toEqual([]);
    expect(c.client.linkState.phase).toBe('stopped');
  });

  it('surfaces a wrong password as CONNACK 5 and backs off', async () => {
    const b = await broker();
    const states: string[] = [];
    const d = device({ url: `mqtt://127.0.0.1:${b.port}`, password: 'wrong-password-1' }, { onLinkState: (s) => states.push(s.phase) });
    d.client.start();
    await waitFor('refused', () => d.client.linkState.phase === 'backing-off');
    const s = d.client.linkState;
    expect(s.lastFailure).toMatchObject({ reason: 'AUTH_REFUSED', connackCode: 5, connackName: 'NOT_AUTHORIZED' });
    expect(s.retryInMs).toBeLessThanOrEqual(1000); // first retry within a second (full jitter over [0, 1000])
    expect(states.slice(0, 3)).toEqual(['connecting', 'mqtt-connecting', 'backing-off']);
    d.host.sim.capture!.assertNoSecret('wrong-password-1');
  });

  it('reconnects after a broker restart, re-subscribes and loses no QoS 1 message', async () => {
    const b = await broker();
    const filter = 'master/dev1/attributevalue/+/4cdWlxEvmDRBBDEuVyJAtM';
    const d = device({ url: `mqtt://127.0.0.1:${b.port}`, backoff: { baseMs: 200, capMs: 1000 } });
    d.client.subscribe(filter, 1);
    d.client.start();
    await waitFor('online', () => d.client.linkState.phase === 'online');

    const sent: string[] = [];
    const pub = (n: number) => {
      const payload = `{"n":${n}}`;
      sent.push(payload);
      expect(d.client.publish('master/dev1/writeattributevalue/counter/4cdWlxEvmDRBBDEuVyJAtM', enc(payload), { qos: 1 }).ok).toBe(true);
    };
    for (let i = 0; i < 10; i++) pub(i);
    // Restart at once: these ten are on the wire (or in the socket buffer) without PUBACK.
    const restarted = b.restart();
    await waitFor('link lost', () => d.client.linkState.phase !== 'online');
    for (let i = 10; i < 20; i++) pub(i); // queued while offline
    await restarted;
    await waitFor('online again', () => d.client.linkState.phase === 'online' && d.client.linkState.lastFailure !== undefined, 15_000);
    await waitFor('outbox drained', () => d.client.pendingCount === 0, 15_000);

    const received = new Set(b.published.filter((p) => p.topic.includes('/counter/')).map((p) => p.payload.toString()));
    expect([...sent].filter((p) => !received.has(p))).toEqual([]); // at-least-once: none lost
    expect(d.delivered.length).toBe(20);
    expect(d.client.stats.resentQos1).toBeGreaterThanOrEqual(1); // unacknowledged ones went out again with DUP
    expect(d.client.stats.droppedQos1).toBe(0);
    expect(d.client.linkState.lastFailure?.reason).toBe('CONNECTION_LOST');

    // The subscription came back with the new session.
    await waitFor('re-subscribed', () => d.subscriptions.length === 2);
    b.broker.publish({ cmd: 'publish', topic: 'master/dev1/attributevalue/x/4cdWlxEvmDRBBDEuVyJAtM', payload: Buffer.from('1'), qos: 0, retain: false, dup: false }, () => undefined);
    await waitFor('message after restart', () => d.messages.length === 1);
  });

  it('sends PINGREQ on an idle link and stays online', async () => {
    const b = await broker();
    let pings = 0;
    b.broker.on('ping', () => pings++);
    const d = device({ url: `mqtt://127.0.0.1:${b.port}`, keepAliveS: 1 });
    d.client.start();
    await waitFor('online', () => d.client.linkState.phase === 'online');
    await waitFor('two pings', () => pings >= 2, 5000);
    expect(d.client.linkState.phase).toBe('online');
    expect(d.client.stats.connects).toBe(1);
  });
});

describe('MQTT client vs a broker that keeps the old link for the client id (Artemis allowLinkStealing=false)', () => {
  it('retries after NO_CONNACK until the stale link timed out on the broker, then gets online', async () => {
    // Like Artemis (openremote.md §4.3): a CONNECT for a client id that is still connected is closed without a
    // CONNACK, and the old link only goes away after 1.5 x its keep-alive without traffic.
    let b: AedesBroker | undefined;
    b = await broker({
      users: undefined, // the raw stale CONNECT below carries no credentials
      aedes: {
        preConnect(_client, packet, done) {
          const taken = b!.connectedClientIds().includes((packet as { clientId: string }).clientId);
          done(taken ? new Error('NEW_LINK_DENIED') : null, !taken);
        },
      },
    });
    // The "previous boot" of the device: a connection that went silent (power cut, no FIN reached the broker).
    const stale = net.connect({ host: '127.0.0.1', port: b.port });
    cleanups.push(() => stale.destroy());
    stale.write(Buffer.from('101000044d51545404020002000464657631', 'hex')); // CONNECT dev1, clean, keep-alive 2 s
    await waitFor('stale link registered', () => b!.connectedClientIds().includes('dev1'));

    const failures: string[] = [];
    const d = device({ url: `mqtt://127.0.0.1:${b.port}`, backoff: { baseMs: 500, capMs: 1000 } }, {
      onLinkState: (s) => {
        if (s.phase === 'backing-off') failures.push(s.lastFailure!.reason);
      },
    });
    d.client.start();
    await waitFor('online after the stale link expired', () => d.client.linkState.phase === 'online', 15_000);
    expect(failures.length).toBeGreaterThanOrEqual(1);
    expect(new Set(failures)).toEqual(new Set(['NO_CONNACK']));
  });
});

describe('MQTT client subscription refusals against aedes', () => {
  it('reports SUBACK 0x80 for a filter the broker refuses, next to a granted one', async () => {
    const b = await broker({
      aedes: {
        authorizeSubscribe(_client, sub, done) {
          if (sub.topic.startsWith('master/dev1/')) done(null, sub);
          else done(null, null); // aedes: a null subscription is a refusal (SUBACK 0x80); an error would drop the client
        },
      },
    });
    const d = device({ url: `mqtt://127.0.0.1:${b.port}` });
    d.client.subscribe('master/dev1/attributevalue/+/4cdWlxEvmDRBBDEuVyJAtM', 0);
    d.client.subscribe('master/other/attributevalue/+/4cdWlxEvmDRBBDEuVyJAtM', 0);
    d.client.start();
    await waitFor('SUBACK', () => d.subscriptions.length === 2);
    expect(d.subscriptions).toEqual([
      ['master/dev1/attributevalue/+/4cdWlxEvmDRBBDEuVyJAtM', { granted: 0 }],
      ['master/other/attributevalue/+/4cdWlxEvmDRBBDEuVyJAtM', { failed: true }],
    ]);
    expect(d.client.linkState.phase).toBe('online'); // a refused subscription does not cost the link
  });
});

describe('MQTT client failure reasons against scripted peers', () => {
  /** A TCP peer that runs `script` on every connection. */
  async function peer(script: (s: net.Socket) => void): Promise<number> {
    const server = net.createServer(script);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const sockets = new Set<net.Socket>();
    server.on('connection', (s) => {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
    });
    cleanups.push(() => {
      for (const s of sockets) s.destroy();
      return new Promise<void>((r) => server.close(() => r()));
    });
    return (server.address() as net.AddressInfo).port;
  }

  it('NO_CONNACK when the broker closes after CONNECT (Artemis denying a second link for the client id)', async () => {
    const port = await peer((s) => s.once('data', () => s.end()));
    const d = device({ url: `mqtt://127.0.0.1:${port}` });
    d.client.start();
    await waitFor('failure', () => d.client.linkState.lastFailure !== undefined);
    expect(d.client.linkState.lastFailure?.reason).toBe('NO_CONNACK');
  });

  it('KEEPALIVE_TIMEOUT when PINGRESP never comes', async () => {
    const port = await peer((s) => s.once('data', () => s.write(Uint8Array.of(0x20, 0x02, 0x00, 0x00))));
    const d = device({ url: `mqtt://127.0.0.1:${port}`, keepAliveS: 1, pingTimeoutMs: 300 });
    d.client.start();
    await waitFor('failure', () => d.client.linkState.lastFailure !== undefined, 5000);
    expect(d.client.linkState.lastFailure?.reason).toBe('KEEPALIVE_TIMEOUT');
  });

  it('PROTOCOL_ERROR on a malformed packet, and the connection is dropped', async () => {
    let closed = false;
    const port = await peer((s) => {
      s.on('close', () => (closed = true));
      s.once('data', () => s.write(Uint8Array.of(0x20, 0x02, 0x00, 0x00, 0xf0, 0x00)));
    });
    const d = device({ url: `mqtt://127.0.0.1:${port}` });
    d.client.start();
    await waitFor('failure', () => d.client.linkState.lastFailure !== undefined);
    expect(d.client.linkState.lastFailure).toMatchObject({ reason: 'PROTOCOL_ERROR' });
    expect(d.client.linkState.lastFailure?.detail).toContain('RESERVED_PACKET_TYPE');
    await waitFor('peer sees close', () => closed);
  });

  it('TCP when nothing listens', async () => {
    const port = await peer(() => undefined);
    cleanups.pop()!(); // close it again: the port now refuses
    const d = device({ url: `mqtt://127.0.0.1:${port}` });
    d.client.start();
    await waitFor('failure', () => d.client.linkState.lastFailure !== undefined);
    expect(d.client.linkState.lastFailure).toMatchObject({ reason: 'TCP', socketError: 'REFUSED' });
  });
});

describe('MQTT client over TLS (mqtts://) against aedes', () => {
  let pki: TestPki;
  beforeAll(async () => {
    pki = await generateTestPki({ hosts: ['localhost', '127.0.0.1'], otherCa: true });
  });

  it('connects with the right CA and host name', async () => {
    const b = await broker({ tls: pki.server });
    const d = device({ url: `mqtts://localhost:${b.port}`, tls: { ca: [pki.ca.cert] } });
    d.client.start();
    await waitFor('online', () => d.client.linkState.phase === 'online');
    expect(d.client.linkState.tls).toBe(true);
  });

  it('refuses a server whose chain ends in another CA', async () => {
    const b = await broker({ tls: pki.otherCaServer! });
    const d = device({ url: `mqtts://localhost:${b.port}`, tls: { ca: [pki.ca.cert] } });
    d.client.start();
    await waitFor('failure', () => d.client.linkState.lastFailure !== undefined);
    expect(d.client.linkState.lastFailure).toMatchObject({ reason: 'TLS', socketError: 'TLS_UNKNOWN_CA' });
    expect(b.connectedClientIds()).toEqual([]);
  });

  it('refuses a certificate for another host name', async () => {
    const b = await broker({ tls: pki.server });
    const d = device({ url: `mqtts://127.0.0.1:${b.port}`, tls: { ca: [pki.ca.cert], serverName: 'broker.example.com' } });
    d.client.start();
    await waitFor('failure', () => d.client.linkState.lastFailure !== undefined);
    expect(d.client.linkState.lastFailure).toMatchObject({ reason: 'TLS', socketError: 'TLS_NAME_MISMATCH' });
  });

  it('never falls back to plain TCP when the broker only speaks plain MQTT', async () => {
    const b = await broker(); // plain TCP
    const d = device({ url: `mqtts://localhost:${b.port}`, tls: { ca: [pki.ca.cert] } });
    d.client.start();
    await waitFor('failure', () => d.client.linkState.lastFailure !== undefined);
    expect(d.client.linkState.lastFailure?.reason).toBe('TLS');
    expect(b.published).toEqual([]);
    expect(() => device({ url: `mqtts://localhost:${b.port}` })).toThrow(/tls\.ca/);
  });
});
