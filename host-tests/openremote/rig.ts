// Test rig for the or-cfg channel: the device booted the way the lead's boot flow wires it (firmware/openremote/
// README.md) — ProvisioningManager with `or-cfg` created before start and auto-stop disabled, ProtocommCore with
// sec2 (salt/verifier for username "UNUSED" and password = PoP), the real BLE transport on the simulated NimBLE
// peripheral — and a phone that plays the OpenRemote app (app.ts). Time is a VirtualClock; the BLE transactions are
// promises, and the phone advances the clock by a modelled round trip per request.
import type { ClockHost } from '../../firmware/host/clock';
import type { TimerHost } from '../../firmware/host/timers';
import { BleTransport } from '../../firmware/transport/ble';
import { CredentialStore } from '../../firmware/provisioning/credentials';
import { ProvisioningManager } from '../../firmware/provisioning/manager';
import { createProtocomm, type ProtocommCore } from '../../firmware/protocomm/protocomm';
import { computeVerifier, generateSalt } from '../../firmware/protocomm/security/srp';
import type { BackendLink } from '../../firmware/openremote/backend-link';
import { OrConfigChannel, OR_CFG_ENDPOINT } from '../../firmware/openremote/config-channel';
import { deviceIdFromMac } from '../../firmware/openremote/device-info';
import { Logger, SecretRegistry } from '../../firmware/util/log';
import { SimBlePeripheral } from '../../tools/sim/ble/peripheral';
import { VirtualClock } from '../../tools/sim/host/clock';
import { createNodeCryptoHost } from '../../tools/sim/host/crypto';
import { CaptureLog } from '../../tools/sim/host/log';
import { SimNvs } from '../../tools/sim/host/nvs';
import { SimWifiStation } from '../../tools/sim/wifi/station';
import { parseWorld } from '../../tools/sim/wifi/world';
import { VECTOR_WORLD } from '../provisioning/helpers';

export const POP = 'or-pop-2468';
export const MAC = Uint8Array.of(0xa4, 0xcf, 0x12, 0xb3, 0xc4, 0xd5);
export const DEVICE_ID = 'A4CF12B3C4D5';
export const MODEL = 'or-demo';
export const CLEANUP_DELAY_MS = 1000;

/** Timers and clock of the device: a VirtualClock, or the real ones of a Node host (real-broker tests). */
export type DeviceTime = TimerHost & ClockHost;

export interface Device {
  clock: DeviceTime;
  nvs: SimNvs;
  capture: CaptureLog;
  secrets: SecretRegistry;
  log: Logger;
  pc: ProtocommCore;
  manager: ProvisioningManager;
  peripheral: SimBlePeripheral;
  channel: OrConfigChannel;
  link: BackendLink;
}

export interface DeviceOptions {
  clock?: DeviceTime;
  nvs?: SimNvs;
  /** Builds the backend link from the device's parts (fake, or MqttBackendLink). */
  link: (parts: { clock: DeviceTime; log: Logger; secrets: SecretRegistry }) => BackendLink;
  allowPlaintextMqtt?: boolean;
}

export function bootProvisioningDevice(options: DeviceOptions): Device {
  const clock = options.clock ?? new VirtualClock();
  const nvs = options.nvs ?? new SimNvs();
  const crypto = createNodeCryptoHost();
  const capture = new CaptureLog(clock);
  const secrets = new SecretRegistry();
  const log = new Logger(capture, 'main', secrets, 'debug');
  const wifi = new SimWifiStation({ world: parseWorld(VECTOR_WORLD), timers: clock });

  // The transport needs the endpoint list, which exists only after createEndpoint(): a late-bound adapter.
  let ble: BleTransport | undefined;
  const manager = new ProvisioningManager({
    wifi,
    timers: clock,
    log: log.child('prov'),
    credentials: new CredentialStore({ nvs, log: log.child('cred') }),
    secrets,
    transport: { start: () => ble?.start(), stop: () => ble?.stop() },
  });
  manager.createEndpoint(OR_CFG_ENDPOINT); // before start: BLE id 0xFF54 (unified-provisioning.md §1.2)
  manager.disableAutoStop(CLEANUP_DELAY_MS); // or-cfg runs after Wi-Fi (openremote.md §1.3)

  const salt = generateSalt(crypto);
  const verifier = computeVerifier(crypto, salt, new TextEncoder().encode('UNUSED'), new TextEncoder().encode(POP));
  const pc = createProtocomm({
    crypto,
    clock,
    log: log.child('pc'),
    security: { version: 2, patchVersion: 1, salt, verifier },
    version: manager.protoVersionFlags(),
  });
  const peripheral = new SimBlePeripheral({ address: MAC });
  ble = new BleTransport({ host: peripheral, protocomm: pc, logger: log.child('ble'), endpoints: manager.bleEndpoints(), deviceName: 'PROV_B3C4D5' });

  const link = options.link({ clock, log: log.child('link'), secrets });
  const channel = new OrConfigChannel({
    nvs,
    timers: clock,
    log: log.child('or-cfg'),
    secrets,
    deviceId: deviceIdFromMac(MAC),
    modelName: MODEL,
    link,
    rules: { allowPlaintextMqtt: options.allowPlaintextMqtt },
    onExit: () => manager.stop(),
    appInfo: pc.versionInfo,
    firmwareVersion: '0.1.0',
  });
  manager.start(pc);
  manager.registerEndpoint(OR_CFG_ENDPOINT, channel.handler);
  return { clock, nvs, capture, secrets, log, pc, manager, peripheral, channel, link };
}
