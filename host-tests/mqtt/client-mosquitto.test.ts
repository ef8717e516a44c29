// firmware/mqtt/client.ts against mosquitto 2 (Debian package, a separate process; tools/brokers/mosquitto.ts
// installs it if missing) over TLS: verified connection with a password and an ACL, wrong CA, wrong host name,
// expired certificate and wrong password (CONNACK refusal surfaced). (mosquitto 2.0.11 grants ACL-denied
// subscriptions of 3.1.1 clients and just delivers nothing, so SUBACK 0x80 is tested against aedes instead.)
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MqttClient, type IncomingMessage, type MqttClientConfig } from '../../firmware/mqtt/client';
import { Logger, SecretRegistry } from '../../firmware/util/log';
import { ensureMosquitto, startMosquitto, type MosquittoBroker } from '../../tools/brokers/mosquitto';
import { generateTestPki, type TestPki } from '../../tools/certs/pki';
import { createNodeHost } from '../../tools/sim/host/index';

const PASSWORD = 'mosq-secret-42';
// mosquitto's password file is `user:hash`, so no OpenRemote-style `realm:user` here (aedes tests cover that form).
const ACL = ['user dev1', 'topic readwrite master/dev1/#'];
const enc = (s: string) => new TextEncoder().encode(s);

async function waitFor(what: string, predicate: () => boolean, timeoutMs = 10_000): Promise<void> {
  const start = Date.now();
  while (!predicate()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

let pki: TestPki;
const brokers: MosquittoBroker[] = [];
const stops: (() => void)[] = [];

beforeAll(async () => {
  ensureMosquitto(); // apt-get install on a fresh machine: done here, under the long hook timeout
  pki = await generateTestPki({ hosts: ['localhost', '127.0.0.1'], otherCa: true, expired: true });
}, 300_000);
afterAll(async () => {
  for (const s of stops) s();
  for (const b of brokers) await b.stop();
});

async function broker(tls = pki.server): Promise<MosquittoBroker> {
  const b = await startMosquitto({ users: { dev1: PASSWORD }, acl: ACL, tls });
  brokers.push(b);
  return b;
}

function device(config: Partial<MqttClientConfig> & { url: string }) {
  const host = createNodeHost({ clock: 'real', log: 'capture', uart: 'memory' });
  const messages: IncomingMessage[] = [];
  const subs: [string, unknown][] = [];
  const delivered: number[] = [];
  const client = new MqttClient(
    { socket: host.socket, timers: host.timers, clock: host.clock, crypto: host.crypto, logger: new Logger(host.log, 'mqtt', new SecretRegistry(), 'debug') },
    { clientId: 'dev1', username: 'dev1', password: PASSWORD, tls: { ca: [pki.ca.cert] }, ...config },
    { onMessage: (m) => messages.push(m), onSubscription: (f, r) => subs.push([f, r]), onDelivered: (s) => delivered.push(s) },
  );
  stops.push(() => {
    client.stop();
    host.sim.shutdown();
  });
  return { client, host, messages, subs, delivered };
}

describe('MQTT client against mosquitto over TLS', () => {
  it('connects with CA verification, username/password and ACL; QoS 1 round trip', async () => {
    const b = await broker();
    const d = device({ url: `mqtts://localhost:${b.port}` });
    d.client.subscribe('master/dev1/attributevalue/+/4cdWlxEvmDRBBDEuVyJAtM', 1);
    d.client.start();
    await waitFor('online', () => d.client.linkState.phase === 'online');
    await waitFor('SUBACK', () => d.subs.length === 1);
    expect(d.subs).toEqual([['master/dev1/attributevalue/+/4cdWlxEvmDRBBDEuVyJAtM', { granted: 1 }]]);
    // Our own publish comes back through our subscription (the ACL allows both directions on master/dev1/#).
    d.client.publish('master/dev1/attributevalue/temp/4cdWlxEvmDRBBDEuVyJAtM', enc('21.5'), { qos: 1 });
    await waitFor('PUBACK', () => d.delivered.length === 1);
    await waitFor('echo', () => d.messages.length === 1);
    expect(d.messages[0]).toMatchObject({ topic: 'master/dev1/attributevalue/temp/4cdWlxEvmDRBBDEuVyJAtM', qos: 1 });
    d.host.sim.capture!.assertNoSecret(PASSWORD);
  });

  it('surfaces a wrong password as an authentication refusal', async () => {
    const b = await broker();
    const d = device({ url: `mqtts://localhost:${b.port}`, password: 'not-the-password' });
    d.client.start();
    await waitFor('refused', () => d.client.linkState.lastFailure !== undefined);
    const f = d.client.linkState.lastFailure!;
    expect(f.reason).toBe('AUTH_REFUSED');
    expect([4, 5]).toContain(f.connackCode); // mosquitto 2.0 answers 3.1.1 clients with 5 (not authorised)
  });

  it.each([
    ['a server certificate from another CA', () => pki.otherCaServer!, 'localhost', 'TLS_UNKNOWN_CA'],
    ['an expired server certificate', () => pki.expired!, 'localhost', 'TLS_EXPIRED'],
    ['a certificate for another host name', () => pki.server, 'broker.example.com', 'TLS_NAME_MISMATCH'],
  ])('refuses %s', async (_name, cert, serverName, code) => {
    const b = await broker(cert());
    const d = device({ url: `mqtts://127.0.0.1:${b.port}`, tls: { ca: [pki.ca.cert], serverName } });
    d.client.start();
    await waitFor('failure', () => d.client.linkState.lastFailure !== undefined);
    expect(d.client.linkState.lastFailure).toMatchObject({ reason: 'TLS', socketError: code });
    expect(d.client.linkState.phase).toBe('backing-off');
  });
});
