// The demo application against the development backend (tools/backend: OpenRemote's broker rules over real TLS on
// loopback), in real time: a device provisioned through POST /rest/device runs the real MqttClient, OpenRemoteMqtt
// (incoming values and outgoing writes) over the simulator's Node socket host with the demo app wired the way the boot flow does it (connect after the
// SUBACK of attributevalue/+, disconnect when the link leaves online). Checked: every or-demo attribute arrives with
// the right type (the broker drops the connection on any unauthorised publish, so a wrong name would show here as a
// reconnect), temperature keeps updating, a switch PUT by a user reaches the relay and is echoed by the device, and
// values changed while offline are in the asset after the reconnect.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bindOpenRemote } from '../../firmware/app/attributes';
import { DemoApp } from '../../firmware/app/demo';
import { MqttClient } from '../../firmware/mqtt/client';
import { OpenRemoteMqtt, mqttConfigFor } from '../../firmware/openremote/mqtt-api';
import { Logger, SecretRegistry } from '../../firmware/util/log';
import { startBackend, type Backend } from '../../tools/backend/index';
import type { AttributeEvent } from '../../tools/backend/core';
import { createNodeHost, type NodeHost } from '../../tools/sim/host/index';

const DEVICE = 'a4cf12b3c4d5';
const PASSWORD = 'Dev-Secret-3317-xyz';

let backend: Backend;
let host: NodeHost;
const events: AttributeEvent[] = [];

beforeAll(async () => {
  backend = await startBackend({ httpPort: 0, mqttPort: 0, loginDelayMs: 50 });
  backend.events.on('attribute', (e: AttributeEvent) => events.push(e));
  host = createNodeHost({ clock: 'real', log: 'capture', uart: 'memory' });
}, 60_000);

afterAll(async () => {
  host?.sim.shutdown();
  await backend?.stop();
});

async function http(path: string, init: RequestInit = {}): Promise<Response> {
  return fetch(`http://127.0.0.1:${backend.httpPort}${path}`, init);
}

async function until<T>(what: string, probe: () => T | undefined | false, timeoutMs = 15_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = probe();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('demo app against the development backend', () => {
  it('publishes the or-demo attributes, applies and echoes a switch write, and catches up after a reconnect', async () => {
    // A user provisions the device (what the app does in PROVISION_DEVICE, §1.5).
    const tokenRes = await http('/auth/realms/master/protocol/openid-connect/token', {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=password&client_id=openremote&username=admin&password=secret',
    });
    const { access_token: token } = (await tokenRes.json()) as { access_token: string };
    const prov = await http('/api/master/rest/device', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
      body: JSON.stringify({ deviceId: DEVICE, password: PASSWORD, modelName: 'or-demo' }),
    });
    expect(prov.status).toBe(201);
    const { assetId } = (await prov.json()) as { assetId: string };
    const asset = () => backend.core.getAsset(assetId)!.attributes;

    // The device side, wired like the boot flow will.
    const secrets = new SecretRegistry();
    secrets.add(PASSWORD);
    const log = new Logger(host.log, 'app', secrets, 'debug');
    const config = mqttConfigFor(
      { mqttBrokerUrl: `mqtts://localhost:${backend.mqttPort}`, user: DEVICE, mqttPassword: PASSWORD, realm: 'master', assetId },
      { ca: [backend.caPem] },
    );
    if (typeof config === 'string') throw new Error(config);
    const app = new DemoApp({
      timers: host.timers,
      clock: host.clock,
      crypto: host.crypto,
      wifi: { stationInfo: () => ({ ssid: new Uint8Array([0x78]), bssid: new Uint8Array(6), channel: 1, rssi: -58, auth: 3, ip: '10.0.0.9' }) },
      logger: log,
      firmwareVersion: '0.1.0-test',
      sampleMs: 100,
      periodMs: 20_000, // a fast curve so temperature changes within the test
    });
    let or: OpenRemoteMqtt | undefined = undefined;
    let connects = 0;
    const client = new MqttClient({ socket: host.socket, timers: host.timers, clock: host.clock, crypto: host.crypto, logger: log.child('mqtt') }, config, {
      onLinkState: (s) => {
        if (s.phase !== 'online') app.disconnect();
      },
      onSubscription: (_filter, result) => {
        if ('failed' in result) throw new Error('subscription refused');
        connects++;
        app.connect(or!);
      },
      onMessage: (m) => or!.handleMessage(m),
    });
    or = new OpenRemoteMqtt(client, { realm: 'master', clientId: DEVICE, assetId }, host.clock);
    bindOpenRemote(app.model, or);
    expect(or.subscribeValues().ok).toBe(true);
    app.start();
    client.start();

    // 1. Every declared attribute arrives, typed as the model says.
    await until('all attributes', () => ['temperature', 'switch', 'firmwareVersion', 'rssi', 'uptime'].every((n) => asset()[n].timestamp > 0));
    expect(asset().firmwareVersion.value).toBe('0.1.0-test');
    expect(asset().switch.value).toBe(false);
    expect(asset().rssi.value).toBe(-58);
    expect(typeof asset().uptime.value).toBe('number');
    expect(typeof asset().temperature.value).toBe('number');
    expect(asset().connected.value).toBe(true);
    const firstTemp = asset().temperature.value;
    await until('a newer temperature', () => asset().temperature.value !== firstTemp, 15_000);

    // 2. A user switches the relay on through the REST API; the device applies it and echoes it back.
    const put = await http(`/api/master/asset/${assetId}/attribute/switch`, {
      method: 'PUT',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
      body: 'true',
    });
    expect(put.status).toBe(204);
    await until('relay on', () => app.relay);
    expect(host.sim.capture!.lines.some((l) => l.includes('relay on'))).toBe(true);
    const echo = await until('the echo', () => events.find((e) => e.name === 'switch' && e.source === `mqtt:${DEVICE}` && e.value === true));
    expect(echo.changed).toBe(false); // the cloud already held true: the echo confirms it
    expect(app.model.stats()).toMatchObject({ applied: 1, rejected: 0 });

    // 3. A local toggle is published; its echo from OpenRemote is not mistaken for a write.
    app.toggleSwitch();
    await until('switch false in the asset', () => asset().switch.value === false);
    await new Promise((r) => setTimeout(r, 300));
    expect(app.relay).toBe(false);
    expect(app.model.stats().applied).toBe(1);
    expect(app.model.stats().echoes).toBeGreaterThan(0);

    // 4. Offline: the sensor keeps sampling (coalesced); after the reconnect everything is published again.
    client.stop();
    app.toggleSwitch(); // relay on while offline
    const coalescedBefore = app.model.stats().coalesced;
    await new Promise((r) => setTimeout(r, 1500));
    expect(app.model.stats().coalesced).toBeGreaterThan(coalescedBefore);
    expect(asset().switch.value).toBe(false);
    const publishedBefore = app.model.stats().published;
    client.start();
    await until('switch true after the reconnect', () => asset().switch.value === true);
    expect(connects).toBe(2);
    expect(app.model.stats().published - publishedBefore).toBeGreaterThanOrEqual(5);
    expect(Math.abs((asset().temperature.value as number) - app.model.get('temperature')!)).toBeLessThan(0.6);

    // Never dropped for an unauthorised publish (that would show as more than the two CONNACKs).
    expect(client.stats.connects).toBe(2);
    host.sim.capture!.assertNoSecret(PASSWORD);
    app.stop();
    client.stop();
  }, 60_000);
});
