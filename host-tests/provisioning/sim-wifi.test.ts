// The simulator's Wi-Fi world (tools/sim/wifi): world-file validation, the default world, and the station's
// modelled behaviour (timings on a virtual clock, reason codes, hidden networks, threshold rule, DHCP outcomes).
import { describe, expect, it } from 'vitest';
import { WIFI_REASON, WifiHostError, type WifiScanRecord } from '../../firmware/host/wifi';
import { VirtualClock } from '../../tools/sim/host/clock';
import { SimWifiStation } from '../../tools/sim/wifi/station';
import { DEFAULT_WORLD_PATH, loadWorldFile, parseWorld, WorldError } from '../../tools/sim/wifi/world';
import { fileURLToPath } from 'node:url';
import { enc } from './helpers';

function station(world: unknown) {
  const clock = new VirtualClock();
  const wifi = new SimWifiStation({ world: parseWorld(world), timers: clock });
  const events: string[] = [];
  wifi.start({
    onConnected: () => events.push(`connected@${clock.monotonicMs()}`),
    onGotIp: (ip) => events.push(`ip ${ip}@${clock.monotonicMs()}`),
    onLostIp: () => events.push('lost-ip'),
    onDisconnected: (r) => events.push(`disc ${r}@${clock.monotonicMs()}`),
  });
  const connect = (ssid: string, password: string) => wifi.connect({ ssid: enc.encode(ssid), password: enc.encode(password) });
  return { clock, wifi, events, connect };
}

const AP = { ssid: 'Net', password: 'password1', auth: 'WPA2_PSK', rssi: -50, channel: 3 };

describe('world file validation', () => {
  it.each([
    [null, /top level/],
    [{ aps: 3 }, /"aps" must be an array/],
    [{ aps: [], extra: 1 }, /unknown key "extra"/],
    [{ aps: [{ ...AP, ssid: '' }] }, /ssid must be 1\.\.32/],
    [{ aps: [{ ...AP, ssid: 'x'.repeat(33) }] }, /ssid must be 1\.\.32/],
    [{ aps: [{ ...AP, auth: 'WPA9' }] }, /unknown auth "WPA9"/],
    [{ aps: [{ ...AP, channel: 15 }] }, /channel: must be an integer 1\.\.14/],
    [{ aps: [{ ...AP, rssi: 5 }] }, /rssi: must be an integer -127\.\.0/],
    [{ aps: [{ ...AP, bssid: 'zz' }] }, /bssid must look like/],
    [{ aps: [{ ...AP, bssid: '02:00:00:00:00:01' }, { ...AP, bssid: '02:00:00:00:00:01' }] }, /duplicate bssid/],
    [{ aps: [{ ...AP, password: '' }] }, /password must be 1\.\.63/],
    [{ aps: [{ ...AP, auth: 'OPEN' }] }, /open\/OWE network has no password/],
    [{ aps: [{ ...AP, hidden: 'yes' }] }, /"hidden" must be true or false/],
    [{ aps: [{ ...AP, ip: '1.2.3.400' }] }, /dotted quad/],
    [{ aps: [{ ...AP, colour: 'red' }] }, /aps\[0\] \("Net"\): unknown key "colour"/],
  ])('%j is refused', (world, message) => {
    expect(() => parseWorld(world)).toThrow(WorldError);
    expect(() => parseWorld(world)).toThrow(message);
  });

  it('loads the default world (vector APs, a hidden one, an open one, a WPA3 one)', () => {
    const w = loadWorldFile(fileURLToPath(DEFAULT_WORLD_PATH));
    const byName = Object.fromEntries(w.aps.map((a) => [a.ssidText, a]));
    expect(byName.HomeNet).toMatchObject({ password: 'secretpass', auth: 3, channel: 1, rssi: -45, ip: '192.168.1.42' });
    expect(w.aps.some((a) => a.hidden)).toBe(true);
    expect(w.aps.some((a) => a.auth === 0)).toBe(true);
    expect(w.aps.some((a) => a.auth === 6)).toBe(true);
    expect(() => loadWorldFile('/nonexistent/world.json')).toThrow(/cannot read/);
  });
});

describe('SimWifiStation', () => {
  it('connects: fast scan to the channel, association, DHCP delay', () => {
    const s = station({ aps: [{ ...AP, dhcpDelayMs: 700, ip: '10.1.2.3' }] });
    s.connect('Net', 'password1');
    s.clock.advance(10_000);
    expect(s.events).toEqual([`connected@${3 * 120 + 50}`, `ip 10.1.2.3@${3 * 120 + 50 + 700}`]);
    expect(s.wifi.stationInfo()).toMatchObject({ ip: '10.1.2.3', channel: 3, auth: 3, rssi: -50 });
  });

  it('wrong passphrase: 15 on WPA2 by default, 202 on WPA3, or the configured reason', () => {
    for (const [ap, reason] of [
      [AP, 15],
      [{ ...AP, auth: 'WPA3_PSK' }, 202],
      [{ ...AP, wrongPasswordReason: 202, wrongPasswordDelayMs: 10 }, 202],
    ] as const) {
      const s = station({ aps: [ap] });
      s.connect('Net', 'wrong-password');
      s.clock.advance(10_000);
      expect(s.events).toHaveLength(1);
      expect(s.events[0]).toMatch(new RegExp(`^disc ${reason}@`));
    }
  });

  it('missing SSID: 201 after scanning all 14 channels', () => {
    const s = station({ aps: [AP] });
    s.connect('Other', 'password1');
    s.clock.advance(10_000);
    expect(s.events).toEqual([`disc ${WIFI_REASON.NO_AP_FOUND}@${14 * 120}`]);
  });

  it('a WPA2-length passphrase never joins an open or WPA-only AP (IDF threshold rule) → 201', () => {
    const s = station({ aps: [{ ssid: 'Open', auth: 'OPEN', rssi: -40, channel: 1 }] });
    s.connect('Open', 'password1');
    s.clock.advance(10_000);
    expect(s.events[0]).toMatch(/^disc 201@/);
    s.events.length = 0;
    s.connect('Open', '');
    s.clock.advance(10_000);
    expect(s.events.map((e) => e.split('@')[0])).toEqual(['connected', 'ip 192.168.1.42']);
  });

  it('hidden AP: empty SSID in scans, joinable by exact SSID', () => {
    const s = station({ aps: [{ ...AP, hidden: true }] });
    let records: WifiScanRecord[] | undefined;
    s.wifi.scan({ passive: false, dwellMsPerChannel: 0, showHidden: true }, (r) => (records = r));
    s.clock.advance(14 * 120);
    expect(records).toHaveLength(1);
    expect(records![0].ssid).toHaveLength(0);
    s.wifi.scan({ passive: false, dwellMsPerChannel: 0, showHidden: false }, (r) => (records = r));
    s.clock.advance(14 * 120);
    expect(records).toHaveLength(0);
    s.connect('Net', 'password1');
    s.clock.advance(10_000);
    expect(s.wifi.stationInfo()?.ip).toBe('192.168.1.42');
  });

  it('DHCP failure: associated, no IP, then dropped after dhcpTimeoutMs', () => {
    const s = station({ aps: [{ ...AP, dhcpFails: true, dhcpTimeoutMs: 4000 }] });
    s.connect('Net', 'password1');
    s.clock.advance(30_000);
    expect(s.events).toEqual([`connected@410`, `disc ${WIFI_REASON.UNSPECIFIED}@4410`]);
    expect(s.wifi.stationInfo()).toBeUndefined();
  });

  it('scan: timing per channel, one channel, BUSY while scanning or connecting, injected failure', () => {
    const s = station({ aps: [AP, { ...AP, ssid: 'Two', channel: 7, bssid: '02:00:00:00:00:09' }] });
    let got: unknown;
    s.wifi.scan({ passive: false, dwellMsPerChannel: 50, channel: 7, showHidden: true }, (r) => (got = r));
    expect(() => s.wifi.scan({ passive: false, dwellMsPerChannel: 0, showHidden: true }, () => {})).toThrow(WifiHostError);
    s.clock.advance(49);
    expect(got).toBeUndefined();
    s.clock.advance(1);
    expect((got as WifiScanRecord[]).map((r) => r.channel)).toEqual([7]);
    s.wifi.failNextScan('INTERNAL');
    let err: unknown;
    s.wifi.scan({ passive: true, dwellMsPerChannel: 0, showHidden: true }, (r, e) => (err = [r, e]));
    s.clock.advance(14 * 360);
    expect(err).toEqual([undefined, 'INTERNAL']);
    s.connect('Net', 'password1');
    expect(() => s.wifi.scan({ passive: false, dwellMsPerChannel: 0, showHidden: true }, () => {})).toThrow(/connecting/);
  });

  it('disconnect() reports 8 asynchronously; events never fire inside the call', () => {
    const s = station({ aps: [AP] });
    s.connect('Net', 'password1');
    s.clock.advance(10_000);
    s.events.length = 0;
    s.wifi.disconnect();
    expect(s.events).toEqual([]);
    s.clock.advance(0);
    expect(s.events).toEqual([`disc ${WIFI_REASON.ASSOC_LEAVE}@10000`]);
    s.wifi.disconnect(); // idle: nothing
    s.clock.advance(10);
    expect(s.events).toHaveLength(1);
  });

  it('refuses use before start()', () => {
    const wifi = new SimWifiStation({ world: parseWorld({ aps: [] }), timers: new VirtualClock() });
    expect(() => wifi.connect({ ssid: enc.encode('x'), password: new Uint8Array(0) })).toThrow(/NOT_STARTED|esp_wifi_start/);
  });
});

describe('createSimWifi', () => {
  it('builds a station from the default world, a file path, or an object', async () => {
    const { createSimWifi } = await import('../../tools/sim/wifi/index');
    const clock = new VirtualClock();
    const fromDefault = createSimWifi({ timers: clock });
    const fromPath = createSimWifi({ timers: clock, world: fileURLToPath(DEFAULT_WORLD_PATH) });
    const fromObject = createSimWifi({ timers: clock, world: { aps: [AP] } });
    for (const [wifi, n] of [[fromDefault, 5], [fromPath, 5], [fromObject, 1]] as const) {
      let count = -1;
      wifi.start({ onConnected() {}, onGotIp() {}, onLostIp() {}, onDisconnected() {} });
      wifi.scan({ passive: false, dwellMsPerChannel: 0, showHidden: true }, (r) => (count = r!.length));
      clock.advance(14 * 120);
      expect(count).toBe(n);
    }
    expect(() => createSimWifi({ timers: clock, world: { aps: [{}] } })).toThrow(WorldError);
  });
});
