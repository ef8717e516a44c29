// The stored OpenRemote config (firmware/openremote/config-store.ts): one CRC-checked NVS blob, the boot API
// (load / clear), and power cuts at every NVS step of a save made through the or-cfg channel: the next boot sees
// the old or the new config, never a mix, and a SUCCESS reply is never followed by the old one.
import { describe, expect, it } from 'vitest';
import { orconfig } from '../../firmware/generated/proto.js';
import { OrConfigChannel } from '../../firmware/openremote/config-channel';
import {
  clearOpenRemoteConfig,
  decodeOpenRemoteConfig,
  encodeOpenRemoteConfig,
  loadOpenRemoteConfig,
  OR_CONFIG_KEY,
  OR_CONFIG_NAMESPACE,
  readOpenRemoteConfig,
  saveOpenRemoteConfig,
} from '../../firmware/openremote/config-store';
import type { OpenRemoteConfig } from '../../firmware/openremote/config';
import { crc32 } from '../../firmware/provisioning/crc32';
import { Logger, SecretRegistry } from '../../firmware/util/log';
import { VirtualClock } from '../../tools/sim/host/clock';
import { CaptureLog } from '../../tools/sim/host/log';
import { forEachPowerCut, SimNvs } from '../../tools/sim/host/nvs';
import { ScriptedLink } from './fake-link';

const OLD: OpenRemoteConfig = {
  mqttBrokerUrl: 'mqtts://old.example.com:8883',
  user: 'a4cf12b3c4d5',
  mqttPassword: 'OldSecret1234567',
  realm: 'master',
  assetId: '6tXbmMvQLd2e7UrY5xLviR',
  properties: {},
};
const NEW: OpenRemoteConfig = {
  mqttBrokerUrl: 'mqtts://new.example.org:8884',
  user: 'a4cf12b3c4d5',
  mqttPassword: 'NewSecret7654321',
  realm: 'building-a',
  assetId: '4cdWlxEvmDRBBDEuVyJAtM',
  properties: { site: 'plant-7', 'fw.channel': 'stable' },
};

describe('OpenRemote config record', () => {
  it('round-trips, including properties and non-ASCII values', () => {
    const c = { ...NEW, properties: { 'name': 'Küche 🌡', empty: '' } };
    const nvs = new SimNvs();
    saveOpenRemoteConfig(nvs, c);
    nvs.reboot();
    expect(loadOpenRemoteConfig(nvs)).toEqual(c);
    expect(readOpenRemoteConfig(nvs)).toEqual({ ok: true, config: c });
  });

  it('absent, corrupt (any flipped byte), truncated, wrong type, future schema, and now-invalid records are refused', () => {
    const nvs = new SimNvs();
    expect(readOpenRemoteConfig(nvs)).toEqual({ ok: false, reason: 'absent' });
    const record = encodeOpenRemoteConfig(NEW);
    for (let i = 0; i < record.length; i++) {
      const bad = record.slice();
      bad[i] ^= 0x20;
      expect(decodeOpenRemoteConfig(bad).ok, `byte ${i}`).toBe(false);
    }
    for (let n = 0; n < record.length; n++) expect(decodeOpenRemoteConfig(record.subarray(0, n)).ok).toBe(false);

    const h = nvs.open(OR_CONFIG_NAMESPACE, 'readwrite');
    h.setString(OR_CONFIG_KEY, 'not a blob');
    h.commit();
    h.close();
    expect(readOpenRemoteConfig(nvs)).toEqual({ ok: false, reason: 'corrupt' });
    clearOpenRemoteConfig(nvs); // erases a foreign-typed entry too
    expect(readOpenRemoteConfig(nvs)).toEqual({ ok: false, reason: 'absent' });

    const future = record.slice();
    future[2] = 2;
    const body = future.length - 4;
    const crc = crc32(future.subarray(0, body));
    future.set([crc & 0xff, (crc >>> 8) & 0xff, (crc >>> 16) & 0xff, crc >>> 24], body);
    expect(decodeOpenRemoteConfig(future)).toEqual({ ok: false, reason: 'unsupported-version' });

    // Stored under a build that allowed plaintext; this build does not: not used.
    const plain = encodeOpenRemoteConfig({ ...OLD, mqttBrokerUrl: 'mqtt://10.0.0.2:1883' });
    expect(decodeOpenRemoteConfig(plain)).toEqual({ ok: false, reason: 'invalid' });
    expect(decodeOpenRemoteConfig(plain, { allowPlaintextMqtt: true }).ok).toBe(true);
  });

  it('clear (factory reset) removes the record and is idempotent', () => {
    const nvs = new SimNvs();
    saveOpenRemoteConfig(nvs, OLD);
    clearOpenRemoteConfig(nvs);
    clearOpenRemoteConfig(nvs);
    nvs.reboot();
    expect(loadOpenRemoteConfig(nvs)).toBeUndefined();
  });

  it('the password is in the record only inside the CRC-covered body (no separate key holds it)', () => {
    const nvs = new SimNvs();
    saveOpenRemoteConfig(nvs, OLD);
    const h = nvs.open(OR_CONFIG_NAMESPACE, 'readonly');
    expect(h.getString('pass')).toBeUndefined();
    h.close();
  });
});

describe('power cut at every step of saving through or-cfg', () => {
  function saveThroughChannel(nvs: SimNvs, config: OpenRemoteConfig): { result: number | undefined } {
    const clock = new VirtualClock();
    const channel = new OrConfigChannel({
      nvs,
      timers: clock,
      log: new Logger(new CaptureLog(clock), 'or-cfg', new SecretRegistry()),
      secrets: new SecretRegistry(),
      deviceId: 'A4CF12B3C4D5',
      modelName: 'or-demo',
      link: new ScriptedLink(clock, () => []),
    });
    const out: { result: number | undefined } = { result: undefined };
    channel.handler(1, orconfig.Request.encode({ id: '3', openRemoteConfig: config }).finish(), (r) => {
      if (r) out.result = orconfig.Response.decode(r).result?.result ?? 0;
    });
    return out;
  }

  for (const before of ['old config', 'nothing'] as const) {
    it(`with ${before} stored: the next boot has ${before === 'old config' ? 'old or new' : 'nothing or new'}, never a mix`, async () => {
      const seen = new Set<string>();
      let reply: { result: number | undefined } = { result: undefined };
      const { totalSteps } = await forEachPowerCut({
        setup: (nvs) => {
          if (before === 'old config') saveOpenRemoteConfig(nvs, OLD);
        },
        run: (nvs) => {
          reply = saveThroughChannel(nvs, NEW);
        },
        check: (nvs, { cutAt }) => {
          const loaded = loadOpenRemoteConfig(nvs);
          const allowed = before === 'old config' ? [OLD, NEW] : [undefined, NEW];
          expect(allowed, `cut at ${cutAt}`).toContainEqual(loaded);
          // An acknowledged save is durable; an unacknowledged one may or may not have landed.
          if (reply.result === 0) expect(loaded, `cut at ${cutAt}`).toEqual(NEW);
          if (cutAt !== undefined) expect(reply.result, `cut at ${cutAt}: SUCCESS despite the cut`).not.toBe(0);
          seen.add(loaded === undefined ? 'none' : loaded.mqttPassword === NEW.mqttPassword ? 'new' : 'old');
        },
      });
      expect(totalSteps).toBeGreaterThanOrEqual(2); // set and commit are the steps SimNvs counts
      expect(seen.has('new')).toBe(true);
      expect(seen.has(before === 'old config' ? 'old' : 'none')).toBe(true);
    });
  }
});
