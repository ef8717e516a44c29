// tools/prov against the real device stack over HTTP (firmware protocomm + provisioning manager + httpd on
// loopback, simulated Wi-Fi world): full provisioning with sec0/sec1/sec2, the OpenRemote or-cfg + dev backend
// flow, and the failure codes the apps report (wrong PoP/password → 301, wrong Wi-Fi passphrase → 502 then a
// successful retry in the same session, unknown SSID → 503, backend never connected → 600).
import { afterEach, describe, expect, it } from 'vitest';
import { startBackend, type Backend } from '../../tools/backend/index';
import { OR_ERROR } from '../../tools/prov/errors';
import { ProvSession, readProtoVersion, selectSecurity, sendWifiConfig, OrConfigChannel, waitBackendConnected } from '../../tools/prov/flows';
import { runProvisioning } from '../../tools/prov/provision';
import { createClientSecurity } from '../../tools/prov/security/index';
import { HttpTransport } from '../../tools/prov/transport/http';
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

const ADMIN_PASSWORD = 'hunter2-admin';

describe('tools/prov over HTTP against the device stack', () => {
  it('sec1 with PoP: proto-ver, session, scan (100 per page), credentials, Connected', async () => {
    device = await startTestDevice({ security: { version: 1, pop: POP }, transport: 'httpd' });
    const r = await runProvisioning({ transport: 'httpd', http: `127.0.0.1:${device.port}`, pop: POP, scan: true, ssid: 'HomeNet', passphrase: WIFI_PASS, wifiPollIntervalMs: 50 });
    expect(r.message).toBeUndefined();
    expect(r.ok).toBe(true);
    expect(r.security).toEqual({ version: 1, patchVersion: 0, source: 'device' });
    expect(r.networks?.map((n) => n.ssid)).toEqual(['HomeNet', 'Office-WPA3', 'CafeOpen', '', 'Garage']); // the hidden AP has no SSID
    expect(r.wifi).toMatchObject({ state: 'connected', ssid: 'HomeNet', ip: '192.168.1.42', channel: 1 });
    expect(r.lines[1]).toBe('✓ proto-ver: prov v1.1 sec1 caps wifi_scan');
    expectNoSecrets(r.lines, POP, WIFI_PASS);
  });

  it('sec0 and sec1 without PoP are chosen from proto-ver', async () => {
    device = await startTestDevice({ security: { version: 0 }, transport: 'httpd' });
    const r0 = await runProvisioning({ transport: 'httpd', http: `127.0.0.1:${device.port}`, ssid: 'CafeOpen', passphrase: '', wifiPollIntervalMs: 50 });
    expect(r0.ok).toBe(true);
    expect(r0.lines[1]).toContain('sec0 caps no_sec,wifi_scan');
    await device.stop();
    device = await startTestDevice({ security: { version: 1 }, transport: 'httpd' });
    const r1 = await runProvisioning({ transport: 'httpd', http: `127.0.0.1:${device.port}`, ssid: 'HomeNet', passphrase: WIFI_PASS, wifiPollIntervalMs: 50 });
    expect(r1.ok).toBe(true);
    expect(r1.lines[1]).toContain('sec1 caps no_pop,wifi_scan');
  });

  it('sec2 patch 1 (username UNUSED, password = PoP) with the OpenRemote flow against the dev backend', async () => {
    backend = await startBackend({ httpPort: 0, mqttPort: 0, users: [{ realm: 'master', username: 'admin', password: ADMIN_PASSWORD }] });
    const core = backend.core;
    device = await startTestDevice({
      security: sec2Device(),
      transport: 'httpd',
      orCfg: { deviceId: 'A1B2C3D4E5F6', modelName: 'or-demo', checkCredentials: (realm, user, pw) => !!core.checkClientCredentials(realm, user, pw), connectingPolls: 5 },
    });
    const r = await runProvisioning({
      transport: 'httpd',
      http: `127.0.0.1:${device.port}`,
      pop: POP,
      secVer: 2,
      ssid: 'HomeNet',
      passphrase: WIFI_PASS,
      wifiPollIntervalMs: 50,
      openremote: { backend: `http://127.0.0.1:${backend.httpPort}`, realm: 'master', user: 'admin', password: ADMIN_PASSWORD, mqttPort: backend.mqttPort },
    });
    expect(r.message).toBeUndefined();
    expect(r.ok).toBe(true);
    expect(r.security).toEqual({ version: 2, patchVersion: 1, source: 'override' });
    expect(r.deviceInfo).toEqual({ deviceId: 'A1B2C3D4E5F6', modelName: 'or-demo' });
    expect(r.mqttUser).toBe('a1b2c3d4e5f6');
    expect(r.mqttUrl).toBe(`mqtts://127.0.0.1:${backend.mqttPort}`);
    expect(r.backendPolls).toBe(6);
    const double = device.orCfg!;
    // The apps' correlation ids: "0", "1", … on one connection (openremote.md §1.4).
    expect(double.requests.map((q) => q.id)).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8']);
    expect(double.requests.map((q) => q.body)).toEqual(['deviceInfo', 'openRemoteConfig', ...Array(6).fill('backendConnectionStatus'), 'exitProvisioning']);
    const cfg = double.config!;
    expect(cfg).toMatchObject({ user: 'a1b2c3d4e5f6', realm: 'master', assetId: r.assetId });
    expect(cfg.mqttPassword).toMatch(/^[A-Za-z0-9]{16}$/);
    expect(core.checkClientCredentials('master', 'a1b2c3d4e5f6', cfg.mqttPassword)).toBeTruthy();
    expect(double.exited).toBe(true);
    expectNoSecrets(r.lines, POP, WIFI_PASS, ADMIN_PASSWORD, cfg.mqttPassword);
  });

  it('wrong PoP (sec1) and wrong SRP password (sec2) fail the session with 301', async () => {
    device = await startTestDevice({ security: { version: 1, pop: POP }, transport: 'httpd' });
    const r1 = await runProvisioning({ transport: 'httpd', http: `127.0.0.1:${device.port}`, pop: 'wrong-pop', ssid: 'HomeNet', passphrase: WIFI_PASS });
    expect(r1).toMatchObject({ ok: false, code: OR_ERROR.communicationError, failedStep: 'session' });
    expect(r1.message).toMatch(/closed the connection without a response/);
    expectNoSecrets(r1.lines, 'wrong-pop', WIFI_PASS);
    await device.stop();
    device = await startTestDevice({ security: sec2Device(), transport: 'httpd' });
    const r2 = await runProvisioning({ transport: 'httpd', http: `127.0.0.1:${device.port}`, pop: 'not-the-pop', ssid: 'HomeNet', passphrase: WIFI_PASS });
    expect(r2).toMatchObject({ ok: false, code: OR_ERROR.communicationError, failedStep: 'session' });
    // A device that needs a PoP when none is given: the apps' securityError (400).
    const r3 = await runProvisioning({ transport: 'httpd', http: `127.0.0.1:${device.port}`, ssid: 'HomeNet', passphrase: WIFI_PASS });
    expect(r3).toMatchObject({ ok: false, code: OR_ERROR.securityError, failedStep: 'proto-ver' });
  });

  it.each([false, true])('wrong Wi-Fi passphrase → 502, then the right one in the same session connects (strict IDF: %s)', async (strict) => {
    // strict: the device refuses new credentials after FAIL (IDF v5.5.4); the client recovers with CtrlReset.
    device = await startTestDevice({ security: sec2Device(), transport: 'httpd', strict });
    const transport = new HttpTransport({ host: '127.0.0.1', port: device.port });
    try {
      const version = await readProtoVersion(transport);
      const session = new ProvSession(transport, createClientSecurity(selectSecurity(version, { pop: POP }), { pop: POP }));
      await session.establish();
      await expect(sendWifiConfig(session, 'HomeNet', 'not-the-pass', { pollIntervalMs: 50 })).rejects.toMatchObject({ code: OR_ERROR.wifiAuthenticationError });
      const lines: string[] = [];
      const ok = await sendWifiConfig(session, 'HomeNet', WIFI_PASS, { pollIntervalMs: 50, progress: (l) => lines.push(l) });
      expect(lines.some((l) => l.includes('CtrlReset status 0'))).toBe(strict);
      expect(ok).toMatchObject({ state: 'connected', ssid: 'HomeNet' });
    } finally {
      await transport.close();
    }
  });

  it('--reset and --reprov send CtrlReset / CtrlReprov and print the device status', async () => {
    device = await startTestDevice({ security: { version: 1, pop: POP }, transport: 'httpd' });
    // Auto-stop is on here, so CtrlReprov is refused with InternalError (§7.3); CtrlReset in STARTED is Success
    // on this (network_provisioning-like) device.
    const r = await runProvisioning({ transport: 'httpd', http: `127.0.0.1:${device.port}`, pop: POP, reset: true, reprov: true });
    expect(r.ok).toBe(true);
    expect(r.lines).toContain('✓ CtrlReset: status 0');
    expect(r.lines).toContain('✓ CtrlReprov: status 5');
  });

  it('unknown SSID → 503', async () => {
    device = await startTestDevice({ security: { version: 1, pop: POP }, transport: 'httpd' });
    const r = await runProvisioning({ transport: 'httpd', http: `127.0.0.1:${device.port}`, pop: POP, ssid: 'NoSuchNet', passphrase: 'whatever1', wifiPollIntervalMs: 50 });
    expect(r).toMatchObject({ ok: false, code: OR_ERROR.wifiNetworkNotFound, failedStep: 'wifi-status' });
  });

  it('backend never CONNECTED: back-to-back polling ends with 600, or 301 on FAILED when asked', async () => {
    device = await startTestDevice({
      security: { version: 1, pop: POP },
      transport: 'httpd',
      orCfg: { deviceId: 'DEV1', modelName: 'or-demo', checkCredentials: () => false, connectingPolls: 2 },
    });
    const transport = new HttpTransport({ host: '127.0.0.1', port: device.port });
    try {
      const session = new ProvSession(transport, createClientSecurity({ version: 1, patchVersion: 0 }, { pop: POP }));
      await session.establish();
      const channel = new OrConfigChannel(session);
      await channel.openRemoteConfig({ mqttBrokerUrl: 'mqtts://h:8883', user: 'dev1', mqttPassword: 'Abcdefgh12345678', realm: 'master', assetId: 'x' });
      const started = Date.now();
      await expect(waitBackendConnected(channel, { timeoutMs: 300 })).rejects.toMatchObject({ code: OR_ERROR.timeoutError });
      expect(Date.now() - started).toBeLessThan(3000);
      // No delay between polls: far more than one poll per 50 ms over the window.
      expect(device.orCfg!.requests.length).toBeGreaterThan(10);
      await expect(waitBackendConnected(channel, { timeoutMs: 5000, stopOnFailed: true })).rejects.toMatchObject({ code: OR_ERROR.communicationError });
    } finally {
      await transport.close();
    }
  });
});
