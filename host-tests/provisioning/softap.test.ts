// SoftAP provisioning (unified-provisioning.md §9.2, §8.2-8.3, §8.6): the boot configuration's key rules, the
// access-point contract of the Wi-Fi seam (firmware/host/wifi.ts) on the simulator's Wi-Fi, and the boot flow:
// the AP comes up (SSID = device name, WPA2 with the product key or open, channel 1, 5 stations) before the HTTP
// server and goes down when provisioning stops, on Node and on the real XS engine (through the bridge).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { validateBootConfig, type BootConfig } from '../../firmware/app/config';
import { boot } from '../../firmware/boot';
import type { WifiStationHost } from '../../firmware/host/wifi';
import { runProvisioning } from '../../tools/prov/index';
import { createNodeHost, type NodeHost } from '../../tools/sim/host/index';
import { CaptureLog } from '../../tools/sim/host/log';
import { VirtualClock } from '../../tools/sim/host/clock';
import { parseSimArgs, SimulatedDevice } from '../../tools/sim/main';
import { createSimWifi, SimWifiStation } from '../../tools/sim/wifi/index';
import { parseWorld } from '../../tools/sim/wifi/world';

const enc = (s: string) => new TextEncoder().encode(s);
const KEY = 'provkey-1234'; // the product's SoftAP key in these tests
const HEX64 = '00112233445566778899aabbccddeeff00112233445566778899AABBCCDDEEFF';

function config(softap: NonNullable<BootConfig['transports']['softap']>, extra: Partial<BootConfig> = {}): BootConfig {
  return { security: { version: 0 }, transports: { softap }, ...extra };
}

describe('validateBootConfig: transports.softap.passphrase', () => {
  test.each([['provkey1'], ['~'.repeat(63)], [' spaces are printable '], [HEX64]])('accepts %j', (key) => {
    expect(() => validateBootConfig(config({ port: 80, passphrase: key }))).not.toThrow();
  });

  test('accepts an absent key (open AP)', () => {
    expect(() => validateBootConfig(config({ port: 80 }))).not.toThrow();
  });

  test.each([
    ['', 'empty (omit it for open)'],
    ['short12', '7 characters'],
    ['x'.repeat(64), '64 characters that are not hex'],
    ['x'.repeat(65), '65 characters'],
    ['pässwörter', 'not ASCII'],
    ['tab\tinside-key', 'control character'],
  ])('refuses %j (%s) without echoing it', (key) => {
    let message = '';
    try {
      validateBootConfig(config({ port: 80, passphrase: key }));
    } catch (e) {
      expect(e).toBeInstanceOf(RangeError);
      message = (e as Error).message;
    }
    expect(message).toMatch(/transports\.softap\.passphrase/);
    if (key.length >= 4) expect(message).not.toContain(key);
  });

  test('refuses a non-string key and a device name that does not fit an SSID', () => {
    expect(() => validateBootConfig(config({ port: 80, passphrase: 12345678 as unknown as string }))).toThrow(RangeError);
    expect(() => validateBootConfig(config({ port: 80 }, { deviceName: 'é'.repeat(17) }))).toThrow(/SSID/); // 34 bytes
    expect(() => validateBootConfig(config({ port: 80 }, { deviceName: 'x'.repeat(32) }))).not.toThrow();
  });

  test('boot() refuses an invalid key before anything starts', () => {
    const host = createNodeHost({ clock: 'virtual', log: 'capture', uart: 'memory', wifi: createSimWifi({ timers: new VirtualClock() }) });
    try {
      expect(() => boot(host, config({ port: 0, passphrase: 'short' }))).toThrow(RangeError);
      expect((host.wifi as SimWifiStation).stats.accessPointStarts).toBe(0);
    } finally {
      host.sim.shutdown();
    }
  });
});

describe('simulated Wi-Fi: access point contract', () => {
  const world = parseWorld({ aps: [] });
  const started = () => {
    const clock = new VirtualClock();
    const wifi = new SimWifiStation({ world, timers: clock });
    wifi.start({ onConnected() {}, onGotIp() {}, onLostIp() {}, onDisconnected() {} });
    return wifi;
  };

  test('WPA2 with a key, open without; AP+STA while it runs; stop and setMode("sta") take it down', () => {
    const wifi = started();
    wifi.startAccessPoint({ ssid: enc('PROV_1'), password: enc(KEY), channel: 1, maxStations: 5 });
    expect(wifi.mode).toBe('apsta');
    expect(wifi.accessPoint).toMatchObject({ ssid: enc('PROV_1'), password: enc(KEY), auth: 'wpa2-psk', channel: 1, maxStations: 5, ip: '192.168.4.1' });
    wifi.stopAccessPoint();
    expect([wifi.mode, wifi.accessPoint]).toEqual(['sta', undefined]);
    wifi.stopAccessPoint(); // idempotent
    wifi.startAccessPoint({ ssid: enc('x'.repeat(32)), password: new Uint8Array(), channel: 13, maxStations: 10 });
    expect(wifi.accessPoint?.auth).toBe('open');
    wifi.setMode('sta');
    expect(wifi.accessPoint).toBeUndefined();
    expect(wifi.stats.accessPointStarts).toBe(2);
  });

  test.each([
    ['empty SSID', { ssid: new Uint8Array(), password: enc(KEY), channel: 1, maxStations: 5 }],
    ['33-byte SSID', { ssid: new Uint8Array(33).fill(0x41), password: enc(KEY), channel: 1, maxStations: 5 }],
    ['7-byte key', { ssid: enc('P'), password: enc('1234567'), channel: 1, maxStations: 5 }],
    ['65-byte key', { ssid: enc('P'), password: new Uint8Array(65).fill(0x61), channel: 1, maxStations: 5 }],
    ['64 non-hex', { ssid: enc('P'), password: new Uint8Array(64).fill(0x7a), channel: 1, maxStations: 5 }],
    ['channel 0', { ssid: enc('P'), password: enc(KEY), channel: 0, maxStations: 5 }],
    ['channel 14', { ssid: enc('P'), password: enc(KEY), channel: 14, maxStations: 5 }],
    ['0 stations', { ssid: enc('P'), password: enc(KEY), channel: 1, maxStations: 0 }],
    ['11 stations', { ssid: enc('P'), password: enc(KEY), channel: 1, maxStations: 11 }],
  ])('refuses %s with RangeError and changes nothing', (_what, ap) => {
    const wifi = started();
    expect(() => wifi.startAccessPoint(ap)).toThrow(RangeError);
    expect([wifi.mode, wifi.accessPoint, wifi.stats.accessPointStarts]).toEqual(['sta', undefined, 0]);
  });

  test('needs a started Wi-Fi, as esp_wifi does', () => {
    const wifi = new SimWifiStation({ world, timers: new VirtualClock() });
    expect(() => wifi.startAccessPoint({ ssid: enc('P'), password: enc(KEY), channel: 1, maxStations: 5 })).toThrow(
      expect.objectContaining({ code: 'NOT_STARTED' }),
    );
  });
});

async function until(what: string, predicate: () => boolean, timeoutMs = 15_000): Promise<void> {
  const start = Date.now();
  while (!predicate()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const hosts: NodeHost[] = [];
const devices: SimulatedDevice[] = [];
const dirs: string[] = [];
afterEach(async () => {
  for (const h of hosts.splice(0)) h.sim.shutdown();
  for (const d of devices.splice(0)) {
    await d.stop();
    expect(d.errors.map((e) => e.message)).toEqual([]);
  }
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('boot flow with SoftAP on Node', () => {
  test('AP (device name, WPA2 key, channel 1, 5 stations) before the HTTP server; down after provisioning', async () => {
    const capture = new CaptureLog();
    const host = createNodeHost({ log: capture, uart: 'memory' });
    hosts.push(host);
    const wifi = createSimWifi({ timers: host.timers, mac: host.device.mac() });
    (host as { wifi: NodeHost['wifi'] }).wifi = wifi;
    // Record the order of AP and HTTP server calls.
    const order: string[] = [];
    const startAp = wifi.startAccessPoint.bind(wifi);
    const stopAp = wifi.stopAccessPoint.bind(wifi);
    wifi.startAccessPoint = (c) => (order.push('ap up'), startAp(c));
    wifi.stopAccessPoint = () => (order.push('ap down'), stopAp());
    const listen = host.socket.listen.bind(host.socket);
    host.socket.listen = (o, c) => {
      order.push('listen');
      const l = listen(o, c);
      const close = l.close.bind(l);
      return Object.assign(l, { close: () => (order.push('http closed'), close()) });
    };

    const device = boot(host, config({ port: 0, passphrase: KEY }, { deviceName: 'PROV_SOFTAP' }));
    expect(device.mode).toBe('provisioning');
    expect(order).toEqual(['ap up', 'listen']);
    expect(wifi.mode).toBe('apsta');
    expect(wifi.accessPoint).toMatchObject({ ssid: enc('PROV_SOFTAP'), password: enc(KEY), auth: 'wpa2-psk', channel: 1, maxStations: 5 });

    const result = await runProvisioning({ transport: 'httpd', http: `127.0.0.1:${device.httpPort()}`, ssid: 'HomeNet', passphrase: 'secretpass', wifiPollIntervalMs: 200 });
    expect(result.ok, result.message).toBe(true);
    await until('provisioning to stop', () => capture.entries.some((e) => e.message === 'provisioning stopped'));
    expect(order).toEqual(['ap up', 'listen', 'http closed', 'ap down']);
    expect([wifi.mode, wifi.accessPoint, wifi.stats.accessPointStarts]).toEqual(['sta', undefined, 1]);
    expect(wifi.stationInfo()?.ip).toBeDefined(); // the station keeps the link provisioning brought up (§8.6)
    expect(capture.entries.map((e) => e.message)).toContain('access point "PROV_SOFTAP" up (WPA2-PSK, channel 1, max 5 stations)');
    capture.assertNoSecret(KEY, 'secretpass');
  });

  test('a Wi-Fi host without access-point control cannot run SoftAP provisioning', () => {
    const host = createNodeHost({ clock: 'virtual', log: 'capture', uart: 'memory' });
    hosts.push(host);
    const sim = createSimWifi({ timers: host.timers });
    // Only the station members: the access-point pair is optional in the seam.
    const stationOnly = Object.fromEntries(
      (['start', 'setMode', 'connect', 'disconnect', 'scan', 'stationInfo', 'mac'] as const).map((k) => [k, sim[k].bind(sim)]),
    ) as unknown as WifiStationHost;
    (host as { wifi: WifiStationHost }).wifi = stationOnly;
    expect(() => boot(host, config({ port: 0 }))).toThrow(/cannot run an access point/);
  });
});

describe('boot flow with SoftAP on XS', () => {
  test('the firmware on XS brings the AP up through the bridge (open, no key configured) and down at the end', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'softap-nvs-'));
    dirs.push(dir);
    const log = new CaptureLog();
    const device = new SimulatedDevice(parseSimArgs(['--engine', 'xs', '--no-ble', '--softap-port', '0', '--security', '0', '--nvs', join(dir, 'nvs.json')]), { log, print: () => {} });
    devices.push(device);
    await device.start();
    const wifi = device.nodeHost!.wifi as SimWifiStation;
    expect(wifi.accessPoint).toMatchObject({ ssid: enc('PROV_4D0001'), password: new Uint8Array(), auth: 'open', channel: 1, maxStations: 5 });
    expect(wifi.mode).toBe('apsta');
    const result = await runProvisioning({ transport: 'httpd', http: `127.0.0.1:${device.status!.httpPort}`, ssid: 'HomeNet', passphrase: 'secretpass', wifiPollIntervalMs: 200 });
    expect(result.ok, result.message).toBe(true);
    await until('provisioning to stop', () => log.entries.some((e) => e.message === 'provisioning stopped'));
    expect([wifi.mode, wifi.accessPoint, wifi.stats.accessPointStarts]).toEqual(['sta', undefined, 1]);
  }, 60_000);
});
