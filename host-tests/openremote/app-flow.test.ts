// The OpenRemote app's PROVISION_DEVICE flow against the device, exactly as openremote.md §1.4–1.5 describe it,
// over the simulated BLE link, ProtocommCore sec2 and the ProvisioningManager (rig.ts), with a scripted backend
// link: iOS-style (realm master, no properties) and Android-style (app realm, properties), then a reboot that goes
// straight to the stored config.
import { describe, expect, it } from 'vitest';
import { CredentialStore } from '../../firmware/provisioning/credentials';
import { loadOpenRemoteConfig, readOpenRemoteConfig } from '../../firmware/openremote/config-store';
import { Logger, SecretRegistry } from '../../firmware/util/log';
import { CaptureLog } from '../../tools/sim/host/log';
import { VirtualClock } from '../../tools/sim/host/clock';
import { OpenRemoteApp, randomPassword, type BackendApi, type PhoneTime } from './app';
import { passwordScript, ScriptedLink } from './fake-link';
import { bootProvisioningDevice, CLEANUP_DELAY_MS, DEVICE_ID, MODEL, POP, type Device } from './rig';

const ASSET_ID = '6tXbmMvQLd2e7UrY5xLviR';
const BLE_RTT_MS = 45; // one write + read on a 15–30 ms connection interval

function phoneTime(clock: VirtualClock): PhoneTime {
  return { now: () => clock.monotonicMs(), pace: () => clock.advance(BLE_RTT_MS) };
}

function backend(record: { calls: { modelName: string; deviceId: string; password: string }[] }, properties?: Record<string, string>): BackendApi {
  return {
    async provision(body) {
      record.calls.push(body);
      return { assetId: ASSET_ID, properties };
    },
  };
}

function setup(): { device: Device; clock: VirtualClock; link: () => ScriptedLink; password: { value?: string } } {
  const clock = new VirtualClock();
  const password: { value?: string } = {};
  let link: ScriptedLink | undefined;
  const device = bootProvisioningDevice({
    clock,
    link: ({ clock: c }) => (link = new ScriptedLink(c, passwordScript(() => password.value))),
  });
  return { device, clock, link: () => link as ScriptedLink, password };
}

describe('or-cfg: the OpenRemote app flow over BLE + sec2 + provisioning manager', () => {
  for (const platform of ['ios', 'android'] as const) {
    it(`${platform}: DeviceInfo, OpenRemoteConfig, back-to-back status polls until CONNECTED, ExitProvisioning`, async () => {
      const { device, clock, link, password } = setup();
      const app = await OpenRemoteApp.connect(device.peripheral, POP, phoneTime(clock));
      await app.provisionWifi('HomeNet', 'secretpass');
      // Auto-stop is disabled: the Connected GetStatus did not stop the service, or-cfg is still there.
      clock.advance(5000);
      expect(device.manager.provState).toBe('SUCCESS');
      expect(device.manager.bleEndpoints().find((e) => e.name === 'or-cfg')?.id).toBe(0xff54);

      const calls = { calls: [] as { modelName: string; deviceId: string; password: string }[] };
      password.value = randomPassword();
      const props = platform === 'android' ? { site: 'plant-7', 'fw.channel': 'stable' } : undefined;
      const outcome = await app.provisionDevice({
        platform,
        apiHost: 'demo.openremote.io',
        backend: backend(calls, props),
        realm: platform === 'android' ? 'building-a' : undefined,
        password: password.value,
      });

      expect(outcome.connected).toBe(true);
      expect(outcome.deviceId).toBe(DEVICE_ID);
      expect(outcome.modelName).toBe(MODEL);
      expect(calls.calls).toEqual([{ modelName: MODEL, deviceId: DEVICE_ID, password: password.value }]);
      // Status sequence: CONNECTING while the link comes up, then CONNECTED; never FAILED on the good path.
      expect(outcome.statuses.at(-1)).toBe(2);
      expect(outcome.statuses.slice(0, -1).every((s) => s === 1)).toBe(true);
      // Polls are back to back: one per BLE round trip for the ~2.5 s the link needs.
      expect(outcome.statuses.length).toBeGreaterThan(2400 / BLE_RTT_MS);

      // The link got exactly the config the app sent, a timer tick after the SUCCESS reply.
      expect(link().starts).toHaveLength(1);
      const started = link().starts[0].config;
      expect(started).toEqual({
        mqttBrokerUrl: 'mqtts://demo.openremote.io:8883',
        user: DEVICE_ID.toLowerCase(),
        mqttPassword: password.value,
        realm: platform === 'ios' ? 'master' : 'building-a',
        assetId: ASSET_ID,
        properties: props ?? {},
      });
      expect(loadOpenRemoteConfig(device.nvs)).toEqual(started);

      // The proto-ver label tells a support tool what the link is doing (peer firmware cannot, §2.3/§6.2).
      const version = await app.readProtoVersion();
      expect(version.openremote).toEqual({ ver: '0.1.0', cap: ['or-cfg', 'status:connected', 'link:online'] });
      expect(Object.keys(version)).toEqual(['openremote', 'prov']);

      await app.exitProvisioning();
      expect(app.sentIds).toEqual(app.sentIds.map((_, i) => String(i)));
      // Reply first; the BLE stack is released only after the cleanup delay (the phone's pace already spent one
      // round trip of virtual time after reading the reply).
      expect(device.peripheral.isReleased()).toBe(false);
      clock.advance(CLEANUP_DELAY_MS - BLE_RTT_MS - 1);
      expect(device.peripheral.isReleased()).toBe(false);
      clock.advance(2);
      expect(device.manager.provState).toBe('STOPPED');
      expect(device.peripheral.isReleased()).toBe(true);
      // The backend link keeps running after provisioning: it is the device's cloud link.
      expect(device.channel.linkState().status).toBe('CONNECTED');
      device.capture.assertNoSecret(password.value, POP, 'secretpass');
    });
  }

  it('a new BLE connection starts the ids at "0" again, and a reboot goes straight to the stored config', async () => {
    const { device, clock, password } = setup();
    password.value = randomPassword();
    let app = await OpenRemoteApp.connect(device.peripheral, POP, phoneTime(clock));
    await app.provisionWifi('HomeNet', 'secretpass');
    await app.orCfg('deviceInfo');
    await app.link.disconnect();
    app = await OpenRemoteApp.connect(device.peripheral, POP, phoneTime(clock));
    const outcome = await app.provisionDevice({ platform: 'ios', apiHost: '192.168.1.10', backend: backend({ calls: [] }), password: password.value });
    expect(outcome.connected).toBe(true);
    expect(app.sentIds[0]).toBe('0');

    // Reboot (same flash): the boot flow finds Wi-Fi credentials AND the OpenRemote config, so it starts the
    // station and the MQTT link and never enters provisioning (README.md boot flow).
    const log = new Logger(new CaptureLog(), 'boot', new SecretRegistry());
    expect(new CredentialStore({ nvs: device.nvs, log }).isProvisioned()).toBe(true);
    const secrets = new SecretRegistry();
    const stored = readOpenRemoteConfig(device.nvs, { secrets });
    expect(stored.ok && stored.config.mqttPassword).toBe(password.value);
    expect(secrets.scrub(`x ${password.value} y`)).not.toContain(password.value); // registered on load
    expect(stored.ok && stored.config.mqttBrokerUrl).toBe('mqtts://192.168.1.10:8883');
  });
});
