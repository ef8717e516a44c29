// prov-scan handler + scanner (unified-provisioning.md §7.2): sorting, cap, paging with overrun, auth clamp, hidden
// networks, blocking reply timing, channel groups with 120 ms pauses, scan errors as error status.
import { describe, expect, it } from 'vitest';
import { WiFiScanPayload } from '../../firmware/generated/proto.js';
import { clampAuthMode } from '../../firmware/provisioning/auth-mode';
import { toHex } from '../../firmware/util/bytes';
import { makeRig, type Rig } from './helpers';

function bigWorld(n: number) {
  const aps = [];
  for (let i = 0; i < n; i++) {
    aps.push({
      ssid: `AP-${String(i).padStart(2, '0')}`,
      password: 'password1',
      auth: i % 18, // every raw auth value 0..17, including the >= 8 ones that crash esp_prov
      rssi: -30 - ((i * 37) % 60), // scrambled order
      channel: 1 + (i % 13),
      bssid: `02:00:00:00:00:${i.toString(16).padStart(2, '0')}`,
    });
  }
  // wpa-enterprise style and OWE entries do not take passwords in the world file's sense, but scanning ignores them.
  return {
    aps: aps.map((a) => (a.auth === 0 || a.auth === 9 ? { ...a, password: '' } : a)),
  };
}

function startScan(rig: Rig, opts: { blocking?: boolean; passive?: boolean; groupChannels?: number; periodMs?: number }) {
  return rig.send('prov-scan', WiFiScanPayload.encode({ msg: 0, cmdScanStart: opts }).finish());
}

function scanStatus(rig: Rig) {
  return WiFiScanPayload.decode(rig.send('prov-scan', '0802').response!);
}

function results(rig: Rig, startIndex: number, count: number) {
  const r = rig.send('prov-scan', WiFiScanPayload.encode({ msg: 4, cmdScanResult: { startIndex, count } }).finish());
  expect(r.done).toBe(true);
  return WiFiScanPayload.decode(r.response!);
}

describe('auth clamp', () => {
  it('keeps 0..7 and maps every raw value >= 8 into 0..7', () => {
    for (let a = 0; a <= 7; a++) expect(clampAuthMode(a)).toBe(a);
    expect(clampAuthMode(8)).toBe(3); // WAPI_PSK → a passphrase network
    expect(clampAuthMode(9)).toBe(0); // OWE → no passphrase
    expect(clampAuthMode(11)).toBe(6);
    for (const a of [10, 14, 15, 16]) expect(clampAuthMode(a)).toBe(5);
    for (const a of [17, 18, 255, -1, 3.5, NaN]) {
      const v = clampAuthMode(a);
      expect(v >= 0 && v <= 7).toBe(true);
    }
  });
});

describe('prov-scan', () => {
  it('sorts by descending RSSI, caps at 16, clamps auth, reports hidden networks with an empty SSID', () => {
    const world = bigWorld(30);
    world.aps.push({ ssid: 'Hidden', password: 'password1', auth: 3, rssi: -1, channel: 5, bssid: '02:00:00:00:01:00', hidden: true } as never);
    const rig = makeRig({ world });
    const a = startScan(rig, { blocking: true, periodMs: 120 });
    rig.until(() => a.done);
    const st = scanStatus(rig);
    expect(st.status ?? 0).toBe(0);
    expect(st.respScanStatus).toMatchObject({ scanFinished: true, resultCount: 16 });
    const all = [];
    for (let i = 0; i < 16; i += 4) {
      const page = results(rig, i, 4);
      expect(page.status ?? 0).toBe(0);
      expect(page.msg).toBe(5);
      all.push(...page.respScanResult!.entries!);
    }
    expect(all).toHaveLength(16);
    const rssis = all.map((e) => e.rssi!);
    expect(rssis).toEqual([...rssis].sort((x, y) => y - x));
    // The strongest 16 of the world, strongest first.
    const expected = [...world.aps].map((x) => x.rssi).sort((x, y) => y - x).slice(0, 16);
    expect(rssis).toEqual(expected);
    expect(all[0].ssid ?? new Uint8Array(0)).toHaveLength(0); // hidden, at -1 dBm
    expect(all[0].bssid && toHex(all[0].bssid)).toBe('020000000100');
    for (const e of all) expect((e.auth ?? 0) >= 0 && (e.auth ?? 0) <= 7).toBe(true);
  });

  it('scan cap is configurable (1..255)', () => {
    const rig = makeRig({ world: bigWorld(30), manager: { scanMaxEntries: 20 } });
    const a = startScan(rig, { blocking: true });
    rig.until(() => a.done);
    expect(scanStatus(rig).respScanStatus?.resultCount).toBe(20);
    expect(() => makeRig({ manager: { scanMaxEntries: 0 } })).toThrow(/1\.\.255/);
    expect(() => makeRig({ manager: { scanMaxEntries: 256 } })).toThrow(/1\.\.255/);
  });

  it('paging overrun returns what exists with InternalError', () => {
    const rig = makeRig(); // the 3-AP vector world
    const a = startScan(rig, { blocking: true });
    rig.until(() => a.done);
    const over = results(rig, 2, 4);
    expect(over.status).toBe(5);
    expect(over.respScanResult!.entries!.map((e) => new TextDecoder().decode(e.ssid!))).toEqual(['CafeOpen']);
    const beyond = results(rig, 10, 1);
    expect(beyond.status).toBe(5);
    expect(beyond.respScanResult!.entries ?? []).toHaveLength(0);
    // A huge count is bounded by the cap, never a huge loop or response.
    const huge = results(rig, 0, 0xffffffff);
    expect(huge.status).toBe(5);
    expect(huge.respScanResult!.entries).toHaveLength(3);
    expect(results(rig, 0, 3).status ?? 0).toBe(0);
  });

  it('blocking ScanStart replies when the scan is done; non-blocking replies at once', () => {
    const rig = makeRig();
    // Before any scan: finished (nothing running, as IDF's !scanning), no results.
    expect(toHex(rig.send('prov-scan', '0802').response!)).toBe('08036a020801');
    const passive = startScan(rig, { blocking: true, passive: true });
    expect(passive.done).toBe(false);
    rig.until(() => passive.done);
    expect(passive.at).toBe(14 * 360); // passive default dwell 360 ms/channel
    expect(toHex(passive.response!)).toBe('08015a00');

    const t0 = rig.clock.monotonicMs();
    const nb = startScan(rig, { blocking: false, periodMs: 100 });
    expect(nb.done).toBe(true);
    expect(toHex(nb.response!)).toBe('08015a00');
    expect(scanStatus(rig).respScanStatus).toMatchObject({ scanFinished: false, resultCount: 0 });
    // A second start while running joins the running scan instead of restarting it.
    const joined = startScan(rig, { blocking: true });
    rig.until(() => joined.done);
    expect(joined.at - t0).toBe(14 * 100);
    expect(rig.wifi.stats.scans).toBe(2);
    expect(scanStatus(rig).respScanStatus).toMatchObject({ scanFinished: true, resultCount: 3 });
  });

  it('group_channels: one channel at a time with a 120 ms pause after each group', () => {
    const rig = makeRig();
    const a = startScan(rig, { blocking: true, groupChannels: 5, periodMs: 120 });
    rig.until(() => a.done);
    // 14 channels × 120 ms + pauses after channels 5 and 10 (not after the last one).
    expect(a.at).toBe(14 * 120 + 2 * 120);
    expect(rig.wifi.stats.scans).toBe(14);
    expect(scanStatus(rig).respScanStatus?.resultCount).toBe(3);
    const names = results(rig, 0, 3).respScanResult!.entries!.map((e) => new TextDecoder().decode(e.ssid!));
    expect(names).toEqual(['HomeNet', 'Office-WPA3', 'CafeOpen']);
  });

  it('a failed scan is an error status, not an empty success list', () => {
    const rig = makeRig();
    rig.wifi.failNextScan('TIMEOUT');
    const a = startScan(rig, { blocking: true });
    rig.until(() => a.done);
    const resp = WiFiScanPayload.decode(a.response!);
    expect(resp.status).toBe(5);
    const st = scanStatus(rig);
    expect(st.status).toBe(5);
    expect(st.respScanStatus?.scanFinished).toBe(true);
    expect(results(rig, 0, 1).status).toBe(5);
  });

  it('a scan refused by the driver (station connecting) answers InternalError at once', () => {
    const rig = makeRig();
    rig.send('prov-config', '080262150a07486f6d654e6574120a73656372657470617373');
    rig.send('prov-config', '0804');
    rig.clock.advance(1050); // the connect attempt is scanning
    expect(rig.wifi.connecting).toBe(true);
    const a = startScan(rig, { blocking: true });
    expect(a.done).toBe(true);
    expect(WiFiScanPayload.decode(a.response!).status).toBe(5);
  });

  it('handler errors: unknown msg, missing parameters, garbage', () => {
    const rig = makeRig();
    expect(rig.call('prov-scan', '0800')).toBeUndefined(); // ScanStart without cmd_scan_start
    expect(rig.call('prov-scan', '0804')).toBeUndefined(); // ScanResult without cmd_scan_result
    for (const msg of [1, 3, 5, 6, 1000]) expect(rig.call('prov-scan', toHex(WiFiScanPayload.encode({ msg }).finish()))).toBeUndefined();
    expect(rig.call('prov-scan', 'ffffffff')).toBeUndefined();
  });

  it('stopping provisioning during a blocking scan answers the waiting request', () => {
    const rig = makeRig();
    const a = startScan(rig, { blocking: true });
    rig.manager.stopNow();
    expect(a.done).toBe(true);
    expect(WiFiScanPayload.decode(a.response!).status).toBe(5);
    rig.clock.advance(5000); // the driver's late completion is ignored
  });
});
