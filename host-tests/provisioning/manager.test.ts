// Provisioning manager state machine (unified-provisioning.md §7.1, §7.3, §8) on the simulated Wi-Fi world and
// NVS with a virtual clock: fail reasons, retry in the same session, reset/reprov, attempts, timers, events, and
// "credentials reach NVS only after an IP".
import { describe, expect, it } from 'vitest';
import { RespGetStatus, WiFiConfigPayload, WiFiCtrlPayload } from '../../firmware/generated/proto.js';
import { mapDisconnectReason, PROV_EVENT_ID } from '../../firmware/provisioning/manager';
import { toHex } from '../../firmware/util/bytes';
import { SimNvs } from '../../tools/sim/host/nvs';
import { enc, makeRig, type Rig } from './helpers';

const WORLD = {
  aps: [
    { ssid: 'HomeNet', password: 'secretpass', auth: 'WPA2_PSK', rssi: -45, channel: 1, bssid: '78:8a:20:84:19:96', ip: '192.168.1.42' },
    { ssid: 'Office-WPA3', password: 'office-sae-pass', auth: 'WPA3_PSK', rssi: -60, channel: 11, bssid: '7c:8a:20:84:19:98', ip: '10.0.0.7' },
    { ssid: 'CafeOpen', auth: 'OPEN', rssi: -70, channel: 6, bssid: '7a:8a:20:84:19:97' },
    { ssid: 'Strict202', password: 'rightpass', auth: 'WPA2_PSK', rssi: -50, channel: 2, wrongPasswordReason: 202 },
    { ssid: 'NoDhcp', password: 'nodhcppass', auth: 'WPA2_PSK', rssi: -55, channel: 3, dhcpFails: true, dhcpTimeoutMs: 5000 },
    { ssid: 'Attic', password: 'hiddenpass', auth: 'WPA2_PSK', rssi: -75, channel: 9, hidden: true },
  ],
};

function setConfig(ssid: string, passphrase: string): Uint8Array {
  return WiFiConfigPayload.encode({ msg: 2, cmdSetConfig: { ssid: enc.encode(ssid), passphrase: enc.encode(passphrase) } }).finish();
}

/** SetConfig + ApplyConfig; returns the two response status values. */
function provision(rig: Rig, ssid: string, passphrase: string): [number, number] {
  const s = WiFiConfigPayload.decode(rig.send('prov-config', setConfig(ssid, passphrase)).response!);
  const a = WiFiConfigPayload.decode(rig.send('prov-config', '0804').response!);
  return [s.respSetConfig!.status ?? 0, a.respApplyConfig!.status ?? 0];
}

function status(rig: Rig): RespGetStatus {
  const r = rig.send('prov-config', '5200');
  expect(r.done).toBe(true);
  const p = WiFiConfigPayload.decode(r.response!);
  expect(p.msg).toBe(1);
  return p.respGetStatus as RespGetStatus;
}

function ctrl(rig: Rig, msg: 1 | 3): number {
  const p = WiFiCtrlPayload.decode(rig.send('prov-ctrl', toHex(WiFiCtrlPayload.encode({ msg }).finish())).response!);
  expect(p.msg).toBe(msg + 1);
  return p.status ?? 0;
}

const stored = (rig: Rig) => {
  const r = rig.store.load();
  return r.ok ? new TextDecoder().decode(r.credentials.ssid) + '/' + new TextDecoder().decode(r.credentials.password) : r.reason;
};

describe('disconnect reason mapping (§8.4)', () => {
  it('maps 202/15/204/14 to AuthError, 201 to NetworkNotFound, others to silent retry', () => {
    for (const r of [202, 15, 204, 14]) expect(mapDisconnectReason(r)).toBe('auth-error');
    expect(mapDisconnectReason(201)).toBe('network-not-found');
    for (const r of [1, 2, 3, 4, 8, 200, 203, 205]) expect(mapDisconnectReason(r)).toBeUndefined();
  });
});

describe('fail reasons', () => {
  it('wrong WPA2 passphrase: reason 15 → ConnectionFailed + AuthError (10 03 50 00)', () => {
    const rig = makeRig({ world: WORLD });
    expect(provision(rig, 'HomeNet', 'wrongpass')).toEqual([0, 0]);
    rig.until(() => rig.manager.provState === 'FAIL');
    expect(rig.events.at(-1)).toEqual({ name: 'cred-fail', reason: 'auth-error', wifiReason: 15 });
    expect(rig.call('prov-config', '5200')).toBe('08015a0410035000');
  });

  it('wrong WPA3 passphrase: reason 202 → AuthError', () => {
    const rig = makeRig({ world: WORLD });
    provision(rig, 'Office-WPA3', 'not-the-pass');
    rig.until(() => rig.manager.provState === 'FAIL');
    expect(rig.events.at(-1)).toMatchObject({ name: 'cred-fail', reason: 'auth-error', wifiReason: 202 });
  });

  it('an AP configured to answer 202 for WPA2 also maps to AuthError', () => {
    const rig = makeRig({ world: WORLD });
    provision(rig, 'Strict202', 'nope-nope');
    rig.until(() => rig.manager.provState === 'FAIL');
    expect(rig.events.at(-1)).toMatchObject({ reason: 'auth-error', wifiReason: 202 });
  });

  it('missing SSID: reason 201 after an all-channel scan → NetworkNotFound (10 03 50 01)', () => {
    const rig = makeRig({ world: WORLD });
    provision(rig, 'NoSuchNet', 'whatever1');
    const t0 = rig.clock.monotonicMs();
    rig.until(() => rig.manager.provState === 'FAIL');
    // 1 s apply delay + 14 channels × 120 ms
    expect(rig.clock.monotonicMs() - t0).toBe(1000 + 14 * 120);
    expect(rig.events.at(-1)).toMatchObject({ reason: 'network-not-found', wifiReason: 201 });
    expect(rig.call('prov-config', '5200')).toBe('08015a0410035001');
  });

  it('hidden network joins by exact SSID', () => {
    const rig = makeRig({ world: WORLD });
    provision(rig, 'Attic', 'hiddenpass');
    rig.until(() => rig.manager.provState === 'SUCCESS');
    expect(stored(rig)).toBe('Attic/hiddenpass');
  });

  it('DHCP failure: no IP, the station is dropped, and the connect timeout ends in NetworkNotFound', () => {
    const rig = makeRig({ world: WORLD, manager: { connectTimeoutMs: 12_000 } });
    provision(rig, 'NoDhcp', 'nodhcppass');
    const t0 = rig.clock.monotonicMs();
    rig.until(() => rig.manager.provState === 'FAIL');
    expect(rig.clock.monotonicMs() - t0).toBe(1000 + 12_000);
    expect(rig.events.at(-1)).toMatchObject({ name: 'cred-fail', reason: 'network-not-found' });
    expect(rig.wifi.stats.connects).toBeGreaterThan(1); // reason 1 was retried silently before the timeout
    expect(stored(rig)).toBe('absent');
  });

  it('strict reference mode retries a non-credential failure forever (no connect timeout)', () => {
    const rig = makeRig({ world: WORLD, manager: { strictReference: true } });
    provision(rig, 'NoDhcp', 'nodhcppass');
    rig.clock.advance(120_000);
    expect(rig.manager.provState).toBe('CRED_RECV');
    expect(rig.call('prov-config', '5200')).toBe('08015a021001');
  });
});

describe('retry in the same session (beyond the reference)', () => {
  it('accepts new credentials after a wrong passphrase and commits only the good ones', () => {
    const nvs = new SimNvs();
    const rig = makeRig({ world: WORLD, nvs });
    // A previous good network is on flash.
    rig.store.save({ ssid: enc.encode('CafeOpen'), password: new Uint8Array(0) });
    provision(rig, 'HomeNet', 'typo-pass');
    rig.until(() => rig.manager.provState === 'FAIL');
    expect(stored(rig)).toBe('CafeOpen/'); // the failed attempt left the last good record intact
    expect(provision(rig, 'HomeNet', 'secretpass')).toEqual([0, 0]);
    expect(rig.manager.provState).toBe('CRED_RECV');
    expect(rig.call('prov-config', '5200')).toBe('08015a021001'); // Connecting again
    rig.until(() => rig.manager.provState === 'SUCCESS');
    expect(stored(rig)).toBe('HomeNet/secretpass');
    expect(rig.events.map((e) => e.name)).toEqual([
      'init',
      'start',
      'set-sta-config',
      'cred-recv',
      'cred-fail',
      'set-sta-config',
      'cred-recv',
      'cred-success',
    ]);
    rig.capture.assertNoSecret('secretpass', 'typo-pass');
  });

  it('strict reference: ApplyConfig after FAIL is InternalError until CtrlReset', () => {
    const rig = makeRig({ world: WORLD, manager: { strictReference: true } });
    provision(rig, 'HomeNet', 'typo-pass');
    rig.until(() => rig.manager.provState === 'FAIL');
    expect(provision(rig, 'HomeNet', 'secretpass')).toEqual([0, 5]);
    expect(rig.events.at(-1)?.name).toBe('set-sta-config'); // emitted even when rejected (§8.3)
    expect(ctrl(rig, 1)).toBe(0);
    expect(rig.manager.provState).toBe('STARTED');
    expect(provision(rig, 'HomeNet', 'secretpass')).toEqual([0, 0]);
    rig.until(() => rig.manager.provState === 'SUCCESS');
  });

  it('ApplyConfig while connecting or after success is InternalError; without SetConfig too', () => {
    const rig = makeRig({ world: WORLD });
    expect(rig.call('prov-config', '0804')).toBe('08057a020805'); // nothing pending
    provision(rig, 'HomeNet', 'secretpass');
    expect(provision(rig, 'HomeNet', 'secretpass')).toEqual([0, 5]); // CRED_RECV
    rig.until(() => rig.manager.provState === 'SUCCESS');
    expect(provision(rig, 'CafeOpen', '')).toEqual([0, 5]);
  });
});

describe('prov-ctrl reset / reprov (§7.3)', () => {
  it('CtrlReset: Success in STARTED (IEC), InternalError while connecting or after success, Success in FAIL', () => {
    const rig = makeRig({ world: WORLD });
    expect(ctrl(rig, 1)).toBe(0);
    provision(rig, 'HomeNet', 'bad-password');
    expect(ctrl(rig, 1)).toBe(5); // CRED_RECV
    rig.until(() => rig.manager.provState === 'FAIL');
    expect(ctrl(rig, 1)).toBe(0);
    expect(rig.manager.provState).toBe('STARTED');
    expect(rig.call('prov-config', '5200')).toBe('08015a021001'); // back to Connecting
    provision(rig, 'HomeNet', 'secretpass');
    rig.until(() => rig.manager.provState === 'SUCCESS');
    expect(ctrl(rig, 1)).toBe(5);
  });

  it('strict reference: CtrlReset in STARTED is InternalError (esp_prov prints 0x5)', () => {
    const rig = makeRig({ world: WORLD, manager: { strictReference: true } });
    expect(ctrl(rig, 1)).toBe(5);
  });

  it('CtrlReprov: InternalError with auto-stop on; with auto-stop off it re-opens the session and emits START', () => {
    const a = makeRig({ world: WORLD });
    expect(ctrl(a, 3)).toBe(5);

    const rig = makeRig({ world: WORLD, start: false });
    rig.manager.disableAutoStop(1000);
    rig.manager.start();
    provision(rig, 'HomeNet', 'secretpass');
    rig.until(() => rig.manager.provState === 'SUCCESS');
    status(rig); // Connected GetStatus does not stop when auto-stop is off
    rig.clock.advance(60_000);
    expect(rig.manager.provState).toBe('SUCCESS');
    expect(ctrl(rig, 3)).toBe(0);
    expect(rig.manager.provState).toBe('STARTED');
    expect(rig.events.filter((e) => e.name === 'start')).toHaveLength(2);
    provision(rig, 'Office-WPA3', 'office-sae-pass');
    rig.until(() => rig.manager.provState === 'SUCCESS');
    expect(stored(rig)).toBe('Office-WPA3/office-sae-pass');
    const s = status(rig);
    expect(s.connected?.ip4Addr).toBe('10.0.0.7');
    expect(s.connected?.authMode).toBe(6);
    rig.manager.stop();
    rig.clock.advance(999);
    expect(rig.manager.provState).toBe('STOPPING');
    rig.clock.advance(1);
    expect(rig.manager.provState).toBe('STOPPED');
  });

  it('rejects unknown, reserved and response-type ctrl messages with no response', () => {
    const rig = makeRig({ world: WORLD });
    for (const msg of [0, 2, 4, 5, 99]) expect(rig.call('prov-ctrl', toHex(WiFiCtrlPayload.encode({ msg }).finish()))).toBeUndefined();
    expect(rig.call('prov-ctrl', 'ff')).toBeUndefined();
    // CtrlReset as esp_prov sends it (msg only): RespCtrlReset with status Success omitted → 08 02 62 00.
    expect(rig.call('prov-ctrl', '0801')).toBe('08026200');
    // CtrlReprov with auto-stop on → status InternalError: 08 04 10 05 72 00.
    expect(rig.call('prov-ctrl', '0803')).toBe('0804100572' + '00');
  });
});

describe('wifi_conn_attempts (attempt_failed, §7.1)', () => {
  it('reports attempts_remaining, then ConnectionFailed after N attempts', () => {
    const rig = makeRig({ world: WORLD, manager: { wifiConnAttempts: 3 } });
    provision(rig, 'HomeNet', 'badpass!!');
    const seen: string[] = [];
    rig.until(() => {
      const hex = rig.call('prov-config', '5200')!;
      if (seen.at(-1) !== hex) seen.push(hex);
      return rig.manager.provState === 'FAIL';
    });
    // Connecting, attempt_failed{2}, attempt_failed{1}, ConnectionFailed/AuthError
    expect(seen).toEqual(['08015a021001', '08015a0610016202' + '0802', '08015a0610016202' + '0801', '08015a0410035000']);
    expect(rig.wifi.stats.connects).toBe(3);
  });

  it('CtrlReset resets the attempt counter', () => {
    const rig = makeRig({ world: WORLD, manager: { wifiConnAttempts: 2 } });
    provision(rig, 'HomeNet', 'badpass!!');
    rig.until(() => rig.manager.provState === 'FAIL');
    expect(ctrl(rig, 1)).toBe(0);
    provision(rig, 'HomeNet', 'badpass!!');
    rig.until(() => rig.manager.provState === 'FAIL');
    expect(rig.wifi.stats.connects).toBe(4);
  });
});

describe('timing', () => {
  it('connects only 1 s after ApplyConfig, so the response leaves first', () => {
    const rig = makeRig({ world: WORLD });
    provision(rig, 'HomeNet', 'secretpass');
    rig.clock.advance(999);
    expect(rig.wifi.stats.connects).toBe(0);
    rig.clock.advance(1);
    expect(rig.wifi.stats.connects).toBe(1);
  });

  it('auto-stop 1000 ms after the first Connected GetStatus (END once, endpoints removed)', () => {
    const rig = makeRig({ world: WORLD });
    provision(rig, 'HomeNet', 'secretpass');
    rig.until(() => rig.manager.provState === 'SUCCESS');
    status(rig);
    status(rig); // a second Connected GetStatus does not re-arm
    rig.clock.advance(999);
    expect(rig.manager.provState).toBe('STOPPING');
    expect(rig.registry.handlers.has('prov-config')).toBe(true); // the last response can still be fetched
    rig.clock.advance(1);
    expect(rig.manager.provState).toBe('STOPPED');
    expect(rig.registry.handlers.size).toBe(0);
    expect(rig.registry.cleanups).toBe(1);
    expect(rig.events.filter((e) => e.name === 'end')).toHaveLength(1);
    expect(rig.wifi.stationInfo()?.ip).toBe('192.168.1.42'); // the station stays connected
  });

  it('auto-stop 30 s after got-IP when nobody asks GetStatus (plus the cleanup delay)', () => {
    const rig = makeRig({ world: WORLD });
    provision(rig, 'HomeNet', 'secretpass');
    rig.until(() => rig.manager.provState === 'SUCCESS');
    const t = rig.clock.monotonicMs();
    rig.until(() => rig.manager.provState === 'STOPPED');
    expect(rig.clock.monotonicMs() - t).toBe(30_000 + 1000);
  });

  it('disableAutoStop: no automatic stop; stop() waits the given cleanup delay (min 100 ms)', () => {
    const rig = makeRig({ world: WORLD, start: false });
    rig.manager.disableAutoStop(20);
    rig.manager.start();
    provision(rig, 'HomeNet', 'secretpass');
    rig.until(() => rig.manager.provState === 'SUCCESS');
    status(rig);
    rig.clock.advance(300_000);
    expect(rig.manager.provState).toBe('SUCCESS');
    rig.manager.stop();
    rig.clock.advance(99);
    expect(rig.manager.provState).toBe('STOPPING');
    rig.clock.advance(1);
    expect(rig.manager.provState).toBe('STOPPED');
  });

  it('provisioning window: stops if nothing was provisioned in time, not after success', () => {
    const rig = makeRig({ world: WORLD, manager: { windowTimeoutMs: 60_000 } });
    rig.clock.advance(59_999);
    expect(rig.manager.provState).toBe('STARTED');
    rig.clock.advance(1);
    expect(rig.manager.provState).toBe('STOPPED');
    expect(rig.events.at(-1)?.name).toBe('end');

    const ok = makeRig({ world: WORLD, manager: { windowTimeoutMs: 5_000, autoStop: false } });
    provision(ok, 'HomeNet', 'secretpass');
    ok.until(() => ok.manager.provState === 'SUCCESS');
    ok.clock.advance(60_000);
    expect(ok.manager.provState).toBe('SUCCESS');
  });

  it('stopping mid-attempt abandons the connection and keeps NVS untouched', () => {
    const rig = makeRig({ world: WORLD });
    provision(rig, 'HomeNet', 'secretpass');
    rig.clock.advance(1100); // connecting
    rig.manager.stopNow();
    rig.clock.advance(10_000);
    expect(rig.manager.provState).toBe('STOPPED');
    expect(rig.wifi.stationInfo()).toBeUndefined();
    expect(stored(rig)).toBe('absent');
  });
});

describe('events and API', () => {
  it('success order: INIT, START, SET_STA_CONFIG, CRED_RECV, CRED_SUCCESS, END, DEINIT', () => {
    const rig = makeRig({ world: WORLD });
    provision(rig, 'HomeNet', 'secretpass');
    rig.until(() => rig.manager.provState === 'SUCCESS');
    status(rig);
    rig.until(() => rig.manager.provState === 'STOPPED');
    rig.manager.deinit();
    const names = rig.events.map((e) => e.name);
    expect(names).toEqual(['init', 'start', 'set-sta-config', 'cred-recv', 'cred-success', 'end', 'deinit']);
    expect(names.map((n) => PROV_EVENT_ID[n])).toEqual([0, 1, 2, 3, 5, 6, 7]);
    expect(rig.events[4]).toMatchObject({ name: 'cred-success', ip: '192.168.1.42', persisted: true });
  });

  it('the set-sta-config callback may adjust the configuration', () => {
    const rig = makeRig({
      world: WORLD,
      manager: {
        onEvent: (e) => {
          if (e.name === 'set-sta-config') e.config.password = enc.encode('secretpass');
        },
      },
    });
    provision(rig, 'HomeNet', 'app-will-fix');
    rig.until(() => rig.manager.provState === 'SUCCESS');
    expect(stored(rig)).toBe('HomeNet/secretpass');
  });

  it('a throwing event callback does not break the state machine', () => {
    const rig = makeRig({ world: WORLD, manager: { onEvent: () => { throw new Error('app bug'); } } });
    provision(rig, 'HomeNet', 'secretpass');
    rig.until(() => rig.manager.provState === 'SUCCESS');
  });

  it('endpoint table: standard ids, custom ids 0xFF54+ in creation order, create only before start', () => {
    const rig = makeRig({ world: WORLD, start: false });
    rig.manager.createEndpoint('or-cfg');
    rig.manager.createEndpoint('custom-data');
    expect(() => rig.manager.createEndpoint('or-cfg')).toThrow(/exists/);
    expect(() => rig.manager.createEndpoint('prov-config')).toThrow(/exists/);
    expect(() => rig.manager.createEndpoint('bad name')).toThrow(/invalid/);
    expect(rig.manager.bleEndpoints()).toEqual([
      { name: 'prov-ctrl', id: 0xff4f },
      { name: 'prov-scan', id: 0xff50 },
      { name: 'prov-session', id: 0xff51 },
      { name: 'prov-config', id: 0xff52 },
      { name: 'proto-ver', id: 0xff53 },
      { name: 'or-cfg', id: 0xff54 },
      { name: 'custom-data', id: 0xff55 },
    ]);
    expect(() => rig.manager.registerEndpoint('or-cfg', () => {})).toThrow(/running/);
    rig.manager.start();
    expect(() => rig.manager.createEndpoint('late')).toThrow(/before start/);
    expect(() => rig.manager.registerEndpoint('unknown', () => {})).toThrow(/createEndpoint/);
    rig.manager.registerEndpoint('custom-data', (_s, _r, reply) => reply(enc.encode('SUCCESS\0')));
    expect(rig.call('custom-data', '6869')).toBe('5355434345535300');
    rig.manager.stopNow();
    expect(rig.registry.handlers.has('custom-data')).toBe(false);
    expect(rig.manager.capabilities()).toEqual(['wifi_scan']);
  });

  it('start twice throws; restart after stop works', () => {
    const rig = makeRig({ world: WORLD });
    expect(() => rig.manager.start()).toThrow(/already running/);
    rig.manager.stopNow();
    rig.manager.start();
    expect(rig.manager.provState).toBe('STARTED');
    expect(rig.events.filter((e) => e.name === 'init')).toHaveLength(1);
  });

  it('SoftAP provisioning: APSTA for the session, STA after stop', () => {
    const rig = makeRig({ world: WORLD, manager: { wifiMode: 'apsta' } });
    expect(rig.wifi.mode).toBe('apsta');
    provision(rig, 'HomeNet', 'secretpass');
    rig.until(() => rig.manager.provState === 'SUCCESS');
    expect(rig.wifi.mode).toBe('apsta');
    status(rig);
    rig.until(() => rig.manager.provState === 'STOPPED');
    expect(rig.wifi.mode).toBe('sta');
  });

  it('resetProvisioning (factory reset) erases the stored record', () => {
    const rig = makeRig({ world: WORLD });
    provision(rig, 'HomeNet', 'secretpass');
    rig.until(() => rig.manager.provState === 'SUCCESS');
    expect(rig.manager.isProvisioned()).toBe(true);
    rig.manager.resetProvisioning();
    expect(rig.manager.isProvisioned()).toBe(false);
  });

  it('registers received passphrases with the log redaction, so even a stray log line cannot print one', () => {
    const rig = makeRig({ world: WORLD });
    provision(rig, 'HomeNet', 'typo-pass');
    rig.log.info('debug dump: typo-pass');
    expect(rig.capture.lines.at(-1)).toContain('<redacted 9 chars>');
    rig.capture.assertNoSecret('typo-pass');
  });

  it('a link drop after success (e.g. during or-cfg) reconnects and reports Connecting meanwhile', () => {
    const rig = makeRig({ world: WORLD, manager: { autoStop: false } });
    provision(rig, 'HomeNet', 'secretpass');
    rig.until(() => rig.manager.provState === 'SUCCESS');
    rig.wifi.kick(200); // BEACON_TIMEOUT
    rig.clock.advance(0);
    expect(rig.call('prov-config', '5200')).toBe('08015a021001');
    rig.until(() => rig.wifi.stationInfo() !== undefined);
    expect(status(rig).connected?.ip4Addr).toBe('192.168.1.42');
    expect(rig.manager.provState).toBe('SUCCESS');
  });

  it('a credential write failure still reports success, flagged persisted: false', () => {
    const rig = makeRig({ world: WORLD });
    provision(rig, 'HomeNet', 'secretpass');
    rig.nvs.cutPowerAt(rig.nvs.steps + 1);
    rig.until(() => rig.manager.provState === 'SUCCESS');
    expect(rig.events.at(-1)).toMatchObject({ name: 'cred-success', persisted: false });
    expect(rig.capture.lines.some((l) => l.startsWith('E ') && l.includes('could not persist'))).toBe(true);
  });

  it('GetStatus before any ApplyConfig reads Connecting (IDF zeroed context)', () => {
    const rig = makeRig({ world: WORLD });
    expect(rig.call('prov-config', '5200')).toBe('08015a021001');
  });
});
