// tools/prov over BLE: the simulator's BLE link protocol in front of the firmware BLE transport (simulated NimBLE
// peripheral), the real protocomm core and provisioning manager. Checks the phone-like behaviour: name-prefix scan
// (case-sensitive like Android, case-insensitive like iOS), MTU 512 request, endpoints by 0x2901 names, scan pages
// of 4, sec2 with the OpenRemote flow, and the wrong-PoP failure (ATT 0x04) mapped to 301.
import { afterEach, describe, expect, it } from 'vitest';
import { startBackend, type Backend } from '../../tools/backend/index';
import { OR_ERROR } from '../../tools/prov/errors';
import { ProvSession, readProtoVersion, scanWifi } from '../../tools/prov/flows';
import { runProvisioning } from '../../tools/prov/provision';
import { createClientSecurity } from '../../tools/prov/security/index';
import { BleTransport, nameMatches } from '../../tools/prov/transport/ble';
import { startTestDevice, type TestDevice } from './device';
import { expectNoSecrets, POP, sec2Device, WIFI_PASS } from './helpers';

let device: TestDevice | undefined;
let backend: Backend | undefined;
afterEach(async () => {
  await device?.stop();
  await backend?.stop();
  device = undefined;
  backend = undefined;
});

describe('tools/prov over the simulated BLE link', () => {
  it('name matching: Android is case-sensitive, iOS is not, nameless devices never match', () => {
    expect(nameMatches('PROV_261FCC', 'PROV_', 'android')).toBe(true);
    expect(nameMatches('PROV_261FCC', 'prov_', 'android')).toBe(false);
    expect(nameMatches('PROV_261FCC', 'prov_', 'ios')).toBe(true);
    expect(nameMatches(null, '', 'ios')).toBe(false);
  });

  it('sec2 + scan + Wi-Fi + OpenRemote flow, discovered by 0x2901 names, MTU from a 512 request', async () => {
    backend = await startBackend({ httpPort: 0, mqttPort: 0, users: [{ realm: 'master', username: 'admin', password: 'hunter2-admin' }] });
    const core = backend.core;
    device = await startTestDevice({
      security: sec2Device(),
      transport: 'ble',
      orCfg: { deviceId: 'AABBCCDDEEFF', modelName: 'or-demo', checkCredentials: (realm, user, pw) => !!core.checkClientCredentials(realm, user, pw), connectingPolls: 2 },
    });
    const r = await runProvisioning({
      transport: 'ble',
      blePort: device.blePort,
      namePrefix: 'PROV_',
      pop: POP,
      scan: true,
      ssid: 'HomeNet',
      passphrase: WIFI_PASS,
      wifiPollIntervalMs: 50,
      openremote: { backend: `http://127.0.0.1:${backend.httpPort}`, user: 'admin', password: 'hunter2-admin' },
    });
    expect(r.message).toBeUndefined();
    expect(r.ok).toBe(true);
    expect(r.lines[0]).toMatch(/^✓ ble: PROV_261FCC \([0-9a-f:]+\), MTU \d+$/);
    // Android's rule: sec_ver 2 from proto-ver is used as given (no --sec-ver needed, unlike esp_prov).
    expect(r.security).toEqual({ version: 2, patchVersion: 1, source: 'device' });
    expect(r.networks?.map((n) => n.ssid)).toContain('HomeNet');
    expect(r.mqttUrl).toBe('mqtts://127.0.0.1:8883');
    expect(r.mqttUser).toBe('aabbccddeeff');
    expect(device.orCfg!.exited).toBe(true);
    expectNoSecrets(r.lines, POP, WIFI_PASS, 'hunter2-admin', device.orCfg!.config!.mqttPassword);
  });

  it('reads scan results 4 at a time on BLE (found with an iOS-style case-insensitive prefix)', async () => {
    device = await startTestDevice({ security: { version: 1, pop: POP }, transport: 'ble' });
    const transport = await BleTransport.open({ port: device.blePort, namePrefix: 'prov_', nameMatch: 'ios' });
    try {
      expect(transport.endpoints()).toEqual(expect.arrayContaining(['prov-session', 'prov-config', 'proto-ver', 'prov-scan', 'prov-ctrl']));
      const session = new ProvSession(transport, createClientSecurity({ version: 1, patchVersion: 0 }, { pop: POP }));
      await readProtoVersion(transport);
      await session.establish();
      const sent: number[] = [];
      const original = transport.send.bind(transport);
      transport.send = async (ep, data) => {
        if (ep === 'prov-scan') sent.push(data.length);
        return original(ep, data);
      };
      const networks = await scanWifi(session);
      expect(networks.length).toBe(5);
      // start + status + ceil(5 / 4) = 2 result pages
      expect(sent.length).toBe(4);
    } finally {
      await transport.close();
    }
  });

  it('Android-style case-sensitive prefix finds nothing for "prov_" (600); wrong PoP → 301', async () => {
    device = await startTestDevice({ security: { version: 1, pop: POP }, transport: 'ble' });
    const miss = await runProvisioning({ transport: 'ble', blePort: device.blePort, namePrefix: 'prov_', bleScanTimeoutMs: 300, pop: POP });
    expect(miss).toMatchObject({ ok: false, code: OR_ERROR.timeoutError });
    const bad = await runProvisioning({ transport: 'ble', blePort: device.blePort, namePrefix: 'PROV_', pop: 'wrong-pop', ssid: 'HomeNet', passphrase: WIFI_PASS });
    expect(bad).toMatchObject({ ok: false, code: OR_ERROR.communicationError, failedStep: 'session' });
    expect(bad.message).toMatch(/ATT 0x04/);
  });
});
