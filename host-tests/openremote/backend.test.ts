// The whole path against the development backend (tools/backend: OpenRemote-like HTTP API and aedes broker with
// OpenRemote's rules, over real TLS on loopback), in real time: the app provisions Wi-Fi, asks DeviceInfo, calls
// POST /api/master/rest/device with a bearer token, sends OpenRemoteConfig and polls until the real MQTT client
// (MqttBackendLink over the simulator's socket host) is online with its subscription acknowledged. Failure paths
// in the same BLE session: a wrong MQTT password and a broker whose CA the device does not trust both end in
// FAILED inside the app's 60 s (with the newer app's stop-on-FAILED), never CONNECTED; the correct config then
// recovers. Deviation from the app: the broker listens on an ephemeral port, not 8883 (other tests run in parallel).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MqttBackendLink } from '../../firmware/openremote/mqtt-link';
import { OpenRemoteMqtt } from '../../firmware/openremote/mqtt-api';
import type { MqttClient } from '../../firmware/mqtt/client';
import { startBackend, type Backend } from '../../tools/backend/index';
import { generateTestPki, writeTestPki } from '../../tools/certs/pki';
import { createNodeHost, type NodeHost } from '../../tools/sim/host/index';
import { OpenRemoteApp, randomPassword, type PhoneTime } from './app';
import { bootProvisioningDevice, DEVICE_ID, MODEL, POP, type DeviceTime } from './rig';

let backend: Backend;
let foreign: Backend; // same software, certificate from "or-esp32 untrusted test CA": the device does not trust it
let foreignDir: string;
let host: NodeHost;

beforeAll(async () => {
  backend = await startBackend({ httpPort: 0, mqttPort: 0, loginDelayMs: 200 });
  // startBackend keeps its PKI in DIR/pki: put the untrusted CA's chain there. (The backends' own CAs share one
  // subject name, which OpenSSL reports as a signature failure rather than an unknown issuer.)
  foreignDir = fs.mkdtempSync(path.join(os.tmpdir(), 'or-cfg-foreign-'));
  const pki = await generateTestPki({ otherCa: true });
  writeTestPki(path.join(foreignDir, 'pki'), { ca: pki.otherCa!, server: pki.otherCaServer! });
  foreign = await startBackend({ httpPort: 0, mqttPort: 0, dataDir: foreignDir });
  host = createNodeHost({ clock: 'real', log: 'capture', uart: 'memory' });
}, 60_000);

afterAll(async () => {
  host?.sim.shutdown();
  await backend?.stop();
  await foreign?.stop();
  if (foreignDir) fs.rmSync(foreignDir, { recursive: true, force: true });
});

async function http(path: string, init: RequestInit): Promise<Response> {
  return fetch(`http://127.0.0.1:${backend.httpPort}${path}`, init);
}

describe('or-cfg against the development backend (real TLS broker)', () => {
  it('provisions, fails cleanly on a wrong password and an untrusted CA, recovers, publishes, exits', async () => {
    const time: DeviceTime = {
      setTimeout: (fn, ms) => host.timers.setTimeout(fn, ms),
      setInterval: (fn, ms) => host.timers.setInterval(fn, ms),
      clear: (id) => host.timers.clear(id),
      monotonicMs: () => host.clock.monotonicMs(),
      wallMs: () => host.clock.wallMs(),
    };
    let client: MqttClient | undefined;
    const device = bootProvisioningDevice({
      clock: time,
      link: ({ log, secrets }) =>
        new MqttBackendLink({
          deps: { socket: host.socket, timers: host.timers, clock: host.clock, crypto: host.crypto, logger: log },
          ca: [backend.caPem],
          secrets,
          onClient: (c) => (client = c),
        }),
    });
    const phone: PhoneTime = { now: () => host.clock.monotonicMs(), pace: () => new Promise((r) => setTimeout(r, 20)) };
    const app = await OpenRemoteApp.connect(device.peripheral, POP, phone);
    await app.provisionWifi('HomeNet', 'secretpass');

    // PROVISION_DEVICE, step by step (§1.5), with the real HTTP API.
    const info = (await app.orCfg('deviceInfo')).deviceInfo!;
    expect(info.deviceId).toBe(DEVICE_ID);
    const tokenResponse = await http('/auth/realms/master/protocol/openid-connect/token', {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=password&client_id=openremote&username=admin&password=secret',
    });
    const { access_token: token } = (await tokenResponse.json()) as { access_token: string };
    const password = randomPassword();
    const provisioned = await http('/api/master/rest/device', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
      body: JSON.stringify({ modelName: info.modelName, deviceId: info.deviceId, password }),
    });
    expect(provisioned.status).toBeLessThan(300);
    const { assetId } = (await provisioned.json()) as { assetId: string };
    expect(info.modelName).toBe(MODEL);
    const good = { mqttBrokerUrl: `mqtts://localhost:${backend.mqttPort}`, user: DEVICE_ID.toLowerCase(), mqttPassword: password, realm: 'master', assetId };

    // Wrong password: FAILED inside the window (newer app stops at FAILED: 301), never CONNECTED.
    const wrong = await app.sendConfigAndPoll({ ...good, mqttPassword: 'WrongPassword999' }, true);
    expect(wrong.connected).toBe(false);
    expect(wrong.errorCode).toBe(301);
    expect(wrong.statuses).not.toContain(2);
    expect((await app.readProtoVersion()).openremote.cap).toContain('link:auth_refused');

    // A broker with a certificate from a CA the device does not trust: FAILED at once.
    const untrusted = await app.sendConfigAndPoll({ ...good, mqttBrokerUrl: `mqtts://localhost:${foreign.mqttPort}` }, true);
    expect(untrusted.errorCode).toBe(301);
    expect(untrusted.statuses).not.toContain(2);
    expect((await app.readProtoVersion()).openremote.cap).toContain('link:tls_unknown_ca');

    // The correct config recovers in the same session.
    const ok = await app.sendConfigAndPoll(good, true);
    expect(ok.connected).toBe(true);
    expect(backend.connectedClientIds()).toContain(DEVICE_ID.toLowerCase());

    // The link is usable by the application: a write reaches the backend's asset.
    const attribute = new Promise<unknown>((resolve) => backend.events.on('attribute', (e: { attributeName?: string; name?: string; value?: unknown }) => resolve(e)));
    const or = new OpenRemoteMqtt(client!, { realm: 'master', clientId: good.user, assetId }, host.clock);
    expect(or.write('temperature', 21.5).ok).toBe(true);
    expect(JSON.stringify(await attribute)).toContain('21.5');

    await app.exitProvisioning();
    await new Promise((r) => setTimeout(r, 1300)); // cleanup delay
    expect(device.peripheral.isReleased()).toBe(true);
    expect(device.channel.linkState().status).toBe('CONNECTED');
    device.capture.assertNoSecret(password, 'WrongPassword999', POP);
    device.link.stop();
  }, 90_000);
});
