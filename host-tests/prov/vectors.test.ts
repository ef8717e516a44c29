// Client-side vector check (unified-provisioning.md §12 "Client-side checks"): with the client randomness pinned
// (X25519 private key 0x20..0x3f, SRP a = 0xa0..0xbf), tools/prov must reproduce every request_hex of the four
// esp_prov transcripts byte for byte, feeding the recorded device responses back in, and decode every response.
import { describe, expect, it } from 'vitest';
import { loadIntermediates, loadTranscripts } from '../fixtures/vectors';
import { createClientSecurity } from '../../tools/prov/security/index';
import { SRP_N_BYTES } from '../../tools/prov/security/sec2';
import { srpN } from '../../firmware/protocomm/security/srp';
import * as m from '../../tools/prov/messages';
import { parseProtoVersion } from '../../tools/prov/proto-ver';

const t = loadTranscripts();
const inter = loadIntermediates();
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const bin = (h: string) => new Uint8Array(Buffer.from(h, 'hex'));

/** A random source that hands out exactly the given values, then fails the test if asked again. */
function pinned(...values: string[]) {
  const queue = values.map(bin);
  return (n: number) => {
    const v = queue.shift();
    if (!v || v.length !== n) throw new Error(`unexpected randomness request of ${n} bytes`);
    return v;
  };
}

// The Wi-Fi requests after the handshake, built by tools/prov's message builders in transcript order.
const wifiRequests = [
  () => m.scanStartRequest({ blocking: true, passive: false, groupChannels: 0, periodMs: 120 }),
  () => m.scanStatusRequest(),
  () => m.scanResultRequest(0, 3),
  () => m.setConfigRequest(new TextEncoder().encode('HomeNet'), new TextEncoder().encode('secretpass')),
  () => m.applyConfigRequest(),
  () => m.getStatusRequest(),
  () => m.getStatusRequest(),
];

const cases: [string, () => ReturnType<typeof createClientSecurity>][] = [
  ['sec0', () => createClientSecurity({ version: 0, patchVersion: 0 }, {})],
  ['sec1', () => createClientSecurity({ version: 1, patchVersion: 0 }, { pop: t.inputs.pop, random: pinned(t.inputs.client_x25519_private) })],
  [
    'sec2_patch1',
    () => createClientSecurity({ version: 2, patchVersion: 1 }, { username: t.inputs.srp_username, pop: t.inputs.srp_password, random: pinned(t.inputs.srp_client_a) }),
  ],
  [
    'sec2_patch0',
    () => createClientSecurity({ version: 2, patchVersion: 0 }, { username: t.inputs.srp_username, pop: t.inputs.srp_password, random: pinned(t.inputs.srp_client_a) }),
  ],
];

describe('tools/prov client reproduces the esp_prov transcripts', () => {
  it('uses the RFC 5054 group the device uses', () => {
    expect(hex(SRP_N_BYTES)).toBe(hex(srpN()));
  });

  for (const [name, make] of cases) {
    it(`${name}: every request_hex, every response decoded`, () => {
      const steps = t[name] as any[];
      const version = parseProtoVersion(new TextDecoder().decode(bin(steps[0].response_hex)));
      expect(version.secVer).toBe(name === 'sec0' ? 0 : name === 'sec1' ? 1 : 2);
      expect(version.secPatchVer).toBe(name === 'sec2_patch1' ? 1 : 0);
      const sec = make();
      let i = 1;
      let req = sec.step(undefined);
      while (req) {
        expect(steps[i].endpoint).toBe('prov-session');
        expect(hex(req)).toBe(steps[i].request_hex);
        req = sec.step(bin(steps[i].response_hex));
        i++;
      }
      expect(sec.established).toBe(true);
      for (const build of wifiRequests) {
        const step = steps[i++];
        const plain = build();
        expect(hex(plain)).toBe(step.request_plain_hex);
        expect(hex(sec.encrypt(plain))).toBe(step.request_hex);
        expect(hex(sec.decrypt(bin(step.response_hex)))).toBe(step.response_plain_hex);
      }
      expect(i).toBe(steps.length);
    });
  }

  it('decodes the plaintext answers as esp_prov did (client_decoded)', () => {
    const s = t.sec1 as any[];
    expect(m.parseScanStatus(bin(s[4].response_plain_hex))).toEqual({ finished: true, count: 3 });
    const scan = m.parseScanResult(bin(s[5].response_plain_hex));
    expect(scan.status).toBe(0);
    expect(scan.entries.map((e) => e.ssid)).toEqual(['HomeNet', 'Office-WPA3', 'CafeOpen']);
    expect(scan.entries[0]).toMatchObject({ bssid: '788a20841996', channel: 1, rssi: -45 });
    expect(m.parseSetConfig(bin(s[6].response_plain_hex))).toBe(0);
    expect(m.parseApplyConfig(bin(s[7].response_plain_hex))).toBe(0);
    expect(m.parseGetStatus(bin(s[8].response_plain_hex))).toEqual({ state: 'connecting' });
    expect(m.parseGetStatus(bin(s[9].response_plain_hex))).toMatchObject({ state: 'connected', ip: '192.168.1.42', ssid: 'HomeNet' });
  });

  it('sec1 rejects a tampered device_verify_data and sec2 a tampered M2', () => {
    const s1 = t.sec1 as any[];
    const c1 = cases[1]![1]();
    c1.step(undefined);
    c1.step(bin(s1[1].response_hex));
    const bad1 = bin(s1[2].response_hex);
    bad1[bad1.length - 1]! ^= 1;
    expect(() => c1.step(bad1)).toThrow(/device_verify_data/);

    const s2 = t.sec2_patch1 as any[];
    const c2 = cases[2]![1]();
    c2.step(undefined);
    c2.step(bin(s2[1].response_hex));
    const bad2 = bin(s2[2].response_hex);
    bad2[20]! ^= 1;
    expect(() => c2.step(bad2)).toThrow(/M2/);
  });

  it('sec2 patch mismatch is caught from the nonce length, and a tampered GCM answer is refused', () => {
    const s = t.sec2_patch0 as any[];
    const c = createClientSecurity({ version: 2, patchVersion: 1 }, { username: 'wifiprov', pop: 'abcd1234', random: pinned(t.inputs.srp_client_a) });
    c.step(undefined);
    c.step(bin(s[1].response_hex));
    expect(() => c.step(bin(s[2].response_hex))).toThrow(/nonce has 16 bytes/);

    const p1 = t.sec2_patch1 as any[];
    const ok = cases[2]![1]();
    ok.step(undefined);
    ok.step(bin(p1[1].response_hex));
    ok.step(bin(p1[2].response_hex));
    ok.encrypt(bin(p1[3].request_plain_hex));
    const tampered = bin(p1[3].response_hex);
    tampered[0]! ^= 0x80;
    expect(() => ok.decrypt(tampered)).toThrow(/tag mismatch/);
  });

  it('sec2 M1 and the sec1 public key equal the recorded intermediates', () => {
    const s = t.sec2_patch1 as any[];
    const c = cases[2]![1]();
    const cmd0 = c.step(undefined) as Uint8Array;
    expect(hex(cmd0).endsWith(inter.sec2.A)).toBe(true);
    const cmd1 = c.step(bin(s[1].response_hex)) as Uint8Array;
    expect(hex(cmd1).endsWith(inter.sec2.M1_client_proof)).toBe(true);
    const c1 = cases[1]![1]();
    expect(hex(c1.step(undefined) as Uint8Array).endsWith(inter.sec1.client_pubkey)).toBe(true);
  });

  it('sec2 re-draws a when A would have a leading zero byte (§5.8)', () => {
    // a = 1 gives A = 5: a one-byte integer. The client must draw again and then send the pinned transcript's A.
    const one = '00'.repeat(31) + '01';
    const c = createClientSecurity({ version: 2, patchVersion: 1 }, { username: 'wifiprov', pop: 'abcd1234', random: pinned(one, t.inputs.srp_client_a) });
    expect(hex(c.step(undefined) as Uint8Array)).toBe((t.sec2_patch1 as any[])[1].request_hex);
  });
});
