// Credential record (firmware/provisioning/credentials.ts): format round trip, corruption detection, read-back,
// no passphrase in logs, and the power cut at EVERY NVS step of a save / clear / a full provisioning run: the next
// boot has the old or the new credentials, never a mix or nothing (tools/sim/host/nvs.ts forEachPowerCut).
import { describe, expect, it } from 'vitest';
import {
  CredentialStore,
  decodeCredentials,
  encodeCredentials,
  type WifiCredentials,
} from '../../firmware/provisioning/credentials';
import { crc32 } from '../../firmware/provisioning/crc32';
import { Logger, SecretRegistry } from '../../firmware/util/log';
import { CaptureLog } from '../../tools/sim/host/log';
import { forEachPowerCut, SimNvs } from '../../tools/sim/host/nvs';
import { enc, makeRig } from './helpers';

const OLD: WifiCredentials = { ssid: enc.encode('OldNet'), password: enc.encode('old-password') };
const NEW: WifiCredentials = { ssid: enc.encode('HomeNet'), password: enc.encode('secretpass') };

function storeOn(nvs: SimNvs, capture = new CaptureLog()) {
  return new CredentialStore({ nvs, log: new Logger(capture, 'cred', new SecretRegistry(), 'debug') });
}

function text(c: WifiCredentials | undefined): string {
  return c ? `${new TextDecoder().decode(c.ssid)}/${new TextDecoder().decode(c.password)}` : 'none';
}

function loaded(nvs: SimNvs): string {
  const r = storeOn(nvs).load();
  return r.ok ? text(r.credentials) : r.reason;
}

describe('record format', () => {
  it('CRC-32 matches the IEEE check value', () => {
    expect(crc32(enc.encode('123456789'))).toBe(0xcbf43926);
  });

  it('round-trips ssid, passphrase, bssid and channel; open networks too', () => {
    const full: WifiCredentials = { ssid: new Uint8Array(32).fill(0xff), password: new Uint8Array(63).fill(0x41), bssid: Uint8Array.of(1, 2, 3, 4, 5, 6), channel: 11 };
    expect(decodeCredentials(encodeCredentials(full))).toEqual({ ok: true, credentials: full });
    const open: WifiCredentials = { ssid: enc.encode('CafeOpen'), password: new Uint8Array(0) };
    expect(decodeCredentials(encodeCredentials(open))).toEqual({ ok: true, credentials: open });
  });

  it('refuses to encode out-of-range fields', () => {
    expect(() => encodeCredentials({ ssid: new Uint8Array(0), password: new Uint8Array(0) })).toThrow(/ssid/);
    expect(() => encodeCredentials({ ssid: new Uint8Array(33), password: new Uint8Array(0) })).toThrow(/ssid/);
    expect(() => encodeCredentials({ ssid: enc.encode('x'), password: new Uint8Array(64) })).toThrow(/passphrase/);
    expect(() => encodeCredentials({ ssid: enc.encode('x'), password: new Uint8Array(0), bssid: new Uint8Array(5) })).toThrow(/bssid/);
  });

  it('detects every single-bit flip and every truncation', () => {
    const record = encodeCredentials(NEW);
    for (let i = 0; i < record.length * 8; i++) {
      const bad = new Uint8Array(record);
      bad[i >> 3] ^= 1 << (i & 7);
      expect(decodeCredentials(bad).ok).toBe(false);
    }
    for (let n = 0; n < record.length; n++) expect(decodeCredentials(record.subarray(0, n)).ok).toBe(false);
  });

  it('a future schema version is reported, not misread', () => {
    const record = encodeCredentials(NEW);
    record[2] = 2;
    const body = record.length - 4;
    const crc = crc32(record.subarray(0, body));
    record.set([crc & 0xff, (crc >>> 8) & 0xff, (crc >>> 16) & 0xff, crc >>> 24], body);
    expect(decodeCredentials(record)).toEqual({ ok: false, reason: 'unsupported-version' });
  });
});

describe('CredentialStore', () => {
  it('save → load, isProvisioned, clear; a foreign entry under the key reads as corrupt', () => {
    const nvs = new SimNvs();
    const store = storeOn(nvs);
    expect(store.load()).toEqual({ ok: false, reason: 'absent' });
    expect(store.isProvisioned()).toBe(false);
    store.save(NEW);
    expect(store.isProvisioned()).toBe(true);
    nvs.reboot();
    expect(loaded(nvs)).toBe('HomeNet/secretpass');
    store.clear();
    expect(store.load()).toEqual({ ok: false, reason: 'absent' });
    store.clear(); // clearing twice is fine
    const h = nvs.open('prov', 'readwrite');
    h.setString('wifi_sta', 'junk');
    expect(store.load()).toEqual({ ok: false, reason: 'corrupt' });
    store.clear();
    expect(store.load()).toEqual({ ok: false, reason: 'absent' });
  });

  it('never logs the passphrase', () => {
    const capture = new CaptureLog();
    const store = storeOn(new SimNvs(), capture);
    store.save(NEW);
    store.load();
    expect(capture.lines.some((l) => l.includes('HomeNet'))).toBe(true);
    capture.assertNoSecret('secretpass');
  });

  it('a failed write surfaces as CredentialsError and leaves the old record', () => {
    const nvs = new SimNvs();
    storeOn(nvs).save(OLD);
    nvs.cutPowerAt(nvs.steps + 1);
    expect(() => storeOn(nvs).save(NEW)).toThrow(/POWER_LOSS/);
    nvs.reboot();
    expect(loaded(nvs)).toBe('OldNet/old-password');
  });
});

describe('power cut at every NVS step', () => {
  it('save over old credentials: old or new, never a mix or nothing', async () => {
    const outcomes = new Set<string>();
    const { totalSteps } = await forEachPowerCut({
      setup: (nvs) => storeOn(nvs).save(OLD),
      run: (nvs) => storeOn(nvs).save(NEW),
      check: (nvs, { cutAt }) => {
        const got = loaded(nvs);
        outcomes.add(got);
        if (cutAt === undefined) expect(got).toBe('HomeNet/secretpass');
        else expect(['OldNet/old-password', 'HomeNet/secretpass']).toContain(got);
      },
    });
    expect(totalSteps).toBeGreaterThanOrEqual(2); // set + commit
    expect(outcomes).toEqual(new Set(['OldNet/old-password', 'HomeNet/secretpass']));
  });

  it('first save on an empty device: nothing or new', async () => {
    await forEachPowerCut({
      run: (nvs) => storeOn(nvs).save(NEW),
      check: (nvs) => expect(['absent', 'HomeNet/secretpass']).toContain(loaded(nvs)),
    });
  });

  it('factory reset (clear): old or nothing', async () => {
    await forEachPowerCut({
      setup: (nvs) => storeOn(nvs).save(OLD),
      run: (nvs) => storeOn(nvs).clear(),
      check: (nvs, { cutAt }) => {
        const got = loaded(nvs);
        if (cutAt === undefined) expect(got).toBe('absent');
        else expect(['absent', 'OldNet/old-password']).toContain(got);
      },
    });
  });

  it('a whole provisioning run (wrong passphrase, retry, success): old or new at every cut', async () => {
    const { totalSteps } = await forEachPowerCut({
      setup: (nvs) => storeOn(nvs).save(OLD),
      run: (nvs) => {
        const rig = makeRig({ nvs });
        const set = (pw: string) =>
          rig.send('prov-config', '0802' + '62' + (2 + 7 + 2 + pw.length).toString(16).padStart(2, '0') + '0a07486f6d654e6574' + '12' + pw.length.toString(16).padStart(2, '0') + Buffer.from(pw).toString('hex'));
        set('wrongpass');
        rig.send('prov-config', '0804');
        rig.until(() => rig.manager.provState === 'FAIL');
        set('secretpass');
        rig.send('prov-config', '0804');
        rig.until(() => rig.manager.provState === 'SUCCESS' || nvs.poweredOff);
      },
      check: (nvs, { cutAt }) => {
        const got = loaded(nvs);
        if (cutAt === undefined) expect(got).toBe('HomeNet/secretpass');
        else expect(['OldNet/old-password', 'HomeNet/secretpass']).toContain(got);
      },
    });
    expect(totalSteps).toBe(2); // only the successful attempt writes: one set, one commit
  });
});
