// The BLE link protocol as an outside tool sees it (tools/sim/README.md "BLE link protocol"): raw JSON lines over
// TCP, every documented op, error shapes and the disconnected event.
import * as net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { EchoProtocomm } from './helpers/fakes';
import { startDevice, type Device } from './helpers/harness';

type Json = Record<string, any>;

class RawPhone {
  private buffer = '';
  readonly messages: Json[] = [];
  private nextId = 1;
  constructor(private readonly socket: net.Socket) {
    socket.setEncoding('utf8');
    socket.on('data', (d: string) => {
      this.buffer += d;
      let i: number;
      while ((i = this.buffer.indexOf('\n')) >= 0) {
        this.messages.push(JSON.parse(this.buffer.slice(0, i)));
        this.buffer = this.buffer.slice(i + 1);
      }
    });
  }
  static async open(port: number): Promise<RawPhone> {
    const s = net.createConnection({ port, host: '127.0.0.1' });
    await new Promise((r) => s.once('connect', r));
    return new RawPhone(s);
  }
  async waitFor(pred: (m: Json) => boolean): Promise<Json> {
    for (let i = 0; i < 3000; i++) {
      const m = this.messages.find(pred);
      if (m) return m;
      await new Promise((r) => setTimeout(r, 1));
    }
    throw new Error('no such message');
  }
  async call(op: string, params: Json = {}): Promise<Json> {
    const id = this.nextId++;
    this.socket.write(JSON.stringify({ id, op, ...params }) + '\n');
    return this.waitFor((m) => m.id === id);
  }
  async ok(op: string, params: Json = {}): Promise<Json> {
    const r = await this.call(op, params);
    if (!r.ok) throw new Error(`${op}: ${JSON.stringify(r.error)}`);
    return r.result;
  }
  close(): void {
    this.socket.destroy();
  }
}

let device: Device | undefined;
let phone: RawPhone | undefined;
afterEach(async () => {
  phone?.close();
  await device?.close();
  device = undefined;
});

const hex = (s: string) => Buffer.from(s, 'latin1').toString('hex');

describe('BLE link protocol', () => {
  it('serves every documented op', async () => {
    const protocomm = new EchoProtocomm();
    device = await startDevice(protocomm, { custom: ['custom-data'] });
    phone = await RawPhone.open(device.server.port);
    expect(await phone.ok('hello')).toEqual({ protocol: 1, simulator: 'esp32-nimble-model' });
    const [dev] = (await phone.ok('scan')).devices;
    expect(dev.address).toBe('24:0a:c4:26:1f:cc');
    expect(dev.parsed.localName).toBe('PROV_261FCC');
    expect(dev.parsed.structures[0]).toEqual({ type: 1, data: '06' });
    expect(await phone.ok('connect', { mtu: 185 })).toEqual({ connection: 0, mtu: 185 });
    const services = (await phone.ok('discover')).services;
    const chars = services[2].characteristics;
    const protoVer = chars.find((c: Json) => c.userDescription === 'proto-ver');
    expect(protoVer.valueHandle).toBe(24);
    expect(protoVer.descriptors[0]).toEqual({ handle: 25, uuid: '2901', value: hex('proto-ver') });
    const custom = chars.find((c: Json) => c.userDescription === 'custom-data').valueHandle;

    await phone.ok('write', { handle: 24, value: hex('ESP') });
    expect((await phone.ok('read', { handle: 24 })).value).toBe(hex('proto-ver|ESP'));
    expect((await phone.ok('readBlob', { handle: 24, offset: 10 })).value).toBe(hex('ESP'));

    const long = 'L'.repeat(400);
    await phone.ok('writeLong', { handle: custom, value: hex(long) });
    expect((await phone.ok('readLong', { handle: custom })).value).toBe(hex('custom-data|' + long));

    expect(await phone.ok('prepareWrite', { handle: custom, offset: 0, value: hex('ab') })).toEqual({ handle: custom, offset: 0, value: hex('ab') });
    await phone.ok('prepareWrite', { handle: custom, offset: 2, value: hex('cd') });
    await phone.ok('executeWrite', { flags: 1 });
    expect((await phone.ok('read', { handle: custom })).value).toBe(hex('custom-data|abcd'));

    await phone.ok('writeCommand', { handle: custom, value: hex('ignored') });
    expect((await phone.ok('att', { pdu: '0a1800' })).pdu).toBe('0b' + hex('proto-ver|ESP'));
    expect((await phone.ok('att', { pdu: '0a7777' })).pdu).toBe('010a777701');
    expect(await phone.ok('exchangeMtu', { mtu: 517 })).toEqual({ mtu: 517 });

    const stats = await phone.ok('stats');
    expect(stats.mtu).toBe(517);
    expect(stats.byOpcode.PREPARE_WRITE_REQ).toBeGreaterThan(2);
    // One 30 ms event per request/response; the Write Command only adds its packet time (< 1 ms).
    expect(stats.commands).toBe(1);
    expect(stats.airTimeMs).toBeGreaterThan(30 * stats.transactions);
    expect(stats.airTimeMs).toBeLessThan(30 * stats.transactions + 1);
    await phone.ok('resetStats');
    expect((await phone.ok('stats')).transactions).toBe(0);
    await phone.ok('disconnect');
    expect(protocomm.sessions).toEqual(['new:0', 'close:0']);
  });

  it('reports ATT errors, protocol errors and the disconnected event', async () => {
    device = await startDevice(new EchoProtocomm());
    phone = await RawPhone.open(device.server.port);
    expect((await phone.call('read', { handle: 1 })).error).toEqual({ message: 'not connected' });
    await phone.ok('connect');
    expect((await phone.call('write', { handle: 24, value: hex('FAIL') })).error).toEqual({ message: 'ATT error 0x04 for WRITE_REQ on handle 0x0018', att: { code: 4, opcode: 0x12, handle: 24 } });
    expect((await phone.call('write', { handle: 24, value: 'xyz' })).error.message).toMatch(/hex/);
    expect((await phone.call('read', { handle: 'one' })).error.message).toMatch(/handle/);
    expect((await phone.call('att', { pdu: '18' })).result.pdu).toBe('0118000004');
    expect((await phone.call('connect')).error.message).toMatch(/already connected/);
    device.peripheral.disconnect(0);
    expect(await phone.waitFor((m) => m.event === 'disconnected')).toEqual({ event: 'disconnected', connection: 0, reason: 0x13 });
    // The firmware re-advertises after its disconnect event.
    await phone.waitFor(() => device!.peripheral.advertisement() !== undefined);
  });
});
