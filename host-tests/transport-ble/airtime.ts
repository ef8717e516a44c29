// BLE air time of a full provisioning, for `npm run bench`: connect, MTU exchange, GATT discovery (with the 0x2901
// reads), then the pinned esp_prov transcript (proto-ver, session, scan, config, apply, 2x status) as write-then-read
// over the firmware BLE transport on the modelled NimBLE link. Message sizes are the reference's, byte for byte.
// Run directly: npx tsx host-tests/transport-ble/airtime.ts
import { pathToFileURL } from 'node:url';
import { BleTransport, provisioningEndpoints } from '../../firmware/transport/ble';
import { GattClient } from '../../tools/sim/ble/gatt-client';
import { SimBlePeripheral, type LinkStats } from '../../tools/sim/ble/peripheral';
import { loadTranscripts } from '../fixtures/vectors';
import { ReplayProtocomm, type TranscriptStep } from './helpers/fakes';
import { testLogger } from './helpers/harness';

export interface AirTimeOptions {
  mtu: number;
  connectionIntervalMs?: number;
  /** Transcript to replay: sec2_patch1 (default), sec1, sec0, sec2_patch0. */
  scheme?: string;
  /** 27 without Data Length Extension (default), up to 251 with it. */
  llPayloadBytes?: number;
}

export interface AirTimeResult {
  scheme: string;
  mtu: number;
  connectionIntervalMs: number;
  /** ATT requests + commands, discovery included. */
  gattOperations: number;
  /** Of which for discovery (before the first provisioning message). */
  discoveryOperations: number;
  messages: number;
  attBytes: number;
  airBytes: number;
  airTimeMs: number;
  byOpcode: Record<string, number>;
}

export async function measureProvisioningAirTime(options: AirTimeOptions): Promise<AirTimeResult> {
  const scheme = options.scheme ?? 'sec2_patch1';
  const steps: TranscriptStep[] = loadTranscripts()[scheme];
  if (!steps) throw new Error(`no transcript "${scheme}"`);
  const connectionIntervalMs = options.connectionIntervalMs ?? 30;
  const protocomm = new ReplayProtocomm(steps);
  const peripheral = new SimBlePeripheral({ connectionIntervalMs, llPayloadBytes: options.llPayloadBytes });
  const transport = new BleTransport({ host: peripheral, protocomm, logger: testLogger([]), endpoints: provisioningEndpoints(), deviceName: 'PROV_261FCC' });
  transport.start();
  try {
    const link = await peripheral.connect();
    const gatt = new GattClient((pdu) => link.request(pdu), () => link.mtu);
    if (options.mtu !== 23) await gatt.exchangeMtu(options.mtu);
    const services = await gatt.discoverAll();
    const handles = new Map<string, number>();
    for (const s of services) for (const c of s.characteristics) if (c.userDescription) handles.set(c.userDescription, c.valueHandle);
    const discovery: LinkStats = structuredClone(peripheral.stats);
    for (const step of steps) {
      const handle = handles.get(step.endpoint);
      if (handle === undefined) throw new Error(`endpoint ${step.endpoint} not discovered`);
      await gatt.writeLong(handle, new Uint8Array(Buffer.from(step.request_hex, 'hex')));
      const response = Buffer.from(await gatt.readLong(handle)).toString('hex');
      if (response !== step.response_hex) throw new Error(`${step.endpoint}: unexpected response`);
    }
    if (!protocomm.done() || protocomm.mismatches.length) throw new Error('transcript not replayed completely');
    const s = peripheral.stats;
    return {
      scheme,
      mtu: link.mtu,
      connectionIntervalMs,
      gattOperations: s.transactions + s.commands,
      discoveryOperations: discovery.transactions + discovery.commands,
      messages: steps.length,
      attBytes: s.attBytesToPeripheral + s.attBytesToCentral,
      airBytes: s.airBytes,
      airTimeMs: Math.round(s.airTimeMs * 10) / 10,
      byOpcode: { ...s.byOpcode },
    };
  } finally {
    transport.stop();
  }
}

/** The bench table: full sec2 provisioning at MTU 23, 185 and 517 with a 30 ms connection interval. */
export async function airTimeTable(connectionIntervalMs = 30, scheme = 'sec2_patch1'): Promise<AirTimeResult[]> {
  const out: AirTimeResult[] = [];
  for (const mtu of [23, 185, 517]) out.push(await measureProvisioningAirTime({ mtu, connectionIntervalMs, scheme }));
  return out;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  for (const scheme of ['sec2_patch1', 'sec1']) {
    for (const r of await airTimeTable(30, scheme)) {
      console.log(`${r.scheme} MTU ${String(r.mtu).padStart(3)}: ${String(r.gattOperations).padStart(4)} GATT ops (${r.discoveryOperations} discovery), ${r.attBytes} ATT bytes, ${r.airBytes} air bytes, ${r.airTimeMs} ms modelled at ${r.connectionIntervalMs} ms interval`);
    }
  }
}
