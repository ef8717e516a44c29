// The BLE link server: lets another process play the phone against the simulated peripheral over newline-delimited
// JSON on a loopback TCP port (`--ble-port`). The protocol is specified in tools/sim/README.md ("BLE link
// protocol"); every GATT operation goes through the modelled ATT server PDU by PDU and is counted.
import * as net from 'node:net';
import { parseAdStructures } from './ad';
import { AttError } from './att';
import { GattClient } from './gatt-client';
import { emptyStats, HCI_REASON, LinkDownError, type SimBlePeripheral, type SimCentralLink } from './peripheral';

export const LINK_PROTOCOL_VERSION = 1;
/** A request line longer than this closes the TCP connection (a 64 KB value is 128 KB of hex). */
const MAX_LINE = 256 * 1024;

export interface BleLinkServer {
  port: number;
  close(): Promise<void>;
}

export async function startBleLinkServer(peripheral: SimBlePeripheral, options: { port?: number; host?: string } = {}): Promise<BleLinkServer> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    const session = new LinkSession(peripheral, (message) => {
      if (!socket.destroyed) socket.write(JSON.stringify(message) + '\n');
    });
    let buffer = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      buffer += chunk;
      let newline: number;
      while ((newline = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, newline).trim();
        buffer = buffer.slice(newline + 1);
        if (line) session.handleLine(line);
      }
      if (buffer.length > MAX_LINE) {
        session.reply({ ok: false, error: { message: 'request line too long' } });
        socket.destroy();
      }
    });
    socket.on('close', () => {
      sockets.delete(socket);
      session.close();
    });
    socket.on('error', () => {});
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const address = server.address() as net.AddressInfo;
  return {
    port: address.port,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

type Message = Record<string, unknown>;

const IMMEDIATE_OPS = new Set(['hello', 'scan', 'disconnect', 'stats', 'resetStats']);
type Params = Record<string, unknown>;

class ProtocolError extends Error {}

/** One TCP client: may scan, and may hold one link at a time. */
class LinkSession {
  private link: SimCentralLink | undefined;
  private gatt: GattClient | undefined;
  private chain: Promise<void> = Promise.resolve();

  constructor(
    private readonly peripheral: SimBlePeripheral,
    private readonly send: (message: Message) => void,
  ) {}

  reply(message: Message): void {
    this.send(message);
  }

  handleLine(line: string): void {
    let request: Params;
    try {
      request = JSON.parse(line);
      if (typeof request !== 'object' || request === null || Array.isArray(request)) throw new Error('not an object');
    } catch {
      this.send({ id: null, ok: false, error: { message: 'malformed JSON request' } });
      return;
    }
    const id = request.id ?? null;
    const op = String(request.op);
    const run = async () => {
      try {
        const result = await this.run(op, request);
        this.send({ id, ok: true, result });
      } catch (error) {
        this.send({ id, ok: false, error: describeError(error) });
      }
    };
    // GATT requests are answered in order, one at a time, like ATT itself. Link-level operations bypass the queue:
    // a phone can always scan or drop the link, even while a write waits for a deferred response.
    if (IMMEDIATE_OPS.has(op)) void run();
    else this.chain = this.chain.then(run);
  }

  close(): void {
    // The phone vanished: the peripheral sees a supervision timeout.
    const link = this.link;
    this.link = undefined;
    if (link?.connected) void link.disconnect(HCI_REASON.CONNECTION_TIMEOUT);
  }

  private requireLink(): { link: SimCentralLink; gatt: GattClient } {
    if (!this.link || !this.link.connected || !this.gatt) throw new ProtocolError('not connected');
    return { link: this.link, gatt: this.gatt };
  }

  private async run(op: string, p: Params): Promise<unknown> {
    switch (op) {
      case 'hello':
        return { protocol: LINK_PROTOCOL_VERSION, simulator: 'esp32-nimble-model' };
      case 'scan': {
        const adv = this.peripheral.advertisement();
        if (!adv) return { devices: [] };
        const parsed = parseAdStructures(adv.advertisingData, adv.scanResponseData);
        return {
          devices: [
            {
              address: Array.from(adv.address, (b) => b.toString(16).padStart(2, '0')).join(':'),
              connectable: adv.connectable,
              intervalMs: adv.intervalMs,
              advertisingData: hex(adv.advertisingData),
              scanResponseData: hex(adv.scanResponseData),
              parsed: {
                flags: parsed.flags ?? null,
                localName: parsed.localName ?? null,
                serviceUuids: parsed.serviceUuids,
                manufacturerData: parsed.manufacturerData ? hex(parsed.manufacturerData) : null,
                malformed: parsed.malformed,
                structures: parsed.structures.map((s) => ({ type: s.type, data: hex(s.data) })),
              },
            },
          ],
        };
      }
      case 'connect': {
        if (this.link?.connected) throw new ProtocolError('already connected');
        const link = await this.peripheral.connect();
        this.link = link;
        this.gatt = new GattClient((pdu) => link.request(pdu), () => link.mtu);
        link.onDisconnected((reason) => {
          if (this.link === link) this.send({ event: 'disconnected', connection: link.connection, reason });
        });
        const mtu = p.mtu === undefined ? 23 : integer(p.mtu, 'mtu', 23, 0xffff);
        if (mtu !== 23) await this.gatt.exchangeMtu(mtu);
        return { connection: link.connection, mtu: link.mtu };
      }
      case 'disconnect': {
        const link = this.link;
        this.link = undefined;
        if (link?.connected) await link.disconnect(HCI_REASON.REMOTE_USER_TERMINATED);
        return {};
      }
      case 'att': {
        const { link } = this.requireLink();
        const response = await link.request(bytes(p.pdu, 'pdu'));
        return { pdu: response ? hex(response) : null };
      }
      case 'exchangeMtu': {
        const { link, gatt } = this.requireLink();
        await gatt.exchangeMtu(integer(p.mtu, 'mtu', 0, 0xffff));
        return { mtu: link.mtu };
      }
      case 'discover': {
        const { gatt } = this.requireLink();
        const services = await gatt.discoverAll();
        return {
          services: services.map((s) => ({
            ...s,
            characteristics: s.characteristics.map((c) => ({ ...c, descriptors: c.descriptors.map((d) => ({ ...d, value: d.value ? hex(d.value) : undefined })) })),
          })),
        };
      }
      case 'read':
        return { value: hex(await this.requireLink().gatt.read(integer(p.handle, 'handle', 0, 0xffff))) };
      case 'readBlob':
        return { value: hex(await this.requireLink().gatt.readBlob(integer(p.handle, 'handle', 0, 0xffff), integer(p.offset, 'offset', 0, 0xffff))) };
      case 'readLong':
        return { value: hex(await this.requireLink().gatt.readLong(integer(p.handle, 'handle', 0, 0xffff))) };
      case 'write':
        await this.requireLink().gatt.write(integer(p.handle, 'handle', 0, 0xffff), bytes(p.value, 'value'));
        return {};
      case 'writeLong':
        await this.requireLink().gatt.writeLong(integer(p.handle, 'handle', 0, 0xffff), bytes(p.value, 'value'));
        return {};
      case 'writeCommand': {
        const { link } = this.requireLink();
        const handle = integer(p.handle, 'handle', 0, 0xffff);
        await link.request(Uint8Array.of(0x52, handle & 0xff, handle >> 8, ...bytes(p.value, 'value')));
        return {};
      }
      case 'prepareWrite': {
        const echo = await this.requireLink().gatt.prepareWrite(integer(p.handle, 'handle', 0, 0xffff), integer(p.offset, 'offset', 0, 0xffff), bytes(p.value, 'value'));
        return { handle: echo[1] | (echo[2] << 8), offset: echo[3] | (echo[4] << 8), value: hex(echo.subarray(5)) };
      }
      case 'executeWrite': {
        const flags = integer(p.flags ?? 1, 'flags', 0, 0xff);
        const { link } = this.requireLink();
        // Sent raw so that invalid flags reach the server (it answers Invalid PDU).
        const response = await link.request(Uint8Array.of(0x18, flags));
        const error = response && response[0] === 0x01 ? new AttError(response[4], response[1], response[2] | (response[3] << 8)) : undefined;
        if (error) throw error;
        return {};
      }
      case 'stats':
        return { ...this.peripheral.stats, mtu: this.link?.connected ? this.link.mtu : null };
      case 'resetStats':
        Object.assign(this.peripheral.stats, emptyStats());
        return {};
      default:
        throw new ProtocolError(`unknown op "${op}"`);
    }
  }
}

function describeError(error: unknown): Message {
  if (error instanceof AttError) return { message: error.message, att: { code: error.code, opcode: error.requestOpcode, handle: error.handle } };
  if (error instanceof LinkDownError) return { message: error.message, disconnected: { reason: error.reason } };
  return { message: error instanceof Error ? error.message : String(error) };
}

function hex(data: Uint8Array): string {
  return Buffer.from(data).toString('hex');
}

function bytes(value: unknown, name: string): Uint8Array {
  if (typeof value !== 'string' || value.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(value)) throw new ProtocolError(`${name} must be an even-length hex string`);
  return new Uint8Array(Buffer.from(value, 'hex'));
}

function integer(value: unknown, name: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) throw new ProtocolError(`${name} must be an integer ${min}..${max}`);
  return value;
}

