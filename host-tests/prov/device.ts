// A provisioning device on Node for the tools/prov tests: the real protocomm core, provisioning manager, credential
// store and transports (firmware/transport/httpd.ts on a loopback port, or firmware/transport/ble.ts on the
// simulated peripheral behind the BLE link protocol), the simulated Wi-Fi world and NVS, real timers and sockets.
// The `or-cfg` endpoint is served by a TEST DOUBLE (OrCfgDouble below), not firmware: it answers per the contract
// of openremote.md §0 items 5-6 and models "the device reached the broker" by checking the MQTT credentials it was
// given against the dev backend's service users (tools/backend core). It does not run MQTT or TLS.
import { orconfig } from '../../firmware/generated/proto.js';
import { createProtocomm } from '../../firmware/protocomm/protocomm';
import type { SecurityConfig } from '../../firmware/protocomm/security/index';
import { CredentialStore } from '../../firmware/provisioning/credentials';
import { ProvisioningManager, type ProvEvent } from '../../firmware/provisioning/manager';
import { BleTransport as DeviceBle } from '../../firmware/transport/ble';
import { ProtocommHttpd } from '../../firmware/transport/httpd';
import { Logger, SecretRegistry } from '../../firmware/util/log';
import { startBleLinkServer, type BleLinkServer } from '../../tools/sim/ble/link-server';
import { SimBlePeripheral } from '../../tools/sim/ble/peripheral';
import { createRealClock } from '../../tools/sim/host/clock';
import { createNodeCryptoHost } from '../../tools/sim/host/crypto';
import { FirmwareDispatcher } from '../../tools/sim/host/dispatch';
import { CaptureLog } from '../../tools/sim/host/log';
import { SimNvs } from '../../tools/sim/host/nvs';
import { createNodeSocketHost, type NodeListener } from '../../tools/sim/host/socket';
import { createRealTimers } from '../../tools/sim/host/timers';
import { createSimWifi } from '../../tools/sim/wifi/index';

export interface OrCfgDoubleOptions {
  deviceId: string;
  modelName: string;
  /** Checks MQTT credentials (the backend's service users); CONNECTED once they pass. */
  checkCredentials: (realm: string, user: string, password: string) => boolean;
  /** Answer CONNECTING this many times after a good config before CONNECTED (TLS/MQTT activity). */
  connectingPolls?: number;
}

/** Test double of the device's or-cfg handler (see the file header). Records what it was sent. */
export class OrCfgDouble {
  readonly requests: orconfig.Request[] = [];
  config: orconfig.Request.OpenRemoteConfig | undefined;
  exited = false;
  private polls = 0;

  constructor(private readonly options: OrCfgDoubleOptions) {}

  handle(request: Uint8Array): Uint8Array {
    const r = orconfig.Request.decode(request);
    this.requests.push(r);
    const answer: orconfig.Response.$Properties = { id: r.id, result: { result: 0 } };
    switch (r.body) {
      case 'deviceInfo':
        answer.deviceInfo = { deviceId: this.options.deviceId, modelName: this.options.modelName };
        break;
      case 'openRemoteConfig':
        this.config = r.openRemoteConfig as orconfig.Request.OpenRemoteConfig;
        this.polls = 0;
        answer.openRemoteConfig = { status: 0 };
        break;
      case 'backendConnectionStatus': {
        const c = this.config;
        let status = 0; // DISCONNECTED until configured
        if (c) {
          const ok = this.options.checkCredentials(c.realm, c.user, c.mqttPassword);
          status = this.polls++ < (this.options.connectingPolls ?? 3) ? 1 : ok ? 2 : 3;
        }
        answer.backendConnectionStatus = { status };
        break;
      }
      case 'exitProvisioning':
        this.exited = true;
        answer.exitProvisioning = {};
        break;
      default:
        answer.result = { result: 1 };
    }
    return orconfig.Response.encode(answer).finish();
  }
}

export interface TestDevice {
  /** HTTP port (transport 'httpd'). */
  port: number;
  /** BLE link protocol port (transport 'ble'). */
  blePort: number;
  events: ProvEvent[];
  log: CaptureLog;
  orCfg: OrCfgDouble | undefined;
  manager: ProvisioningManager;
  stop(): Promise<void>;
}

export async function startTestDevice(options: {
  security: SecurityConfig;
  transport: 'httpd' | 'ble';
  orCfg?: OrCfgDoubleOptions;
  deviceName?: string;
  /** ProvisioningManager strictReference: IDF v5.5.4 behaviour (new credentials after FAIL need CtrlReset). */
  strict?: boolean;
}): Promise<TestDevice> {
  const dispatcher = new FirmwareDispatcher();
  const timers = createRealTimers(dispatcher);
  const socket = createNodeSocketHost({ dispatcher, closeGraceMs: 500 });
  const clock = createRealClock();
  const crypto = createNodeCryptoHost();
  const capture = new CaptureLog(clock);
  const log = new Logger(capture, 'device', new SecretRegistry(), 'debug');
  const nvs = new SimNvs();
  const wifi = createSimWifi({ timers });
  const protocomm = createProtocomm({ crypto, clock, log: log.child('protocomm'), security: options.security });
  const httpd = new ProtocommHttpd({ socket, timers, crypto, logger: log, protocomm, port: 0 });
  let listener: NodeListener | undefined;
  let peripheral: SimBlePeripheral | undefined;
  let ble: DeviceBle | undefined;
  const events: ProvEvent[] = [];
  let manager: ProvisioningManager;
  const transport =
    options.transport === 'httpd'
      ? {
          start: (endpoints: readonly { name: string }[]) => {
            listener = httpd.start(endpoints) as NodeListener;
          },
          stop: () => httpd.stop(),
        }
      : {
          start: () => {
            peripheral = new SimBlePeripheral({});
            ble = new DeviceBle({ host: peripheral, protocomm, logger: log, endpoints: manager.bleEndpoints(), deviceName: options.deviceName ?? 'PROV_261FCC' });
            ble.start();
          },
          stop: () => ble?.stop(),
        };
  manager = new ProvisioningManager({
    wifi,
    timers,
    log: log.child('prov'),
    credentials: new CredentialStore({ nvs, log: log.child('cred') }),
    registry: protocomm,
    transport,
    wifiMode: options.transport === 'httpd' ? 'apsta' : 'sta',
    connectDelayMs: 100,
    strictReference: options.strict ?? false,
    onEvent: (e) => events.push(e),
  });
  let orCfg: OrCfgDouble | undefined;
  if (options.orCfg) {
    orCfg = new OrCfgDouble(options.orCfg);
    manager.createEndpoint('or-cfg');
    manager.disableAutoStop(100); // or-cfg runs after Wi-Fi (openremote.md §1.3)
  }
  manager.start();
  if (orCfg) {
    const double = orCfg;
    manager.registerEndpoint('or-cfg', (_session, request, reply) => reply(double.handle(request)));
  }
  const port = listener ? await listener.ready : 0;
  let server: BleLinkServer | undefined;
  if (peripheral) server = await startBleLinkServer(peripheral);
  return {
    port,
    blePort: server?.port ?? 0,
    events,
    log: capture,
    orCfg,
    manager,
    async stop() {
      await server?.close();
      httpd.stop();
      ble?.stop();
      socket.shutdown();
      timers.clearAll();
    },
  };
}
