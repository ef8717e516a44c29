// The simulator as a user drives it (issue 5 command line, issue 8 boot flow): the firmware boots into
// provisioning, the phone's role (tools/prov, written from the spec) provisions it over HTTP or BLE, and after a
// reboot the same NVS makes it join Wi-Fi straight away. On Node for speed, and on the real XS engine.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { startBackend } from '../../tools/backend/index';
import { runProvisioning } from '../../tools/prov/index';
import { CaptureLog } from '../../tools/sim/host/log';
import type { BootConfig } from '../../firmware/app/config';
import { parseSimArgs, SimulatedDevice, UsageError } from '../../tools/sim/main';

const dirs: string[] = [];
const devices: SimulatedDevice[] = [];
afterEach(async () => {
  for (const d of devices.splice(0)) {
    await d.stop();
    expect(d.errors.map((e) => e.message)).toEqual([]);
  }
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function nvsPath(): string {
  const dir = mkdtempSync(join(tmpdir(), 'sim-nvs-'));
  dirs.push(dir);
  return join(dir, 'nvs.json');
}

async function until(what: string, predicate: () => boolean, timeoutMs = 15_000): Promise<void> {
  const start = Date.now();
  while (!predicate()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

function startDevice(argv: string[], config?: (c: BootConfig) => BootConfig): { device: SimulatedDevice; log: CaptureLog; printed: string[] } {
  const log = new CaptureLog();
  const printed: string[] = [];
  const device = new SimulatedDevice(parseSimArgs(argv), { log, print: (l) => printed.push(l), config });
  devices.push(device);
  return { device, log, printed };
}

const messages = (log: CaptureLog) => log.entries.map((e) => e.message);

/** The phone app's whole flow (Wi-Fi HomeNet, then OpenRemote with the dev backend's admin user). */
const WIFI = { pop: 'abcd1234', ssid: 'HomeNet', passphrase: 'secretpass', wifiPollIntervalMs: 200 } as const;
function openRemote(backend: Awaited<ReturnType<typeof startBackend>>) {
  return { backend: `http://127.0.0.1:${backend.httpPort}`, user: 'admin', password: 'secret', mqttPort: backend.mqttPort };
}

describe('command line', () => {
  test('defaults: XS engine, sec2 for UNUSED/abcd1234 (the OpenRemote apps), BLE on any port, auto-stop on', () => {
    const o = parseSimArgs([]);
    expect(o).toMatchObject({ engine: 'xs', security: 2, pop: 'abcd1234', sec2Username: 'UNUSED', sec2Patch: 1, blePort: 0, autoStop: true, console: false });
  });

  test.each([
    [['--security', '3'], /--security must be one of 0, 1, 2/],
    [['--engine', 'v8'], /--engine must be one of xs, node/],
    [['--softap-port', '70000'], /port number/],
    [['--no-ble'], /no provisioning transport/],
    [['--wifi-world', '/nonexistent.json'], /no file/],
    [['--bogus'], /Unknown option/],
  ])('rejects %j', (argv, message) => {
    expect(() => parseSimArgs(argv)).toThrow(message);
  });

  test('--help is a usage error carrying the usage text', () => {
    expect(() => parseSimArgs(['--help'])).toThrow(UsageError);
  });
});

describe('boot flow on Node', () => {
  test('provision over SoftAP/HTTP with sec1, reboot joins Wi-Fi without provisioning, long press resets', async () => {
    const nvs = nvsPath();
    const { device, log } = startDevice(['--engine', 'node', '--no-ble', '--softap-port', '0', '--security', '1', '--nvs', nvs]);
    await device.start();
    expect(device.status).toMatchObject({ mode: 'provisioning', deviceName: 'PROV_4D0001' });
    const port = device.status!.httpPort!;
    expect(port).toBeGreaterThan(0);

    const result = await runProvisioning({
      transport: 'httpd',
      http: `127.0.0.1:${port}`,
      pop: 'abcd1234',
      ssid: 'HomeNet',
      passphrase: 'secretpass',
      wifiPollIntervalMs: 200,
    });
    expect(result.ok, result.message).toBe(true);
    // Auto-stop (reference default) ends provisioning about 1 s after the Connected status was read.
    await until('provisioning to stop', () => messages(log).includes('provisioning stopped'));
    // The station controller took over the link that provisioning brought up.
    expect(messages(log).some((m) => m.startsWith('station online, ip '))).toBe(true);

    await device.restart();
    expect(device.status?.mode).toBe('station');
    await until('the station to come online after reboot', () => messages(log).filter((m) => m.startsWith('station online')).length >= 2);
    log.assertNoSecret('abcd1234', 'secretpass');

    // Long press: factory reset and reboot into provisioning.
    device.nodeHost!.sim.button.press('long');
    await until('reboot into provisioning', () => device.status?.mode === 'provisioning' && messages(log).filter((m) => m === 'not provisioned: starting provisioning').length >= 2);
  });

  test('a short press re-opens provisioning once; the next boot goes back to the station', async () => {
    const nvs = nvsPath();
    const { device, log } = startDevice(['--engine', 'node', '--no-ble', '--softap-port', '0', '--security', '0', '--nvs', nvs]);
    await device.start();
    const result = await runProvisioning({ transport: 'httpd', http: `127.0.0.1:${device.status!.httpPort}`, ssid: 'HomeNet', passphrase: 'secretpass', wifiPollIntervalMs: 200 });
    expect(result.ok, result.message).toBe(true);
    await device.restart();
    expect(device.status?.mode).toBe('station');
    device.nodeHost!.sim.button.press('short');
    await until('reboot into provisioning', () => device.status?.mode === 'provisioning');
    expect(messages(log)).toContain('provisioning re-opened by the user');
    await device.restart();
    expect(device.status?.mode).toBe('station');
  });
});

describe('boot flow on XS', () => {
  test('provision over BLE with sec2 (username UNUSED, as the OpenRemote apps), then reboot online', async () => {
    const nvs = nvsPath();
    const { device, log } = startDevice(['--engine', 'xs', '--ble-port', '0', '--security', '2', '--nvs', nvs]);
    await device.start();
    expect(device.status).toMatchObject({ mode: 'provisioning', deviceName: 'PROV_4D0001' });
    const result = await runProvisioning({
      transport: 'ble',
      blePort: device.status!.blePort,
      namePrefix: 'PROV_',
      pop: 'abcd1234',
      ssid: 'HomeNet',
      passphrase: 'secretpass',
      scan: true,
      wifiPollIntervalMs: 200,
    });
    expect(result.ok, `${result.code} ${result.message}`).toBe(true);
    expect(result.protoVersion).toMatchObject({ secVer: 2, secPatchVer: 1 });
    expect(result.networks?.map((n) => n.ssid)).toContain('HomeNet');
    await until('provisioning to stop', () => messages(log).includes('provisioning stopped'));
    await device.restart();
    expect(device.status?.mode).toBe('station');
    await until('the station online after reboot', () => messages(log).filter((m) => m.startsWith('station online')).length >= 2);
    log.assertNoSecret('abcd1234', 'secretpass');
  }, 120_000);
});

describe('OpenRemote end to end on XS', () => {
  test('the app flow provisions Wi-Fi and the backend over BLE; a reboot goes straight online to the broker', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sim-or-'));
    dirs.push(dir);
    const backend = await startBackend({ httpPort: 0, mqttPort: 0, dataDir: join(dir, 'backend') });
    try {
      const { device, log } = startDevice(['--engine', 'xs', '--ble-port', '0', '--nvs', join(dir, 'nvs.json'), '--ca', backend.caPath!]);
      await device.start();
      const result = await runProvisioning({ transport: 'ble', blePort: device.status!.blePort, namePrefix: 'PROV_', ...WIFI, openremote: openRemote(backend) });
      expect(result.ok, `${result.code} ${result.failedStep} ${result.message}`).toBe(true);
      expect(result.deviceInfo).toEqual({ deviceId: '0253494D0001', modelName: 'or-demo' });
      expect(result.mqttUser).toBe('0253494d0001');
      // The device reported CONNECTED only once the broker had it (CONNACK + SUBACK), so the broker knows it now.
      expect(backend.connectedClientIds()).toContain('0253494d0001');
      await until('provisioning to stop after ExitProvisioning', () => messages(log).includes('provisioning stopped'));

      const beforeReboot = log.entries.length;
      await device.restart();
      expect(device.status?.mode).toBe('station');
      await until('the reboot to reach the broker', () => messages(log).slice(beforeReboot).some((m) => m.startsWith('backend link CONNECTED')), 30_000);
      expect(backend.connectedClientIds()).toEqual(['0253494d0001']);

      // The demo application (firmware/app/demo.ts) on the device: values go up, a user's write comes down.
      const asset = () => backend.core.getAsset(result.assetId!)!;
      await until('temperature from the device', () => asset().attributes.temperature.timestamp > 0, 30_000);
      expect(typeof asset().attributes.temperature.value).toBe('number');
      expect(asset().attributes.firmwareVersion.value).toMatch(/^\d+\.\d+\.\d+/);
      const events: { name: string; value: unknown; source: string }[] = [];
      backend.events.on('attribute', (e) => events.push(e));
      expect(backend.core.writeAttribute(result.assetId!, 'switch', true, undefined, 'user:admin')).toMatchObject({ status: 'updated', changed: true });
      await until('the relay to switch on', () => messages(log).some((m) => m.startsWith('relay on')), 30_000);
      // The device echoes the state it applied, so OpenRemote shows the device's real state.
      await until('the echo of the switch', () => events.some((e) => e.name === 'switch' && e.value === true && !e.source.startsWith('user')), 30_000);
      log.assertNoSecret('abcd1234', 'secretpass', 'secret');
    } finally {
      await backend.stop();
    }
  }, 120_000);
});

describe('OpenRemote: an app that never sends ExitProvisioning', () => {
  test('provisioning stops by itself once the backend link has been CONNECTED for the linger time', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sim-linger-'));
    dirs.push(dir);
    const backend = await startBackend({ httpPort: 0, mqttPort: 0, dataDir: join(dir, 'backend') });
    try {
      const { device, log } = startDevice(
        ['--engine', 'node', '--no-ble', '--softap-port', '0', '--nvs', join(dir, 'nvs.json'), '--ca', backend.caPath!],
        (c) => ({ ...c, provisioning: { ...c.provisioning, lingerAfterOnlineMs: 1500 } }),
      );
      await device.start();
      const result = await runProvisioning({ transport: 'httpd', http: `127.0.0.1:${device.status!.httpPort}`, ...WIFI, exit: false, openremote: openRemote(backend) });
      expect(result.ok, `${result.code} ${result.message}`).toBe(true);
      expect(messages(log)).not.toContain('provisioning stopped');
      await until('provisioning to stop without ExitProvisioning', () => messages(log).includes('provisioning stopped'), 10_000);
      expect(messages(log).some((m) => m.startsWith('no ExitProvisioning 2 s after the backend came online'))).toBe(true);
      // The device stays online: stopping provisioning does not touch the Wi-Fi link or the MQTT session.
      expect(backend.connectedClientIds()).toEqual(['0253494d0001']);
    } finally {
      await backend.stop();
    }
  }, 60_000);
});

