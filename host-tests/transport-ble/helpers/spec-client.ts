// The phone, written from unified-provisioning.md §9.1 (not from firmware/transport): finds the device by its
// advertised name, takes the service UUID from the advertisement (exactly one), discovers the GATT table, maps
// endpoint names from the 0x2901 descriptors, and talks write-then-read through the BLE link protocol.
import { BleLinkClient, type ScannedDevice } from '../../../tools/sim/ble/client';
import type { DiscoveredCharacteristic } from '../../../tools/sim/ble/gatt-client';

/** §9.1: characteristic UUID = service UUID with the 4 hex digits after the first two replaced by the id. */
export function expectedCharacteristicUuid(serviceUuid: string, id: number): string {
  return serviceUuid.slice(0, 4) + id.toString(16).padStart(4, '0') + serviceUuid.slice(8);
}

export class SpecProvClient {
  readonly endpoints = new Map<string, DiscoveredCharacteristic>();
  serviceUuid = '';
  device: ScannedDevice | undefined;

  private constructor(readonly link: BleLinkClient) {}

  static async open(port: number, options: { name?: string; mtu?: number } = {}): Promise<SpecProvClient> {
    const link = await BleLinkClient.connect(port);
    const client = new SpecProvClient(link);
    try {
      await client.connect(options);
    } catch (error) {
      link.close();
      throw error;
    }
    return client;
  }

  private async connect(options: { name?: string; mtu?: number }): Promise<void> {
    const devices = await this.link.scan();
    const device = devices.find((d) => options.name === undefined || d.parsed.localName === options.name);
    if (!device) throw new Error(`device ${options.name ?? ''} not found`);
    // esp_prov uses the advertised service UUID only if exactly one is listed.
    if (device.parsed.serviceUuids.length !== 1) throw new Error('advertisement must list exactly one service UUID');
    this.device = device;
    this.serviceUuid = device.parsed.serviceUuids[0];
    await this.link.connectPeripheral(options.mtu ?? 23);
    const services = await this.link.discover();
    const service = services.find((s) => s.uuid === this.serviceUuid);
    if (!service) throw new Error('provisioning service not in the GATT table');
    for (const c of service.characteristics) if (c.userDescription !== undefined) this.endpoints.set(c.userDescription, c);
    // esp_prov/bleak requires all three of these to be found by name.
    for (const name of ['prov-session', 'prov-config', 'proto-ver']) {
      if (!this.endpoints.has(name)) throw new Error(`endpoint ${name} not found by its 0x2901 descriptor`);
    }
  }

  handle(endpoint: string): number {
    const c = this.endpoints.get(endpoint);
    if (!c) throw new Error(`no endpoint ${endpoint}`);
    return c.valueHandle;
  }

  /** Write the request (long write if needed), then read the response back (long read). */
  async send(endpoint: string, request: Uint8Array): Promise<Uint8Array> {
    return this.link.transact(this.handle(endpoint), request);
  }

  close(): void {
    this.link.close();
  }
}
