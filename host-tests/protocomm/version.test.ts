// proto-ver JSON (unified-provisioning.md §6): every exact string of §6.3, through ProtoVersion and through the
// proto-ver endpoint of a configured protocomm.
import { describe, expect, it } from 'vitest';
import { ProtoVersion } from '../../firmware/protocomm/version';
import { createProtocomm } from '../../firmware/protocomm/protocomm';
import { createNodeCryptoHost } from '../../tools/sim/host/crypto';
import { FakeClock, call } from './node-device';
import { loadVectors } from './replay';

const prov = (secVer: number, patch: number, caps: string) =>
  `{\n\t"prov":\t{\n\t\t"ver":\t"v1.1",\n\t\t"sec_ver":\t${secVer},\n\t\t"sec_patch_ver":\t${patch},\n\t\t"cap":\t${caps}\n\t}\n}`;

const SEC2 = '{\n\t"prov":\t{\n\t\t"ver":\t"v1.1",\n\t\t"sec_ver":\t2,\n\t\t"sec_patch_ver":\t1,\n\t\t"cap":\t["wifi_scan"]\n\t}\n}';
const NETPROV_APP =
  '{\n\t"my_app":\t{\n\t\t"ver":\t"1.345",\n\t\t"cap":\t["cloud", "local_ctrl"]\n\t},\n\t"prov":\t{\n\t\t"ver":\t"netprov-v1.2",' +
  '\n\t\t"sec_ver":\t2,\n\t\t"sec_patch_ver":\t1,\n\t\t"cap":\t["wifi_prov", "wifi_scan"]\n\t}\n}';

describe('ProtoVersion (§6.3 exact strings)', () => {
  it('sec2 wifi_provisioning is the 95-byte string', () => {
    const v = new ProtoVersion({ securityVersion: 2, securityPatchVersion: 1 });
    expect(v.toJson()).toBe(SEC2);
    expect(v.toBytes().length).toBe(95);
  });
  it('sec1 with PoP', () => {
    expect(new ProtoVersion({ securityVersion: 1, securityPatchVersion: 0, hasPop: true }).toJson()).toBe(prov(1, 0, '["wifi_scan"]'));
  });
  it('sec1 without PoP adds no_pop', () => {
    expect(new ProtoVersion({ securityVersion: 1, securityPatchVersion: 0, hasPop: false }).toJson()).toBe(
      prov(1, 0, '["no_pop", "wifi_scan"]'),
    );
  });
  it('sec0 adds no_sec', () => {
    expect(new ProtoVersion({ securityVersion: 0, securityPatchVersion: 0 }).toJson()).toBe(prov(0, 0, '["no_sec", "wifi_scan"]'));
  });
  it('network_provisioning with an app label', () => {
    const v = new ProtoVersion({ provVersion: 'netprov-v1.2', securityVersion: 2, securityPatchVersion: 1, wifiProv: true });
    v.setAppInfo('my_app', '1.345', ['cloud', 'local_ctrl']);
    expect(v.toJson()).toBe(NETPROV_APP);
  });
  it('labels keep insertion order, replacing keeps the position, "prov" is reserved', () => {
    const v = new ProtoVersion({ securityVersion: 2, securityPatchVersion: 1 });
    v.setAppInfo('a', '1', []);
    v.setAppInfo('b', '2', ['x']);
    v.setAppInfo('a', '3', ['y']);
    expect(v.toJson()).toBe(
      '{\n\t"a":\t{\n\t\t"ver":\t"3",\n\t\t"cap":\t["y"]\n\t},\n\t"b":\t{\n\t\t"ver":\t"2",\n\t\t"cap":\t["x"]\n\t},\n' + SEC2.slice(2),
    );
    expect(() => v.setAppInfo('prov', '1', [])).toThrow(RangeError);
  });
  it('strings are escaped like cJSON print_string_ptr', () => {
    const v = new ProtoVersion({ securityVersion: 2, securityPatchVersion: 1 });
    v.setAppInfo('q"\\\n\t\u0001é', '1', []);
    expect(v.toJson().split('\n')[1]).toBe('\t"q\\"\\\\\\n\\t\\u0001é":\t{');
    expect(JSON.parse(v.toJson())['q"\\\n\t\u0001é']).toEqual({ ver: '1', cap: [] });
  });
});

describe('proto-ver endpoint', () => {
  const crypto = createNodeCryptoHost();
  const clock = new FakeClock();
  const vectors = loadVectors();
  const cases = [
    { security: { version: 0 as const }, expected: prov(0, 0, '["no_sec", "wifi_scan"]') },
    { security: { version: 1 as const, pop: 'abcd1234' }, expected: prov(1, 0, '["wifi_scan"]') },
    { security: { version: 1 as const }, expected: prov(1, 0, '["no_pop", "wifi_scan"]') },
    { security: { version: 1 as const, pop: '' }, expected: prov(1, 0, '["no_pop", "wifi_scan"]') },
  ];
  for (const c of cases) {
    it(`answers ${JSON.stringify(c.security)} whatever the body, unencrypted`, () => {
      const pc = createProtocomm({ crypto, clock, security: c.security });
      for (const body of ['---', 'ESP', 'v1.1', '']) {
        const r = call(pc, 'proto-ver', 7, new TextEncoder().encode(body));
        expect(new TextDecoder().decode(r as Uint8Array)).toBe(c.expected);
      }
    });
  }
  it('sec2 patch 0 advertises sec_patch_ver 0, patch 1 advertises 1', () => {
    const salt = Buffer.from(vectors.inputs.srp_salt, 'hex');
    const verifier = Buffer.from(vectors.inputs.srp_verifier, 'hex');
    for (const patchVersion of [0, 1] as const) {
      const pc = createProtocomm({ crypto, clock, security: { version: 2, salt, verifier, patchVersion } });
      const r = call(pc, 'proto-ver', 1, Uint8Array.of(0x2d));
      expect(new TextDecoder().decode(r as Uint8Array)).toBe(prov(2, patchVersion, '["wifi_scan"]'));
    }
  });
  it('app labels added after creation appear in the next answer', () => {
    const pc = createProtocomm({ crypto, clock, security: { version: 0 }, version: { provVersion: 'netprov-v1.2', wifiProv: true } });
    pc.versionInfo.setAppInfo('or', '1.0', ['or-cfg']);
    const text = new TextDecoder().decode(call(pc, 'proto-ver', 1, Uint8Array.of(1)) as Uint8Array);
    expect(JSON.parse(text)).toEqual({
      or: { ver: '1.0', cap: ['or-cfg'] },
      prov: { ver: 'netprov-v1.2', sec_ver: 0, sec_patch_ver: 0, cap: ['no_sec', 'wifi_prov', 'wifi_scan'] },
    });
    expect(Object.keys(JSON.parse(text))).toEqual(['or', 'prov']);
  });
});
