// The or-cfg handler on its own (plaintext in, plaintext out): exact Response bytes (result present for SUCCESS,
// zero enums present as empty sub-messages), REQUEST_UNKNOWN / ARGUMENT_ERROR / INTERNAL_ERROR, the asynchronous
// link start, recovery with a second config, the proto-ver label and secret hygiene (openremote.md §1.2–1.5, §2.9).
import { describe, expect, it } from 'vitest';
import { orconfig } from '../../firmware/generated/proto.js';
import { NvsError, type NvsHost } from '../../firmware/host/nvs';
import { OrConfigChannel, salvageId } from '../../firmware/openremote/config-channel';
import { loadOpenRemoteConfig, saveOpenRemoteConfig } from '../../firmware/openremote/config-store';
import { checkModelName, deviceIdFromMac } from '../../firmware/openremote/device-info';
import { ProtoVersion } from '../../firmware/protocomm/version';
import { toHex } from '../../firmware/util/bytes';
import { Logger, SecretRegistry } from '../../firmware/util/log';
import { VirtualClock } from '../../tools/sim/host/clock';
import { CaptureLog } from '../../tools/sim/host/log';
import { SimNvs } from '../../tools/sim/host/nvs';
import { passwordScript, ScriptedLink } from './fake-link';

const GOOD = {
  mqttBrokerUrl: 'mqtts://or.example.com:8883',
  user: 'a4cf12b3c4d5',
  mqttPassword: 'Xy7pQ2rS9tU4vW1z',
  realm: 'master',
  assetId: '6tXbmMvQLd2e7UrY5xLviR',
};

function rig(options: { nvs?: NvsHost; allowPlaintextMqtt?: boolean } = {}) {
  const clock = new VirtualClock();
  const nvs = options.nvs ?? new SimNvs();
  const capture = new CaptureLog(clock);
  const secrets = new SecretRegistry();
  const log = new Logger(capture, 'or-cfg', secrets, 'debug');
  const link = new ScriptedLink(clock, passwordScript(() => GOOD.mqttPassword, 3000));
  const version = new ProtoVersion({ securityVersion: 2, securityPatchVersion: 1 });
  const exits: number[] = [];
  const channel = new OrConfigChannel({
    nvs,
    timers: clock,
    log,
    secrets,
    deviceId: deviceIdFromMac(Uint8Array.of(0xa4, 0xcf, 0x12, 0xb3, 0xc4, 0xd5)),
    modelName: 'or-demo',
    link,
    rules: { allowPlaintextMqtt: options.allowPlaintextMqtt },
    onExit: () => exits.push(clock.monotonicMs()),
    appInfo: version,
    firmwareVersion: '1.2.3',
  });
  const call = (request: orconfig.Request.$Properties | Uint8Array) => {
    const bytes = request instanceof Uint8Array ? request : orconfig.Request.encode(request).finish();
    let out: Uint8Array | undefined | 'none' = 'none';
    channel.handler(1, bytes, (r) => {
      if (out !== 'none') throw new Error('replied twice');
      out = r;
    });
    if (out === 'none') throw new Error('no synchronous reply');
    return out as Uint8Array | undefined;
  };
  const decode = (request: orconfig.Request.$Properties | Uint8Array) => orconfig.Response.decode(call(request) as Uint8Array);
  return { clock, nvs, capture, secrets, link, version, channel, exits, call, decode };
}

describe('or-cfg Response bytes', () => {
  it('DeviceInfo: id echoed, result {} present, device_id = 12 upper-case hex of the MAC, model_name field 3', () => {
    const { call } = rig();
    const bytes = call({ id: '0', deviceInfo: {} }) as Uint8Array;
    // 0a 01 "0" | 12 00 (result present, SUCCESS) | 32 17 (device_info, 23 bytes) 0a 0c "A4CF12B3C4D5" 1a 07 "or-demo"
    expect(toHex(bytes)).toBe('0a0130' + '1200' + '3217' + '0a0c' + toHex(new TextEncoder().encode('A4CF12B3C4D5')) + '1a07' + toHex(new TextEncoder().encode('or-demo')));
  });

  it('BackendConnectionStatus DISCONNECTED is an empty but present sub-message (3a 00)', () => {
    const { call } = rig();
    expect(toHex(call({ id: '7', backendConnectionStatus: {} }) as Uint8Array)).toBe('0a0137' + '1200' + '3a00');
  });

  it('OpenRemoteConfig SUCCESS and ExitProvisioning carry their (empty) bodies', () => {
    const { call } = rig();
    expect(toHex(call({ id: '2', openRemoteConfig: GOOD }) as Uint8Array)).toBe('0a0132' + '1200' + '4200');
    expect(toHex(call({ id: '3', exitProvisioning: {} }) as Uint8Array)).toBe('0a0133' + '1200' + '4a00');
  });

  it('unknown or missing body: REQUEST_UNKNOWN with the id, no body', () => {
    const { call } = rig();
    expect(toHex(call({ id: '4' }) as Uint8Array)).toBe('0a0134' + '12020801');
    // Field 10 (a future body) with an empty message: unknown to us.
    expect(toHex(call(Uint8Array.of(0x0a, 0x01, 0x35, 0x52, 0x00)) as Uint8Array)).toBe('0a0135' + '12020801');
    // Empty request: id "" is omitted by proto3, result still present.
    expect(toHex(call(new Uint8Array(0)) as Uint8Array)).toBe('12020801');
  });

  it('undecodable bytes: a well-formed REQUEST_UNKNOWN, with the id salvaged when the wire still shows one', () => {
    const { call, capture } = rig();
    // id "9", then a device_info field whose length runs past the end.
    expect(toHex(call(Uint8Array.of(0x0a, 0x01, 0x39, 0x32, 0x05, 0x00)) as Uint8Array)).toBe('0a0139' + '12020801');
    expect(toHex(call(Uint8Array.of(0xff, 0xff, 0xff)) as Uint8Array)).toBe('12020801');
    expect(salvageId(Uint8Array.of(0x0a, 0x02, 0x31, 0x32, 0x0a, 0x01, 0x33, 0x07))).toBe('3'); // last id wins
    expect(capture.lines.some((l) => l.includes('undecodable request'))).toBe(true);
  });

  it('the last oneof member on the wire wins (proto3)', () => {
    const { decode } = rig();
    const r = decode(Uint8Array.of(0x0a, 0x01, 0x30, 0x32, 0x00, 0x4a, 0x00)); // device_info then exit_provisioning
    expect(r.exitProvisioning).toBeTruthy();
    expect(r.deviceInfo).toBeFalsy();
  });
});

describe('OpenRemoteConfig handling', () => {
  it('persists, answers SUCCESS at once, starts the link a timer tick later, reports CONNECTING meanwhile', () => {
    const { clock, nvs, link, decode, version } = rig();
    const r = decode({ id: '1', openRemoteConfig: { ...GOOD, properties: { a: 'b' } } });
    expect(r.result?.result ?? 0).toBe(0);
    expect(r.openRemoteConfig?.status ?? 0).toBe(0);
    expect(loadOpenRemoteConfig(nvs)).toEqual({ ...GOOD, properties: { a: 'b' } });
    expect(link.starts).toHaveLength(0); // not yet: the reply leaves first
    expect(decode({ id: '2', backendConnectionStatus: {} }).backendConnectionStatus?.status ?? 0).toBe(1);
    clock.advance(0);
    expect(link.starts).toHaveLength(1);
    clock.advance(3000);
    expect(decode({ id: '3', backendConnectionStatus: {} }).backendConnectionStatus?.status).toBe(2);
    expect(JSON.parse(version.toJson()).openremote).toEqual({ ver: '1.2.3', cap: ['or-cfg', 'status:connected', 'link:online'] });
  });

  it('a wrong password gives FAILED with the reason in proto-ver; a corrected config in the same session recovers', () => {
    const { clock, link, decode, version, capture } = rig();
    decode({ id: '0', openRemoteConfig: { ...GOOD, mqttPassword: 'WrongPassword123' } });
    clock.advance(8000);
    expect(decode({ id: '1', backendConnectionStatus: {} }).backendConnectionStatus?.status).toBe(3);
    expect(JSON.parse(version.toJson()).openremote.cap).toEqual(['or-cfg', 'status:failed', 'link:auth_refused']);
    expect(capture.lines.some((l) => l.includes('backend link FAILED (auth_refused)'))).toBe(true);
    decode({ id: '2', openRemoteConfig: GOOD });
    expect(decode({ id: '3', backendConnectionStatus: {} }).backendConnectionStatus?.status).toBe(1);
    clock.advance(0);
    expect(link.stops).toBe(1); // the failed link was stopped before the new one started
    expect(link.starts.map((s) => s.config.mqttPassword)).toEqual(['WrongPassword123', GOOD.mqttPassword]);
    clock.advance(3000);
    expect(decode({ id: '4', backendConnectionStatus: {} }).backendConnectionStatus?.status).toBe(2);
    capture.assertNoSecret('WrongPassword123', GOOD.mqttPassword);
  });

  it('two configs back to back start the link once, with the second', () => {
    const { clock, link, decode } = rig();
    decode({ id: '0', openRemoteConfig: { ...GOOD, mqttPassword: 'FirstPassword1' } });
    decode({ id: '1', openRemoteConfig: GOOD });
    clock.advance(10);
    expect(link.starts.map((s) => s.config.mqttPassword)).toEqual([GOOD.mqttPassword]);
  });

  const invalid: [string, Partial<typeof GOOD> & { properties?: Record<string, string> }][] = [
    ['empty URL', { mqttBrokerUrl: '' }],
    ['http scheme', { mqttBrokerUrl: 'https://or.example.com:8883' }],
    ['plaintext without build permission', { mqttBrokerUrl: 'mqtt://or.example.com:1883' }],
    ['path', { mqttBrokerUrl: 'mqtts://or.example.com:8883/mqtt' }],
    ['credentials in URL', { mqttBrokerUrl: 'mqtts://u:p@or.example.com:8883' }],
    ['port 0', { mqttBrokerUrl: 'mqtts://or.example.com:0' }],
    ['port 65536', { mqttBrokerUrl: 'mqtts://or.example.com:65536' }],
    ['bad host', { mqttBrokerUrl: 'mqtts://or_example!.com:8883' }],
    ['bad IPv4', { mqttBrokerUrl: 'mqtts://300.1.1.1:8883' }],
    ['whitespace', { mqttBrokerUrl: ' mqtts://or.example.com:8883' }],
    ['empty user', { user: '' }],
    ['user with /', { user: 'a/b' }],
    ['user with +', { user: 'a+b' }],
    ['user with #', { user: 'a#' }],
    ['user with space', { user: 'a b' }],
    ['user too long', { user: 'u'.repeat(65) }],
    ['empty password', { mqttPassword: '' }],
    ['password too long', { mqttPassword: 'p'.repeat(129) }],
    ['password with NUL', { mqttPassword: 'abc\u0000def' }],
    ['empty realm', { realm: '' }],
    ['realm with :', { realm: 'mas:ter' }],
    ['realm with /', { realm: 'a/b' }],
    ['asset id 21 chars', { assetId: '6tXbmMvQLd2e7UrY5xLvi' }],
    ['asset id with -', { assetId: '6tXbmMvQLd2e7UrY5xLvi-' }],
    ['too many properties', { properties: Object.fromEntries(Array.from({ length: 17 }, (_, i) => [`k${i}`, 'v'])) }],
    ['property value too long', { properties: { k: 'v'.repeat(257) } }],
  ];
  for (const [name, patch] of invalid) {
    it(`ARGUMENT_ERROR + status FAIL: ${name}; nothing stored, link untouched`, () => {
      const { clock, nvs, link, decode } = rig();
      const r = decode({ id: '5', openRemoteConfig: { ...GOOD, ...patch } });
      expect(r.id).toBe('5');
      expect(r.result?.result).toBe(3);
      expect(r.openRemoteConfig?.status).toBe(1);
      clock.advance(100);
      expect(loadOpenRemoteConfig(nvs)).toBeUndefined();
      expect(link.starts).toHaveLength(0);
    });
  }

  it('accepted edge forms: IPv4, IPv6, no port, plaintext when the build allows it', () => {
    for (const url of ['mqtts://192.168.1.10:8883', 'mqtts://[fd00::1]:8883', 'mqtts://or.example.com', 'mqtts://localhost:1']) {
      expect(rig().decode({ id: '0', openRemoteConfig: { ...GOOD, mqttBrokerUrl: url } }).result?.result ?? 0).toBe(0);
    }
    expect(rig({ allowPlaintextMqtt: true }).decode({ id: '0', openRemoteConfig: { ...GOOD, mqttBrokerUrl: 'mqtt://10.0.0.2:1883' } }).result?.result ?? 0).toBe(0);
  });

  it('a storage failure is INTERNAL_ERROR, the old config stays, and the link is not restarted', () => {
    const sim = new SimNvs();
    const old = { ...GOOD, mqttPassword: 'OldPassword0000', properties: {} };
    saveOpenRemoteConfig(sim, old);
    let failWrites = true;
    const nvs: NvsHost = {
      open(ns, mode) {
        const h = sim.open(ns, mode);
        return new Proxy(h, {
          get(target, prop, receiver) {
            if (prop === 'setBlob' && failWrites) return () => { throw new NvsError('NOT_ENOUGH_SPACE', 'full'); };
            const v = Reflect.get(target, prop, receiver);
            return typeof v === 'function' ? v.bind(target) : v;
          },
        });
      },
    };
    const { clock, link, decode } = rig({ nvs });
    const r = decode({ id: '8', openRemoteConfig: GOOD });
    expect(r.result?.result).toBe(2);
    expect(r.openRemoteConfig?.status).toBe(1);
    clock.advance(10);
    expect(link.starts).toHaveLength(0);
    expect(loadOpenRemoteConfig(sim)).toEqual(old);
    failWrites = false;
    expect(decode({ id: '9', openRemoteConfig: GOOD }).result?.result ?? 0).toBe(0);
  });

  it('the password is registered before anything is logged, even for a rejected config', () => {
    const { decode, capture } = rig();
    decode({ id: '0', openRemoteConfig: { ...GOOD, user: 'bad user', mqttPassword: 'SecretThatFails9' } });
    decode({ id: '1', openRemoteConfig: GOOD });
    expect(capture.lines.join('\n')).toContain('user "bad user"');
    capture.assertNoSecret('SecretThatFails9', GOOD.mqttPassword);
  });
});

describe('DeviceInfo values', () => {
  it('device_id is the 6-byte MAC as 12 upper-case hex digits; anything else is refused', () => {
    expect(deviceIdFromMac(Uint8Array.of(0x00, 0x0a, 0xff, 0x10, 0x01, 0xab))).toBe('000AFF1001AB');
    expect(() => deviceIdFromMac(new Uint8Array(5))).toThrow(RangeError);
    expect(() => checkModelName('')).toThrow(RangeError);
    expect(checkModelName('or-demo')).toBe('or-demo');
  });
});

describe('ExitProvisioning', () => {
  it('replies first, then calls onExit a timer tick later, once', () => {
    const { clock, exits, decode } = rig();
    expect(decode({ id: '0', exitProvisioning: {} }).exitProvisioning).toBeTruthy();
    expect(exits).toEqual([]);
    decode({ id: '1', exitProvisioning: {} });
    clock.advance(0);
    expect(exits).toEqual([0]);
  });
});
