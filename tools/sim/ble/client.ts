// Node client for the BLE link protocol (tools/sim/README.md "BLE link protocol"): plays the phone against the
// simulated peripheral from another process or test. GATT procedures (discovery, long read, long write with
// Prepare/Execute) run here, PDU by PDU over the `att` op, exactly as a phone's stack would drive them.
import * as net from 'node:net';
import { AttError } from './att';
import { GattClient, type DiscoveredService } from './gatt-client';
import type { LinkStats } from './peripheral';

export interface ScannedDevice {
  address: string;
  connectable: boolean;
  intervalMs: number;
  advertisingData: string;
  scanResponseData: string;
  parsed: {
    flags: number | null;
    localName: string | null;
    serviceUuids: string[];
    manufacturerData: string | null;
    malformed: boolean;
    structures: { type: number; data: string }[];
  };
}

/** The server refused a request (protocol error, ATT error, or the link dropped meanwhile). */
export class LinkRequestError extends Error {
  constructor(
    message: string,
    readonly att?: { code: number; opcode: number; handle: number },
    readonly disconnected?: { reason: number },
  ) {
    super(message);
    this.name = 'LinkRequestError';
  }
}

interface PendingRequest {
  resolve: (value: Record<string, unknown>) => void;
  reject: (error: Error) => void;
}

export class BleLinkClient {
  private nextId = 1;
  private readonly pending = new Map<number, PendingRequest>();
  private buffer = '';
  private disconnectListeners: ((reason: number) => void)[] = [];
  private mtuValue = 23;
  readonly gatt: GattClient;

  private constructor(private readonly socket: net.Socket) {
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => this.onData(chunk));
    const fail = () => {
      for (const p of this.pending.values()) p.reject(new Error('link server connection closed'));
      this.pending.clear();
    };
    socket.on('close', fail);
    socket.on('error', fail);
    this.gatt = new GattClient(
      async (pdu) => {
        const result = await this.call('att', { pdu: Buffer.from(pdu).toString('hex') });
        return typeof result.pdu === 'string' ? new Uint8Array(Buffer.from(result.pdu, 'hex')) : undefined;
      },
      () => this.mtuValue,
    );
  }

  static async connect(port: number, host = '127.0.0.1'): Promise<BleLinkClient> {
    const socket = await new Promise<net.Socket>((resolve, reject) => {
      const s = net.createConnection({ port, host }, () => resolve(s));
      s.once('error', reject);
    });
    return new BleLinkClient(socket);
  }

  /** Sends one protocol request; resolves to its `result`. */
  call(op: string, params: Record<string, unknown> = {}): Promise<Record<string, unknown>> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.socket.write(JSON.stringify({ id, op, ...params }) + '\n');
    });
  }

  /** Called when the peripheral ends the link (reason as the central sees it). */
  onDisconnected(listener: (reason: number) => void): void {
    this.disconnectListeners.push(listener);
  }

  get mtu(): number {
    return this.mtuValue;
  }

  async scan(): Promise<ScannedDevice[]> {
    return (await this.call('scan')).devices as ScannedDevice[];
  }

  /** Connects and, when mtu > 23, exchanges the MTU (the peripheral's preference may lower it). */
  async connectPeripheral(mtu = 23): Promise<{ connection: number; mtu: number }> {
    const result = (await this.call('connect', { mtu })) as { connection: number; mtu: number };
    this.mtuValue = result.mtu;
    return result;
  }

  async disconnect(): Promise<void> {
    await this.call('disconnect');
    this.mtuValue = 23;
  }

  async discover(): Promise<DiscoveredService[]> {
    return this.gatt.discoverAll();
  }

  /** One raw ATT PDU; resolves to the raw response (undefined for commands). */
  async att(pdu: Uint8Array): Promise<Uint8Array | undefined> {
    const result = await this.call('att', { pdu: Buffer.from(pdu).toString('hex') });
    return typeof result.pdu === 'string' ? new Uint8Array(Buffer.from(result.pdu, 'hex')) : undefined;
  }

  read(handle: number): Promise<Uint8Array> {
    return this.gatt.read(handle);
  }
  readLong(handle: number): Promise<Uint8Array> {
    return this.gatt.readLong(handle);
  }
  write(handle: number, value: Uint8Array): Promise<void> {
    return this.gatt.write(handle, value);
  }
  /** Write Request, or Prepare/Execute when the value exceeds MTU-3. */
  writeLong(handle: number, value: Uint8Array): Promise<void> {
    return this.gatt.writeLong(handle, value);
  }

  /** The provisioning request/response pattern (§9.1): write the request, read the response back. */
  async transact(handle: number, request: Uint8Array): Promise<Uint8Array> {
    await this.writeLong(handle, request);
    return this.readLong(handle);
  }

  async stats(): Promise<LinkStats & { mtu: number | null }> {
    return (await this.call('stats')) as unknown as LinkStats & { mtu: number | null };
  }

  async resetStats(): Promise<void> {
    await this.call('resetStats');
  }

  close(): void {
    this.socket.destroy();
  }

  private onData(chunk: string): void {
    this.buffer += chunk;
    let newline: number;
    while ((newline = this.buffer.indexOf('\n')) >= 0) {
      const line = this.buffer.slice(0, newline);
      this.buffer = this.buffer.slice(newline + 1);
      if (line.trim()) this.onMessage(JSON.parse(line));
    }
  }

  private onMessage(message: Record<string, unknown>): void {
    if (message.event === 'disconnected') {
      this.mtuValue = 23;
      for (const l of this.disconnectListeners) l(message.reason as number);
      return;
    }
    const pending = this.pending.get(message.id as number);
    if (!pending) return;
    this.pending.delete(message.id as number);
    if (message.ok) {
      const result = message.result as Record<string, unknown>;
      if (typeof result?.mtu === 'number') this.mtuValue = result.mtu;
      pending.resolve(result);
    } else {
      const error = message.error as { message: string; att?: { code: number; opcode: number; handle: number }; disconnected?: { reason: number } };
      if (error.att) pending.reject(new AttError(error.att.code, error.att.opcode, error.att.handle));
      else pending.reject(new LinkRequestError(error.message, error.att, error.disconnected));
    }
  }
}
