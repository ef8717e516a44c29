// In-process rig for ATT-level tests and fuzzing: the firmware BLE transport with an echo protocomm on the
// simulated peripheral, and a central link driven PDU by PDU (no TCP).
import { BleTransport, provisioningEndpoints } from '../../../firmware/transport/ble';
import { GattClient } from '../../../tools/sim/ble/gatt-client';
import { SimBlePeripheral, type SimBleOptions, type SimCentralLink } from '../../../tools/sim/ble/peripheral';
import { EchoProtocomm } from './fakes';
import { testLogger } from './harness';

export interface Rig {
  peripheral: SimBlePeripheral;
  transport: BleTransport;
  protocomm: EchoProtocomm;
  link: SimCentralLink;
  gatt: GattClient;
  logs: string[];
  /** Value handle of each endpoint by name. */
  handles: Record<string, number>;
  reconnect(mtu?: number): Promise<void>;
}

export async function rig(options: { sim?: SimBleOptions; mtu?: number; custom?: string[]; preferredMtu?: number } = {}): Promise<Rig> {
  const logs: string[] = [];
  const protocomm = new EchoProtocomm();
  const peripheral = new SimBlePeripheral({ ...options.sim, log: (l) => logs.push(l) });
  const transport = new BleTransport({
    host: peripheral,
    protocomm,
    logger: testLogger(logs),
    endpoints: provisioningEndpoints(options.custom ?? ['custom-data']),
    deviceName: 'PROV_261FCC',
    preferredMtu: options.preferredMtu,
  });
  transport.start();
  const handles: Record<string, number> = {};
  for (const e of transport.endpointHandles()) handles[e.name] = e.valueHandle;
  const r = { peripheral, transport, protocomm, logs, handles } as Rig;
  r.reconnect = async (mtu = 23) => {
    const link = await peripheral.connect();
    r.link = link;
    r.gatt = new GattClient((pdu) => link.request(pdu), () => link.mtu);
    if (mtu !== 23) await r.gatt.exchangeMtu(mtu);
  };
  await r.reconnect(options.mtu ?? 23);
  return r;
}
