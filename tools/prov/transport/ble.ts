// BLE transport of the provisioning client over the simulator's BLE link protocol (tools/sim/README.md), behaving
// like the Espressif phone libraries (unified-provisioning.md §9.1; openremote.md §2.2): scan for a name prefix
// (case-sensitive like Android or case-insensitive like iOS), connect and ask for MTU 512 (Android), discover the
// service and map endpoint names to characteristics by their 0x2901 user descriptions, then for each message a
// Write Request (long write when needed) followed by a (long) read of the same characteristic. ATT error 0x04 or a
// dropped link is the device's "no response".
import { AttError } from '../../sim/ble/att';
import { BleLinkClient, type ScannedDevice } from '../../sim/ble/client';
import { NoResponseError, OR_ERROR, ProvError } from '../errors';
import type { Transport } from './types';

export interface BleTransportOptions {
  port: number;
  host?: string;
  /** Name prefix to scan for (the apps' default is "PROV_"). */
  namePrefix: string;
  /** 'android': case-sensitive startsWith; 'ios': case-insensitive (openremote.md §2.2). Default 'android'. */
  nameMatch?: 'android' | 'ios';
  /** Scan window (Android 6 s, iOS 5 s). Default 6000. */
  scanTimeoutMs?: number;
  /** ATT MTU to request (Android asks 512). */
  mtu?: number;
}

/** The endpoints esp_prov insists on finding by descriptor (§9.1 "Clients identify endpoints"). */
const REQUIRED = ['prov-session', 'prov-config', 'proto-ver'];

export function nameMatches(name: string | null, prefix: string, mode: 'android' | 'ios'): boolean {
  if (!name) return false; // Android ignores results without a device name.
  return mode === 'ios' ? name.toLowerCase().startsWith(prefix.toLowerCase()) : name.startsWith(prefix);
}

export class BleTransport implements Transport {
  readonly kind = 'ble' as const;
  private disconnected: number | undefined;

  private constructor(
    private readonly link: BleLinkClient,
    readonly device: ScannedDevice,
    readonly mtu: number,
    private readonly handles: Map<string, number>,
  ) {
    link.onDisconnected((reason) => {
      this.disconnected = reason;
    });
  }

  /** Scans, connects and discovers. Errors carry the app's codes: not found 600, connect 200, discovery 301. */
  static async open(options: BleTransportOptions): Promise<BleTransport> {
    let link: BleLinkClient;
    try {
      link = await BleLinkClient.connect(options.port, options.host);
    } catch (error) {
      throw new ProvError(OR_ERROR.bleCommunicationError, `cannot reach the BLE link on port ${options.port}: ${(error as Error).message}`, 'ble');
    }
    try {
      const device = await scanFor(link, options.namePrefix, options.nameMatch ?? 'android', options.scanTimeoutMs ?? 6000);
      let mtu: number;
      try {
        mtu = (await link.connectPeripheral(options.mtu ?? 512)).mtu;
      } catch (error) {
        throw new ProvError(OR_ERROR.bleCommunicationError, `connect to ${device.parsed.localName} failed: ${(error as Error).message}`, 'ble');
      }
      const handles = await discoverEndpoints(link, device);
      return new BleTransport(link, device, mtu, handles);
    } catch (error) {
      link.close();
      throw error;
    }
  }

  endpoints(): string[] {
    return [...this.handles.keys()];
  }

  async send(endpoint: string, data: Uint8Array): Promise<Uint8Array> {
    const handle = this.handles.get(endpoint);
    if (handle === undefined) throw new ProvError(OR_ERROR.communicationError, `the device has no "${endpoint}" characteristic`);
    if (this.disconnected !== undefined) throw new NoResponseError(`${endpoint}: the BLE link is down (reason 0x${this.disconnected.toString(16)})`);
    try {
      return await this.link.transact(handle, data);
    } catch (error) {
      if (error instanceof AttError && error.code === 0x04) throw new NoResponseError(`${endpoint}: the device answered with no response (ATT 0x04)`);
      if (this.disconnected !== undefined) throw new NoResponseError(`${endpoint}: the device dropped the BLE link`);
      throw new NoResponseError(`${endpoint}: ${(error as Error).message}`);
    }
  }

  async close(): Promise<void> {
    try {
      if (this.disconnected === undefined) await this.link.disconnect();
    } catch {
      // The link may already be gone; closing the TCP connection ends it anyway.
    }
    this.link.close();
  }
}

async function scanFor(link: BleLinkClient, prefix: string, mode: 'android' | 'ios', timeoutMs: number): Promise<ScannedDevice> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = (await link.scan()).filter((d) => nameMatches(d.parsed.localName, prefix, mode));
    if (found.length > 0) return found[0]!;
    if (Date.now() >= deadline) throw new ProvError(OR_ERROR.timeoutError, `no BLE device named "${prefix}…" found within ${timeoutMs} ms`, 'ble');
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function discoverEndpoints(link: BleLinkClient, device: ScannedDevice): Promise<Map<string, number>> {
  const services = await link.discover();
  // Android takes the first advertised service UUID (§9.1 "Clients find the service UUID from the advertisement").
  const wanted = device.parsed.serviceUuids[0]?.toLowerCase();
  const service = services.find((s) => s.uuid.toLowerCase() === wanted);
  if (!service) throw new ProvError(OR_ERROR.communicationError, `the advertised service ${wanted ?? '(none)'} was not found on the device`, 'ble');
  const handles = new Map<string, number>();
  for (const c of service.characteristics) if (c.userDescription) handles.set(c.userDescription, c.valueHandle);
  const missing = REQUIRED.filter((n) => !handles.has(n));
  if (missing.length) throw new ProvError(OR_ERROR.communicationError, `no 0x2901 description for ${missing.join(', ')}`, 'ble');
  return handles;
}
