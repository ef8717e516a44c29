// Test harness: firmware BLE transport on the simulated NimBLE peripheral, exposed on a loopback link server.
import { provisioningEndpoints, BleTransport, type BleTransportOptions } from '../../../firmware/transport/ble';
import type { Protocomm } from '../../../firmware/protocomm/types';
import { Logger, SecretRegistry } from '../../../firmware/util/log';
import { startBleLinkServer, type BleLinkServer } from '../../../tools/sim/ble/link-server';
import { SimBlePeripheral, type SimBleOptions } from '../../../tools/sim/ble/peripheral';

export interface Device {
  peripheral: SimBlePeripheral;
  transport: BleTransport;
  server: BleLinkServer;
  logs: string[];
  close(): Promise<void>;
}

export function testLogger(logs: string[], secrets = new SecretRegistry()): Logger {
  return new Logger({ write: (level, tag, message) => logs.push(`${level} ${tag}: ${message}`) }, 'ble', secrets, 'debug');
}

export async function startDevice(
  protocomm: Protocomm,
  options: { custom?: string[]; sim?: SimBleOptions; transport?: Partial<BleTransportOptions> } = {},
): Promise<Device> {
  const logs: string[] = [];
  const peripheral = new SimBlePeripheral({ ...options.sim, log: (line) => logs.push(`sim: ${line}`) });
  const transport = new BleTransport({
    host: peripheral,
    protocomm,
    logger: testLogger(logs),
    endpoints: provisioningEndpoints(options.custom ?? []),
    deviceName: 'PROV_261FCC',
    ...options.transport,
  });
  transport.start();
  const server = await startBleLinkServer(peripheral);
  return {
    peripheral,
    transport,
    server,
    logs,
    close: async () => {
      await server.close();
      transport.stop();
    },
  };
}

/** Waits until `predicate` holds (event-loop turns only; no wall-clock dependence beyond a generous cap). */
export async function until(predicate: () => boolean, what = 'condition'): Promise<void> {
  for (let i = 0; i < 2000; i++) {
    if (predicate()) return;
    await new Promise((r) => setTimeout(r, 1));
  }
  throw new Error(`timed out waiting for ${what}`);
}
