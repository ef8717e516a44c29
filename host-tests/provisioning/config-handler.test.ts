// prov-config handler in isolation (unified-provisioning.md §7.1, §1.3, §11.5) against a scripted WifiConfigApi:
// field limits → InvalidArgument (not a handler error), msg + 1, selection by msg, malformed input → no response.
import { describe, expect, it } from 'vitest';
import { WiFiConfigPayload } from '../../firmware/generated/proto.js';
import type { WifiCredentials } from '../../firmware/provisioning/credentials';
import { createWifiConfigHandler, type StationStatus } from '../../firmware/provisioning/wifi-config';
import { toHex } from '../../firmware/util/bytes';
import { Logger, SecretRegistry } from '../../firmware/util/log';
import { CaptureLog } from '../../tools/sim/host/log';
import { enc, h } from './helpers';

function rig(status: StationStatus = { state: 'connecting' }, accept = true) {
  const applied: WifiCredentials[] = [];
  let reported = 0;
  const capture = new CaptureLog();
  const { handler, discardPending } = createWifiConfigHandler(
    {
      getStatus: () => status,
      connectedReported: () => reported++,
      applyConfig: (c) => {
        applied.push({ ssid: new Uint8Array(c.ssid), password: new Uint8Array(c.password) });
        return accept;
      },
    },
    new Logger(capture, 'cfg', new SecretRegistry(), 'debug'),
  );
  const call = (req: Uint8Array | string): string | undefined => {
    let out: string | undefined = 'none';
    let n = 0;
    handler(1, typeof req === 'string' ? h(req) : req, (r) => {
      n++;
      out = r && toHex(r);
    });
    expect(n).toBe(1);
    return out;
  };
  return { call, applied, reported: () => reported, discardPending, capture };
}

const setCfg = (p: { ssid?: Uint8Array; passphrase?: Uint8Array; bssid?: Uint8Array; channel?: number }) =>
  WiFiConfigPayload.encode({ msg: 2, cmdSetConfig: p }).finish();

describe('SetConfig field rules', () => {
  const ok = '08036a00';
  const invalid = '08036a020804';
  it.each([
    ['ssid 32 bytes', { ssid: new Uint8Array(32).fill(0x61) }, ok],
    ['ssid 33 bytes', { ssid: new Uint8Array(33).fill(0x61) }, invalid],
    ['empty ssid', { passphrase: enc.encode('abcdefgh') }, invalid],
    ['passphrase 63 bytes', { ssid: enc.encode('x'), passphrase: new Uint8Array(63).fill(0x62) }, ok],
    ['passphrase 64 bytes', { ssid: enc.encode('x'), passphrase: new Uint8Array(64).fill(0x62) }, invalid],
    ['bssid 6 bytes', { ssid: enc.encode('x'), bssid: new Uint8Array(6) }, ok],
    ['bssid 5 bytes', { ssid: enc.encode('x'), bssid: new Uint8Array(5) }, invalid],
    ['bssid 7 bytes', { ssid: enc.encode('x'), bssid: new Uint8Array(7) }, invalid],
    ['channel given', { ssid: enc.encode('x'), channel: 6 }, ok],
  ])('%s', (_name, fields, expected) => {
    expect(rig().call(setCfg(fields))).toBe(expected);
  });

  it('rejected SetConfig keeps nothing pending; ApplyConfig then answers InternalError', () => {
    const r = rig();
    r.call(setCfg({ ssid: new Uint8Array(40) }));
    expect(r.call('0804')).toBe('08057a020805');
    expect(r.applied).toHaveLength(0);
  });

  it('ApplyConfig hands the pending credentials over once, then forgets them', () => {
    const r = rig();
    r.call('080262150a07486f6d654e6574120a73656372657470617373');
    expect(r.call('0804')).toBe('08057a00');
    expect(r.applied.map((c) => new TextDecoder().decode(c.password))).toEqual(['secretpass']);
    expect(r.call('0804')).toBe('08057a020805'); // discarded after use
    r.call('080262150a07486f6d654e6574120a73656372657470617373');
    r.discardPending();
    expect(r.call('0804')).toBe('08057a020805');
    r.capture.assertNoSecret('secretpass');
  });

  it('a rejected apply answers InternalError and also drops the pending credentials', () => {
    const r = rig({ state: 'connecting' }, false);
    r.call('080262150a07486f6d654e6574120a73656372657470617373');
    expect(r.call('0804')).toBe('08057a020805');
    expect(r.call('0804')).toBe('08057a020805');
    expect(r.applied).toHaveLength(1);
  });

  it('truncates the passphrase at an embedded NUL, as the C string in IDF does', () => {
    const r = rig();
    r.call(setCfg({ ssid: enc.encode('x'), passphrase: Uint8Array.of(0x61, 0x62, 0, 0x63) }));
    r.call('0804');
    expect(toHex(r.applied[0].password)).toBe('6162');
  });
});

describe('GetStatus encodings', () => {
  it.each<[string, StationStatus, string]>([
    ['connecting', { state: 'connecting' }, '08015a021001'],
    ['attempt failed', { state: 'attempt-failed', attemptsRemaining: 2 }, '08015a06100162020802'],
    ['auth error (emitted though 0)', { state: 'failed', reason: 'auth-error' }, '08015a0410035000'],
    ['network not found', { state: 'failed', reason: 'network-not-found' }, '08015a0410035001'],
    [
      'connected (vector)',
      { state: 'connected', ip: '192.168.1.42', auth: 3, ssid: enc.encode('HomeNet'), bssid: h('788a20841996'), channel: 1 },
      '08015a255a230a0c3139322e3136382e312e343210031a07486f6d654e65742206788a208419962801',
    ],
    [
      'connected, raw auth 9 (OWE) clamped to Open and bssid with a zero byte kept whole',
      { state: 'connected', ip: '10.0.0.2', auth: 9, ssid: enc.encode('o'), bssid: h('000000000001'), channel: 13 },
      '08015a195a170a0831302e302e302e321a016f2206000000000001280d',
    ],
  ])('%s', (_n, status, hex) => {
    const r = rig(status);
    expect(r.call('5200')).toBe(hex);
    expect(r.reported()).toBe(status.state === 'connected' ? 1 : 0);
  });

  it('selects by msg: esp_prov GetStatus `52 00` and bare `08 00`/empty payload are GetStatus', () => {
    const r = rig();
    expect(r.call('5200')).toBe('08015a021001');
    expect(r.call('')).toBe('08015a021001');
  });
});

describe('handler errors (no response)', () => {
  it.each([
    ['SetConfig without sub-message', '0802'],
    ['unknown msg 6', '0806'],
    ['response type msg 1', '0801'],
    ['response type msg 5', '0805'],
    ['truncated varint', '08'],
    ['bad wire type', '0f'],
    ['length past the end', '620a0a'],
  ])('%s', (_n, hex) => {
    expect(rig().call(hex)).toBeUndefined();
  });
});
