// A whole provisioning device on Node for interop runs with the official esp_prov (unified-provisioning.md §11.4
// ways 1 and 3): the real protocomm core, provisioning manager and credential store, the simulated Wi-Fi world
// (tools/sim/wifi/default-world.json) and NVS, and either ProtocommHttpd on a loopback port or ProtocommConsole on
// an in-memory UART. Real timers and sockets. Not modelled: the SoftAP itself (clients reach the server over
// 127.0.0.1, not 192.168.4.1 on a Wi-Fi link) and the UART's baud rate.
import { createProtocomm } from '../../firmware/protocomm/protocomm';
import type { SecurityConfig } from '../../firmware/protocomm/security/index';
import { CredentialStore } from '../../firmware/provisioning/credentials';
import { ProvisioningManager, type ProvEvent } from '../../firmware/provisioning/manager';
import { ProtocommHttpd } from '../../firmware/transport/httpd';
import { ProtocommConsole } from '../../firmware/transport/console';
import { MemoryUart } from '../../tools/sim/host/uart';
import { Logger, SecretRegistry } from '../../firmware/util/log';
import { createRealClock } from '../../tools/sim/host/clock';
import { createNodeCryptoHost } from '../../tools/sim/host/crypto';
import { FirmwareDispatcher } from '../../tools/sim/host/dispatch';
import { CaptureLog } from '../../tools/sim/host/log';
import { SimNvs } from '../../tools/sim/host/nvs';
import { createNodeSocketHost, type NodeListener } from '../../tools/sim/host/socket';
import { createRealTimers } from '../../tools/sim/host/timers';
import { createSimWifi } from '../../tools/sim/wifi/index';

export interface ProvDevice {
  /** HTTP port (transport 'httpd'). */
  port: number;
  /** The console's UART (transport 'console'). */
  uart: MemoryUart | undefined;
  events: ProvEvent[];
  log: CaptureLog;
  nvs: SimNvs;
  stop(): void;
}

export async function startProvDevice(options: {
  security: SecurityConfig;
  transport: 'httpd' | 'console';
  secrets?: string[];
}): Promise<ProvDevice> {
  const dispatcher = new FirmwareDispatcher();
  const timers = createRealTimers(dispatcher);
  const socket = createNodeSocketHost({ dispatcher, closeGraceMs: 500 });
  const clock = createRealClock();
  const crypto = createNodeCryptoHost();
  const capture = new CaptureLog(clock);
  const secrets = new SecretRegistry();
  for (const s of options.secrets ?? []) secrets.add(s);
  const log = new Logger(capture, 'device', secrets, 'debug');
  const nvs = new SimNvs();
  const wifi = createSimWifi({ timers });
  const protocomm = createProtocomm({ crypto, clock, log: log.child('protocomm'), security: options.security });
  let listener: NodeListener | undefined;
  const httpd = new ProtocommHttpd({ socket, timers, crypto, logger: log, protocomm, port: 0 });
  const uart = options.transport === 'console' ? new MemoryUart(dispatcher) : undefined;
  const console_ = uart ? new ProtocommConsole({ uart, protocomm, logger: log }) : undefined;
  const events: ProvEvent[] = [];
  const manager = new ProvisioningManager({
    wifi,
    timers,
    log: log.child('prov'),
    credentials: new CredentialStore({ nvs, log: log.child('cred') }),
    registry: protocomm,
    transport: console_ ?? {
      start: (endpoints) => {
        listener = httpd.start(endpoints) as NodeListener;
      },
      stop: () => httpd.stop(),
    },
    wifiMode: console_ ? 'sta' : 'apsta',
    onEvent: (e) => events.push(e),
  });
  manager.start();
  const port = listener ? await listener.ready : 0;
  return {
    port,
    uart,
    events,
    log: capture,
    nvs,
    stop() {
      httpd.stop();
      console_?.stop();
      socket.shutdown();
      timers.clearAll();
    },
  };
}
