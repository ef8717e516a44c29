// The simulated NimBLE ATT server under the firmware transport: MTU, long reads/writes, the prepared-write queue
// and the error codes for malformed traffic (field-notes.md §3.2 "BLE length handling", CVE-2026-25507). After every
// refused operation the next well-formed message must arrive intact.
import { describe, expect, it } from 'vitest';
import { ATT_OP, build, parseErrorResponse } from '../../tools/sim/ble/att';
import { rig, type Rig } from './helpers/inproc';

const enc = (s: string) => new Uint8Array(Buffer.from(s, 'latin1'));
const txt = (d: Uint8Array) => Buffer.from(d).toString('latin1');

async function errorOf(r: Rig, pdu: Uint8Array): Promise<number | undefined> {
  const rsp = await r.link.request(pdu);
  return rsp ? parseErrorResponse(rsp)?.code : undefined;
}

/** The next message after any abuse: must reach protocomm exactly and come back. */
async function cleanRoundTrip(r: Rig, size = 200): Promise<void> {
  const request = Uint8Array.from({ length: size }, (_, i) => (i * 5 + 1) & 0xff);
  const before = r.protocomm.calls.length;
  await r.gatt.writeLong(r.handles['custom-data'], request);
  expect(r.protocomm.calls.length).toBe(before + 1);
  expect(r.protocomm.calls.at(-1)!.length).toBe(size);
  const response = await r.gatt.readLong(r.handles['custom-data']);
  expect(response.subarray(12)).toEqual(request);
}

describe('MTU exchange', () => {
  it('negotiates min(client, server) within 23..517 and reports it to the firmware', async () => {
    const r = await rig();
    expect(r.link.mtu).toBe(23);
    expect(await r.gatt.exchangeMtu(10)).toBe(23);
    expect(r.link.mtu).toBe(23);
    const rsp = await r.link.request(build.exchangeMtu(600));
    expect(Array.from(rsp!)).toEqual([ATT_OP.EXCHANGE_MTU_RSP, 517 & 0xff, 517 >> 8]);
    expect(r.link.mtu).toBe(517);
    expect(r.logs.some((l) => l.includes('ATT MTU 517'))).toBe(true);
  });

  it('is capped by the firmware preferred MTU', async () => {
    const r = await rig({ preferredMtu: 256, mtu: 517 });
    expect(r.link.mtu).toBe(256);
  });
});

describe('reads', () => {
  it('returns at most MTU-1 bytes; Read Blob continues; offset = length is empty; beyond is 0x07', async () => {
    const r = await rig();
    const h = r.handles['prov-scan'];
    await r.gatt.write(h, enc('BIG:100'));
    const first = await r.gatt.read(h);
    expect(first.length).toBe(22);
    expect((await r.gatt.readBlob(h, 22)).length).toBe(22);
    expect(await r.gatt.readBlob(h, 90)).toEqual(Uint8Array.from({ length: 10 }, (_, i) => (90 + i) & 0xff));
    expect((await r.gatt.readBlob(h, 100)).length).toBe(0);
    expect(await errorOf(r, build.readBlob(h, 101))).toBe(0x07);
    expect((await r.gatt.readLong(h)).length).toBe(100);
  });

  it('serves the 0x2901 names and GAP device name; Service Changed is not readable', async () => {
    const r = await rig();
    expect(txt(await r.gatt.read(r.handles['prov-session'] + 1))).toBe('prov-session');
    expect(txt(await r.gatt.read(3))).toBe('PROV_261FCC');
    expect(await errorOf(r, build.read(8))).toBe(0x02);
  });
});

describe('malformed and hostile ATT traffic', () => {
  it('unknown handles get 0x01 (read, write, prepare, blob; handle 0 too)', async () => {
    const r = await rig();
    for (const pdu of [build.read(0x7777), build.write(0x7777, enc('x')), build.prepareWrite(0x7777, 0, enc('x')), build.readBlob(0x7777, 0), build.read(0)]) {
      expect(await errorOf(r, pdu)).toBe(0x01);
    }
    await cleanRoundTrip(r);
  });

  it('writes to read-only attributes get 0x03 (0x2901 descriptor, declarations, GAP name)', async () => {
    const r = await rig();
    const descriptor = r.handles['prov-session'] + 1;
    expect(await errorOf(r, build.write(descriptor, enc('evil')))).toBe(0x03);
    expect(await errorOf(r, build.prepareWrite(descriptor, 0, enc('evil')))).toBe(0x03);
    expect(await errorOf(r, build.write(r.handles['prov-session'] - 1, enc('x')))).toBe(0x03);
    expect(await errorOf(r, build.write(3, enc('x')))).toBe(0x03);
    expect(txt(await r.gatt.read(descriptor))).toBe('prov-session');
  });

  it('a Write Request longer than MTU-3 is refused (0x04) and reaches nobody', async () => {
    const r = await rig();
    expect(await errorOf(r, build.write(r.handles['custom-data'], new Uint8Array(21)))).toBe(0x04);
    expect(r.protocomm.calls.length).toBe(0);
    await r.gatt.write(r.handles['custom-data'], new Uint8Array(20));
    expect(r.protocomm.calls.length).toBe(1);
  });

  it('prepare queue full answers 0x09; the queue can then be cancelled and the next message is intact', async () => {
    const r = await rig();
    const h = r.handles['custom-data'];
    for (let i = 0; i < 64; i++) expect((await r.link.request(build.prepareWrite(h, i * 18, new Uint8Array(18))))![0]).toBe(ATT_OP.PREPARE_WRITE_RSP);
    expect(await errorOf(r, build.prepareWrite(h, 64 * 18, new Uint8Array(18)))).toBe(0x09);
    await r.gatt.executeWrite(0);
    expect(r.protocomm.calls.length).toBe(0);
    await cleanRoundTrip(r, 500);
  });

  it('validates the queue at Execute: gaps and a non-zero start give 0x07, over-length 0x0D; nothing is delivered', async () => {
    const r = await rig();
    const h = r.handles['prov-config'];
    const attempts: [number, number][][] = [
      [[0, 18], [20, 18]], // gap
      [[2, 18]], // does not start at 0
      [[0, 18], [10, 18]], // overlap
    ];
    for (const entries of attempts) {
      for (const [offset, length] of entries) await r.gatt.prepareWrite(h, offset, new Uint8Array(length));
      expect(await errorOf(r, build.executeWrite(1))).toBe(0x07);
      expect(r.link.queuedPrepares()).toBe(0);
    }
    // 29 x 18 = 522 > 512 (standard endpoint maximum)
    for (let i = 0; i < 29; i++) await r.gatt.prepareWrite(h, i * 18, new Uint8Array(18));
    expect(await errorOf(r, build.executeWrite(1))).toBe(0x0d);
    // An offset far past the value maximum is refused at Execute with Invalid Offset (it cannot start at 0).
    await r.gatt.prepareWrite(h, 60000, new Uint8Array(18));
    expect(await errorOf(r, build.executeWrite(1))).toBe(0x07);
    expect(r.protocomm.calls.length).toBe(0);
    await cleanRoundTrip(r);
  });

  it('execute flags: 0x00 cancels, empty queue succeeds, any other value writes (NimBLE); a short PDU is 0x04', async () => {
    const r = await rig();
    const h = r.handles['custom-data'];
    await r.gatt.prepareWrite(h, 0, enc('partial'));
    await r.gatt.executeWrite(0);
    await r.gatt.executeWrite(1);
    expect(r.protocomm.calls.length).toBe(0);
    await r.gatt.prepareWrite(h, 0, enc('reserved flag'));
    expect((await r.link.request(build.executeWrite(0x80)))![0]).toBe(ATT_OP.EXECUTE_WRITE_RSP);
    expect(r.protocomm.calls.map((c) => c.length)).toEqual([13]);
    expect(await errorOf(r, Uint8Array.of(ATT_OP.EXECUTE_WRITE_REQ))).toBe(0x04);
    await cleanRoundTrip(r);
  });

  it('one Execute may carry two characteristics: each gets one reassembled write, in handle order', async () => {
    const r = await rig();
    await r.gatt.prepareWrite(r.handles['custom-data'], 0, enc('second'));
    await r.gatt.prepareWrite(r.handles['prov-scan'], 0, enc('fir'));
    await r.gatt.prepareWrite(r.handles['prov-scan'], 3, enc('st'));
    await r.gatt.executeWrite(1);
    expect(r.protocomm.calls.map((c) => [c.endpoint, c.length])).toEqual([['prov-scan', 5], ['custom-data', 6]]);
    expect(txt(await r.gatt.read(r.handles['prov-scan']))).toBe('prov-scan|first');
  });

  it('a disconnect mid-message drops the queued prepares; the next link starts clean', async () => {
    const r = await rig();
    const h = r.handles['custom-data'];
    await r.gatt.prepareWrite(h, 0, enc('half of a mess'));
    await r.link.disconnect();
    await expect(r.link.request(build.executeWrite(1))).rejects.toThrow(/down/);
    await r.reconnect(185);
    await r.gatt.executeWrite(1); // nothing queued on the new link
    expect(r.protocomm.calls.length).toBe(0);
    await cleanRoundTrip(r, 400);
    expect(r.protocomm.sessions).toEqual(['new:0', 'close:0', 'new:0']);
  });

  it('unknown requests get 0x06, unknown commands and Write Commands are dropped silently', async () => {
    const r = await rig();
    expect(await errorOf(r, Uint8Array.of(0x20, 1, 2))).toBe(0x06);
    expect(await r.link.request(Uint8Array.of(0x60, 1, 2))).toBeUndefined();
    expect(await r.link.request(build.writeCommand(r.handles['custom-data'], enc('no-response write')))).toBeUndefined();
    expect(await r.link.request(new Uint8Array(0))).toBeUndefined();
    expect(r.protocomm.calls.length).toBe(0);
  });

  it('discovery requests check ranges, group types and lengths', async () => {
    const r = await rig();
    expect(await errorOf(r, build.findInformation(0, 10))).toBe(0x01);
    expect(await errorOf(r, build.findInformation(10, 5))).toBe(0x01);
    expect(await errorOf(r, build.findInformation(0x9000, 0xffff))).toBe(0x0a);
    expect(await errorOf(r, build.readByGroupType(1, 0xffff, Uint8Array.of(0x03, 0x28)))).toBe(0x10);
    expect(await errorOf(r, Uint8Array.of(ATT_OP.READ_BY_TYPE_REQ, 1, 0, 0xff, 0xff, 0x03))).toBe(0x04);
    expect(await errorOf(r, Uint8Array.of(ATT_OP.READ_REQ, 1))).toBe(0x04);
    // Trailing bytes after a fixed-size request are ignored, as NimBLE's request pull-up does.
    expect((await r.link.request(Uint8Array.of(ATT_OP.READ_REQ, 3, 0, 0xee)))![0]).toBe(ATT_OP.READ_RSP);
    const found = await r.link.request(build.findByTypeValue(1, 0xffff, 0x2800, Uint8Array.of(0x00, 0x18)));
    expect(Array.from(found!)).toEqual([ATT_OP.FIND_BY_TYPE_VALUE_RSP, 1, 0, 5, 0]);
  });
});

describe('modelled link time', () => {
  it('charges one 30 ms connection interval per ATT round trip and counts bytes', async () => {
    const r = await rig({ sim: { connectionIntervalMs: 30 } });
    const s = r.peripheral.stats;
    const before = { ...s, byOpcode: { ...s.byOpcode } };
    await r.gatt.write(r.handles['proto-ver'], enc('ESP'));
    await r.gatt.read(r.handles['proto-ver']);
    expect(s.transactions - before.transactions).toBe(2);
    expect(s.airTimeMs - before.airTimeMs).toBe(60);
    expect(s.attBytesToPeripheral - before.attBytesToPeripheral).toBe(6 + 3);
    expect(s.attBytesToCentral - before.attBytesToCentral).toBe(1 + 1 + 'proto-ver|ESP'.length);
    expect(s.byOpcode.WRITE_REQ - (before.byOpcode.WRITE_REQ ?? 0)).toBe(1);
  });

  it('spills into further connection events when packets do not fit one interval', async () => {
    // 7.5 ms interval, no DLE: a 512-byte read response needs 20 LL packets (~8 ms) → 2 events.
    const r = await rig({ sim: { connectionIntervalMs: 7.5 }, mtu: 517 });
    await r.gatt.write(r.handles['prov-scan'], enc('BIG:512'));
    const before = r.peripheral.stats.airTimeMs;
    await r.gatt.read(r.handles['prov-scan']);
    expect(r.peripheral.stats.airTimeMs - before).toBe(15);
  });
});
