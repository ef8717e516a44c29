// Tests for the dev backend's MQTT broker (tools/backend/broker.ts) against OpenRemote's rules, openremote.md
// §4.2-§4.8: TLS with the generated CA, realm:user login (CONNACK 5), anonymous sessions, client id and realm in
// topics, link stealing denied, disconnect on unauthorised publish, SUBACK 0x80, wildcard expansion on delivery,
// changed values only, QoS 0 out, no retained messages, wills, restricted read filtering, userConnected, §4.7.
import * as tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateTestPki } from '../../tools/certs/pki';
import { DEFAULT_MODELS } from '../../tools/backend/model';
import { humanToken, provisionDevice, provisioned, startHarness, type Harness } from './fixture';
import { roundTrip, TestMqttClient, type ConnectOptions } from './mqtt-test-client';

let h: Harness;
const models = {
  'or-demo': DEFAULT_MODELS['or-demo']!,
  // `internal` is writable by the device but not readable by it: restricted read filtering must hide its events.
  'or-filter': {
    assetType: 'ThingAsset',
    attributes: {
      visible: { type: 'number' as const, meta: { accessRestrictedRead: true, accessRestrictedWrite: true } },
      internal: { type: 'number' as const, meta: { accessRestrictedWrite: true } },
    },
  },
};

beforeAll(async () => {
  h = await startHarness({ models });
});
afterAll(async () => {
  await h.backend.stop();
});

const open: TestMqttClient[] = [];
async function connect(o: Omit<ConnectOptions, 'port' | 'ca'>): Promise<TestMqttClient> {
  const c = await TestMqttClient.connect({ port: h.backend.mqttPort, ca: h.backend.caPem, ...o });
  open.push(c);
  return c;
}
/** Provisions a device and connects it like the firmware would: client id = user, username realm:user. */
async function device(name: string, password = `pw-${name}-Xk9`, extra: Partial<ConnectOptions> = {}): Promise<{ c: TestMqttClient; assetId: string }> {
  const assetId = await provisioned(h, name, password);
  const c = await connect({ clientId: name, username: `master:${name}`, password, ...extra });
  expect(c.connack?.returnCode).toBe(0);
  return { c, assetId };
}
const value = (assetId: string, name: string) => h.backend.core.getAsset(assetId)!.attributes[name]!.value;
async function put(assetId: string, name: string, body: string): Promise<number> {
  const t = await humanToken(h);
  const r = await fetch(`${h.base}/api/master/asset/${assetId}/attribute/${name}`, { method: 'PUT', headers: { Authorization: `Bearer ${t}` }, body });
  return r.status;
}
async function eventually(check: () => boolean, what: string): Promise<void> {
  const end = Date.now() + 3000;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

afterAll(() => {
  for (const c of open) c.socket.destroy();
});

describe('TLS and authentication (§4.1, §4.2)', () => {
  it('serves TLS with a certificate issued by the generated CA for localhost and 127.0.0.1', async () => {
    for (const servername of ['localhost', undefined]) {
      const s = tls.connect({ host: '127.0.0.1', port: h.backend.mqttPort, ca: h.backend.caPem, ...(servername ? { servername } : {}) });
      await new Promise<void>((resolve, reject) => {
        s.once('secureConnect', () => resolve());
        s.once('error', reject);
      });
      expect(s.authorized).toBe(true);
      expect(s.getProtocol()).toMatch(/^TLSv1\.[23]$/);
      s.destroy();
    }
    const foreign = await generateTestPki();
    const s = tls.connect({ host: '127.0.0.1', port: h.backend.mqttPort, ca: foreign.ca.cert, servername: 'localhost' });
    const err = await new Promise<Error>((resolve) => s.once('error', resolve));
    expect((err as NodeJS.ErrnoException).code).toMatch(/UNABLE_TO_VERIFY_LEAF_SIGNATURE|SELF_SIGNED|UNABLE_TO_GET_ISSUER_CERT|CERT_SIGNATURE_FAILURE/);
  });

  it('accepts realm:user with the service secret and refuses everything else with CONNACK 5', async () => {
    await provisioned(h, 'auth1', 'Auth1-Secret-Zq');
    const ok = await connect({ clientId: 'auth1', username: 'master:auth1', password: 'Auth1-Secret-Zq' });
    expect(ok.connack?.returnCode).toBe(0);
    await ok.disconnect();
    const refused: [string | undefined, string][] = [
      ['master:auth1', 'wrong'],
      ['master:auth1', ''], // an empty password is a login attempt, not anonymous
      ['auth1', 'Auth1-Secret-Zq'], // no ':'
      ['other:auth1', 'Auth1-Secret-Zq'], // wrong realm
      ['master:admin', 'Admin-Pw-91'], // human users have no client_credentials
      ['master:AUTH1x', 'Auth1-Secret-Zq'],
    ];
    for (const [username, password] of refused) {
      const c = await connect({ clientId: 'auth1', username, password });
      expect(c.connack?.returnCode, `${username}`).toBe(5);
      await c.waitForClose();
    }
  });

  it('treats a null password as anonymous: provisioning topics only', async () => {
    const c = await connect({ clientId: 'anon1' });
    expect(c.connack?.returnCode).toBe(0);
    expect(await c.subscribe({ topic: 'provisioning/dev1/response' }, { topic: 'master/anon1/attributevalue/+/#' })).toEqual([0, 128]);
    c.publish('provisioning/dev1/request', '{"type":"x509","cert":""}');
    await roundTrip(c);
    expect(c.closed).toBe(false);
    c.publish('master/anon1/writeattributevalue/temperature/0000000000000000000000', '1');
    await c.waitForClose();
  });

  it('models the Keycloak round trip inside CONNECT when loginDelayMs is set', async () => {
    const slow = await startHarness({ loginDelayMs: 300 });
    try {
      await provisioned(slow, 'slow1', 'Slow-Secret-Pq');
      const t0 = Date.now();
      const c = await TestMqttClient.connect({ port: slow.backend.mqttPort, ca: slow.backend.caPem, clientId: 'slow1', username: 'master:slow1', password: 'Slow-Secret-Pq' });
      expect(c.connack?.returnCode).toBe(0);
      expect(Date.now() - t0).toBeGreaterThanOrEqual(290);
      await c.disconnect();
      // Two CONNECTs with one client id racing through the login delay: exactly one gets in (§4.3).
      const both = await Promise.all(
        [0, 1].map(() => TestMqttClient.connect({ port: slow.backend.mqttPort, ca: slow.backend.caPem, clientId: 'slow1', username: 'master:slow1', password: 'Slow-Secret-Pq' })),
      );
      expect(both.map((x) => x.connack?.returnCode ?? 'closed').sort()).toEqual([0, 'closed']);
      for (const x of both) x.socket.destroy();
    } finally {
      await slow.backend.stop();
    }
  });
});

describe('client id (§4.3)', () => {
  it('refuses a second connection with the same client id while the first is alive, keeping the first', async () => {
    const { c: first } = await device('dup1');
    const second = await connect({ clientId: 'dup1', username: 'master:dup1', password: 'pw-dup1-Xk9' });
    expect(second.connack).toBeUndefined(); // Artemis closes the new link without a CONNACK (3.1.1)
    expect(second.closed).toBe(true);
    await roundTrip(first);
    expect(first.closed).toBe(false);
    expect(h.backend.connectedClientIds()).toContain('dup1');
    await first.destroy();
    await eventually(() => !h.backend.connectedClientIds().includes('dup1'), 'old session gone');
    const third = await connect({ clientId: 'dup1', username: 'master:dup1', password: 'pw-dup1-Xk9' });
    expect(third.connack?.returnCode).toBe(0);
    await third.disconnect();
  });

  it('requires the client id as the 2nd topic token of subscribe and publish', async () => {
    const { c, assetId } = await device('cid1');
    expect(await c.subscribe({ topic: `master/someoneelse/attributevalue/+/${assetId}` })).toEqual([128]);
    expect(await c.subscribe({ topic: `master/cid1/attributevalue/+/${assetId}` })).toEqual([0]);
    c.publish(`master/someoneelse/writeattributevalue/temperature/${assetId}`, '20');
    await c.waitForClose();
    expect(value(assetId, 'temperature')).toBe(null);
  });

  it('requires the topic realm to be the user realm', async () => {
    const { c, assetId } = await device('realm1');
    expect(await c.subscribe({ topic: `other/realm1/attributevalue/+/${assetId}` })).toEqual([128]);
    c.publish(`other/realm1/writeattributevalue/temperature/${assetId}`, '20');
    await c.waitForClose();
  });
});

describe('publish (§4.5)', () => {
  it('writes values with writeattributevalue and writeattribute; malformed payloads are dropped, not disconnects', async () => {
    const { c, assetId } = await device('pub1');
    const topic = (op: string, attr: string) => `master/pub1/${op}/${attr}/${assetId}`;
    c.publish(topic('writeattributevalue', 'temperature'), '21.5', 1);
    await c.waitFor((p) => p.cmd === 'puback', 'PUBACK');
    expect(value(assetId, 'temperature')).toBe(21.5);
    c.publish(topic('writeattributevalue', 'firmwareVersion'), '"1.2.3"');
    c.publish(topic('writeattributevalue', 'uptime'), '"17"'); // coerced to number
    await roundTrip(c);
    expect(value(assetId, 'firmwareVersion')).toBe('1.2.3');
    expect(value(assetId, 'uptime')).toBe(17);

    c.publish(topic('writeattributevalue', 'rssi'), 'not json'); // invalid JSON → null
    c.publish(topic('writeattributevalue', 'temperature'), '"warm"'); // coercion fails → rejected
    c.publish(topic('writeattribute', 'firmwareVersion'), '{"value":"2.0"}'); // no timestamp → dropped
    c.publish(topic('writeattribute', 'firmwareVersion'), '{"value":"2.0","timestamp":0}'); // timestamp ≤ 0 → dropped
    c.publish(topic('writeattribute', 'firmwareVersion'), '{"timestamp":5}'); // no value → dropped
    await roundTrip(c);
    expect(c.closed).toBe(false);
    expect(value(assetId, 'rssi')).toBe(null);
    expect(value(assetId, 'temperature')).toBe(21.5);
    expect(value(assetId, 'firmwareVersion')).toBe('1.2.3');

    const attr = () => h.backend.core.getAsset(assetId)!.attributes.switch!;
    const past = Date.now() - 60_000;
    c.publish(topic('writeattribute', 'switch'), JSON.stringify({ value: true, timestamp: past }));
    await roundTrip(c);
    expect(attr().value).toBe(true);
    expect(attr().timestamp).toBe(past);
    c.publish(topic('writeattribute', 'switch'), JSON.stringify({ value: false, timestamp: past - 1000 })); // outdated
    await roundTrip(c);
    expect(attr().value).toBe(true);
    c.publish(topic('writeattribute', 'switch'), JSON.stringify({ value: false, timestamp: Date.now() + 3_600_000 })); // future → now
    await roundTrip(c);
    expect(attr().value).toBe(false);
    expect(attr().timestamp).toBeLessThanOrEqual(Date.now());
  });

  it('disconnects the client on every unauthorised publish (MQTT 3.1.1)', async () => {
    const other = await provisioned(h, 'victim1', 'Victim-Pw-77');
    const bad = (assetId: string) => [
      `master/unauth1/writeattributevalue/connected/${assetId}`, // no accessRestrictedWrite
      `master/unauth1/writeattributevalue/nosuchattr/${assetId}`,
      `master/unauth1/writeattributevalue/temperature/${other}`, // not linked
      `master/unauth1/writeattributevalue/temperature/${assetId}/extra`,
      `master/unauth1/writeattributevalue/temperature`,
      `master/unauth1/writeattributevalue/temperature/short`,
      `master/unauth1/attributevalue/temperature/${assetId}`,
      `master/unauth1/writeattributevalue/temperature/0000000000000000000000`, // no such asset
    ];
    const { c: first, assetId } = await device('unauth1');
    await first.disconnect();
    for (const topic of bad(assetId)) {
      const c = await connect({ clientId: 'unauth1', username: 'master:unauth1', password: 'pw-unauth1-Xk9' });
      expect(c.connack?.returnCode).toBe(0);
      c.publish(topic, '1');
      await c.waitForClose();
      await eventually(() => !h.backend.connectedClientIds().includes('unauth1'), 'released');
    }
    expect(value(other, 'temperature')).toBe(null);
    expect(value(assetId, 'connected')).toBe(false);
  });

  it('keeps no retained messages', async () => {
    const { c, assetId } = await device('ret1');
    c.publish(`master/ret1/writeattributevalue/temperature/${assetId}`, '5', 0, true);
    await roundTrip(c);
    expect(value(assetId, 'temperature')).toBe(5);
    const sub = await connect({ clientId: 'ret1-watch', username: 'master:ret1', password: 'pw-ret1-Xk9' });
    await sub.subscribe({ topic: `master/ret1-watch/attributevalue/+/#` });
    await roundTrip(sub);
    expect(sub.publishes()).toEqual([]);
  });
});

describe('subscribe and delivery (§4.4, §4.5)', () => {
  it('delivers changes at QoS 0 on topics with the wildcards expanded, value and attribute-event forms', async () => {
    const { c, assetId } = await device('sub1');
    expect(await c.subscribe({ topic: `master/sub1/attributevalue/+/${assetId}`, qos: 1 }, { topic: 'master/sub1/attribute/switch/#' }, { topic: 'master/sub1/attributevalue/temperature/+' })).toEqual([1, 0, 0]);
    expect(await put(assetId, 'switch', 'true')).toBe(204);
    const got = await c.waitFor((p) => p.cmd === 'publish' && p.topic === `master/sub1/attribute/switch/${assetId}`, 'attribute event');
    await c.waitFor((p) => p.cmd === 'publish' && p.topic === `master/sub1/attributevalue/switch/${assetId}`, 'value event');
    const ev = JSON.parse((got as { payload: Buffer }).payload.toString()) as Record<string, unknown>;
    expect(ev).toMatchObject({ eventType: 'attribute', ref: { id: assetId, name: 'switch' }, value: true, realm: 'master', deleted: false });
    expect(typeof ev.timestamp).toBe('number');
    expect(await put(assetId, 'temperature', '19.5')).toBe(204);
    await eventually(() => c.publishes().filter((p) => p.topic === `master/sub1/attributevalue/temperature/${assetId}`).length === 2, 'two subscriptions matched');
    for (const p of c.publishes()) {
      expect(p.qos).toBe(0);
      expect(p.retain).toBe(false);
      expect(p.topic).not.toMatch(/[+#]/);
    }
    const v = c.publishes().find((p) => p.topic === `master/sub1/attributevalue/switch/${assetId}`)!;
    expect(v.payload.toString()).toBe('true');
  });

  it('forwards only changed values, including the echo of the device own writes', async () => {
    const { c, assetId } = await device('chg1');
    await c.subscribe({ topic: `master/chg1/attributevalue/temperature/${assetId}` });
    const count = () => c.publishes().length;
    await put(assetId, 'temperature', '1');
    await put(assetId, 'temperature', '1');
    c.publish(`master/chg1/writeattributevalue/temperature/${assetId}`, '1');
    await roundTrip(c);
    await put(assetId, 'temperature', '2');
    await eventually(() => count() === 2, 'second change');
    c.publish(`master/chg1/writeattributevalue/temperature/${assetId}`, '3');
    await eventually(() => count() === 3, 'echo of own write');
    expect(c.publishes().map((p) => p.payload.toString())).toEqual(['1', '2', '3']);
  });

  it('gives a restricted user events only for linked assets and accessRestrictedRead attributes', async () => {
    const t = await humanToken(h);
    const r = await provisionDevice(h, t, { deviceId: 'filt1', password: 'Filt-Pw-31', modelName: 'or-filter' });
    const assetId = r.json.assetId as string;
    const other = await provisioned(h, 'filt-other', 'Other-Pw-32');
    const c = await connect({ clientId: 'filt1', username: 'master:filt1', password: 'Filt-Pw-31' });
    expect(await c.subscribe({ topic: 'master/filt1/attributevalue/+/#' }, { topic: `master/filt1/attributevalue/+/${other}` })).toEqual([0, 128]);
    await put(assetId, 'internal', '7');
    await put(other, 'temperature', '8');
    await put(assetId, 'visible', '9');
    await c.waitFor((p) => p.cmd === 'publish', 'visible event');
    await roundTrip(c);
    expect(c.publishes().map((p) => [p.topic, p.payload.toString()])).toEqual([[`master/filt1/attributevalue/visible/${assetId}`, '9']]);
    // It may still write the write-only attribute.
    c.publish(`master/filt1/writeattributevalue/internal/${assetId}`, '10');
    await roundTrip(c);
    expect(value(assetId, 'internal')).toBe(10);
    expect(c.closed).toBe(false);
  });

  it('refuses malformed subscriptions with SUBACK 0x80 and keeps the connection', async () => {
    const { c, assetId } = await device('badsub1');
    const granted = await c.subscribe(
      { topic: 'master/badsub1/#' },
      { topic: `master/badsub1/writeattributevalue/temperature/${assetId}` },
      { topic: `master/badsub1/asset/${assetId}` },
      { topic: "master/badsub1/attributevalue/temperature/+/+" },
      { topic: 'master/badsub1/attributevalue/temperature/notanid' },
      { topic: `master/badsub1/attributevalue/temperature/${assetId}/+` },
    );
    expect(granted).toEqual([128, 128, 128, 128, 128, 0]);
    await roundTrip(c);
    expect(c.closed).toBe(false);
    // A filter that is not valid MQTT at all ('#' not last) is a protocol error: the broker closes the connection.
    c.send({ cmd: 'subscribe', messageId: 99, subscriptions: [{ topic: `master/badsub1/attributevalue/#/${assetId}`, qos: 0 }] });
    await c.waitForClose();
  });
});

describe('will, connected flag and forced disconnect (§4.6, §4.7)', () => {
  it('publishes an authorised will on an abrupt drop only', async () => {
    const assetId = await provisioned(h, 'will1', 'Will-Pw-41');
    const will = { topic: `master/will1/writeattributevalue/firmwareVersion/${assetId}`, payload: '"offline"', qos: 1 as const, retain: true };
    const graceful = await connect({ clientId: 'will1', username: 'master:will1', password: 'Will-Pw-41', will });
    await graceful.disconnect();
    await new Promise((r) => setTimeout(r, 100));
    expect(value(assetId, 'firmwareVersion')).toBe(null);
    const abrupt = await connect({ clientId: 'will1', username: 'master:will1', password: 'Will-Pw-41', will });
    expect(abrupt.connack?.returnCode).toBe(0);
    await abrupt.destroy();
    await eventually(() => value(assetId, 'firmwareVersion') === 'offline', 'will applied');
  });

  it('ignores an unauthorised will', async () => {
    const assetId = await provisioned(h, 'will2', 'Will-Pw-42');
    const c = await connect({ clientId: 'will2', username: 'master:will2', password: 'Will-Pw-42', will: { topic: `master/will2/writeattributevalue/connected/${assetId}`, payload: 'true' } });
    await c.destroy();
    await eventually(() => !h.backend.connectedClientIds().includes('will2'), 'released');
    await new Promise((r) => setTimeout(r, 100));
    expect(value(assetId, 'connected')).toBe(false);
    expect(h.logs.some((l) => l.includes('will from will2') && l.includes('accessRestrictedWrite'))).toBe(true);
  });

  it('sets the userConnected attribute while the service user has a connection', async () => {
    const { c, assetId } = await device('conn1');
    await eventually(() => value(assetId, 'connected') === true, 'connected=true');
    await c.disconnect();
    await eventually(() => value(assetId, 'connected') === false, 'connected=false');
  });

  it('force-disconnects the user when re-provisioning changes its secret, but not when it stays the same', async () => {
    const { c } = await device('rot1', 'Rot-Old-51');
    const t = await humanToken(h);
    await provisionDevice(h, t, { deviceId: 'rot1', password: 'Rot-Old-51', modelName: 'or-demo' });
    await roundTrip(c);
    expect(c.closed).toBe(false);
    await provisionDevice(h, t, { deviceId: 'rot1', password: 'Rot-New-52', modelName: 'or-demo' });
    await c.waitForClose();
    const old = await connect({ clientId: 'rot1', username: 'master:rot1', password: 'Rot-Old-51' });
    expect(old.connack?.returnCode).toBe(5);
    const fresh = await connect({ clientId: 'rot1', username: 'master:rot1', password: 'Rot-New-52' });
    expect(fresh.connack?.returnCode).toBe(0);
    await fresh.disconnect();
  });

  it('never logs a service secret', () => {
    const all = h.logs.join('\n');
    for (const s of ['Auth1-Secret-Zq', 'Will-Pw-41', 'Rot-New-52', 'Rot-Old-51', 'Filt-Pw-31', 'pw-sub1-Xk9']) expect(all).not.toContain(s);
  });
});
