// The BLE provisioning transport (firmware/transport/ble.ts) on the simulated NimBLE peripheral, driven through the
// link protocol by a client written from unified-provisioning.md §9.1, with an echo protocomm.
import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { BleTransport, provisioningEndpoints } from '../../firmware/transport/ble';
import { AttError } from '../../tools/sim/ble/att';
import { BleLinkClient } from '../../tools/sim/ble/client';
import { SimBlePeripheral } from '../../tools/sim/ble/peripheral';
import { EchoProtocomm } from './helpers/fakes';
import { startDevice, testLogger, until, type Device } from './helpers/harness';
import { expectedCharacteristicUuid, SpecProvClient } from './helpers/spec-client';

const enc = (s: string) => new Uint8Array(Buffer.from(s, 'latin1'));
const txt = (d: Uint8Array) => Buffer.from(d).toString('latin1');

let device: Device | undefined;
const clients: { close(): void }[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await device?.close();
  device = undefined;
});

async function open(protocomm: EchoProtocomm, options: Parameters<typeof startDevice>[1] = {}, mtu = 23): Promise<SpecProvClient> {
  device = await startDevice(protocomm, options);
  const client = await SpecProvClient.open(device.server.port, { name: 'PROV_261FCC', mtu });
  clients.push(client);
  return client;
}

async function attCode(promise: Promise<unknown>): Promise<number> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof AttError) return error.code;
    throw error;
  }
  throw new Error('expected an ATT error');
}

describe('GATT table and advertising (§9.1)', () => {
  it('advertises flags + the service UUID and names the device in the scan response', async () => {
    const client = await open(new EchoProtocomm(), { transport: { manufacturerData: Uint8Array.from([0xe5, 0x02, 0xaa]) } });
    const adv = client.device!;
    expect(adv.advertisingData).toBe('0201061107' + '07ed9b2d0f067c879b43436b4d247517');
    expect(adv.parsed.flags).toBe(6);
    expect(adv.parsed.serviceUuids).toEqual(['1775244d-6b43-439b-877c-060f2d9bed07']);
    expect(adv.parsed.localName).toBe('PROV_261FCC');
    expect(adv.parsed.manufacturerData).toBe('e502aa');
    expect(adv.intervalMs).toBe(160);
  });

  it('has one characteristic per endpoint, in order, Read|Write, UUID from bytes 12..13, named by 0x2901', async () => {
    const client = await open(new EchoProtocomm(), { custom: ['custom-data', 'or-cfg'] });
    const services = await client.link.discover();
    // NimBLE registers GAP and GATT first; the provisioning service follows.
    expect(services.map((s) => s.uuid)).toEqual(['1800', '1801', '1775244d-6b43-439b-877c-060f2d9bed07']);
    const chars = services[2].characteristics;
    const expected: [string, number][] = [['prov-ctrl', 0xff4f], ['prov-scan', 0xff50], ['prov-session', 0xff51], ['prov-config', 0xff52], ['proto-ver', 0xff53], ['custom-data', 0xff54], ['or-cfg', 0xff55]];
    expect(chars.map((c) => c.userDescription)).toEqual(expected.map(([n]) => n));
    chars.forEach((c, i) => {
      expect(c.uuid).toBe(expectedCharacteristicUuid('1775244d-6b43-439b-877c-060f2d9bed07', expected[i][1]));
      expect(c.properties).toBe(0x0a);
      expect(c.descriptors.map((d) => d.uuid)).toEqual(['2901']);
      expect(c.valueHandle).toBe(c.declarationHandle + 1);
    });
  });

  it('uses a configured service UUID', async () => {
    device = await startDevice(new EchoProtocomm(), { transport: { serviceUuid: '021a9004-0382-4aea-bff4-6b3f1c5adfb4' } });
    const client = await SpecProvClient.open(device.server.port, { mtu: 185 });
    clients.push(client);
    expect(client.serviceUuid).toBe('021a9004-0382-4aea-bff4-6b3f1c5adfb4');
    expect(client.endpoints.get('prov-session')!.uuid).toBe('021aff51-0382-4aea-bff4-6b3f1c5adfb4');
  });

  it('refuses bad configuration', () => {
    const base = { host: new SimBlePeripheral(), protocomm: new EchoProtocomm(), logger: testLogger([]), endpoints: provisioningEndpoints() };
    expect(() => new BleTransport({ ...base, deviceName: 'N'.repeat(30) })).toThrow(RangeError);
    expect(() => new BleTransport({ ...base, deviceName: 'ok', serviceUuid: 'nope' })).toThrow(RangeError);
    expect(() => new BleTransport({ ...base, deviceName: 'ok', endpoints: [{ name: 'a', id: 1 }, { name: 'a', id: 2 }] })).toThrow(RangeError);
    expect(() => new BleTransport({ ...base, deviceName: 'ok', endpoints: [{ name: 'a', id: 1 }, { name: 'b', id: 1 }] })).toThrow(RangeError);
    expect(() => new BleTransport({ ...base, deviceName: 'ok', customMaxMessage: 100 })).toThrow(RangeError);
  });
});

describe('write-then-read', () => {
  it('routes each endpoint by its characteristic and returns the response on read', async () => {
    const protocomm = new EchoProtocomm();
    const client = await open(protocomm, { custom: ['custom-data'] });
    for (const name of ['prov-ctrl', 'prov-scan', 'prov-session', 'prov-config', 'proto-ver', 'custom-data']) {
      expect(txt(await client.send(name, enc('ESP')))).toBe(`${name}|ESP`);
    }
    // Each characteristic keeps its own last response.
    expect(txt(await client.link.readLong(client.handle('prov-ctrl')))).toBe('prov-ctrl|ESP');
    expect(protocomm.calls.every((c) => c.session === 0)).toBe(true);
  });

  it('reads empty before any write', async () => {
    const client = await open(new EchoProtocomm());
    expect((await client.link.read(client.handle('proto-ver'))).length).toBe(0);
  });

  it('ignores an empty write (NimBLE) and keeps the previous value', async () => {
    const protocomm = new EchoProtocomm();
    const client = await open(protocomm);
    await client.send('proto-ver', enc('v'));
    await client.link.write(client.handle('proto-ver'), new Uint8Array(0));
    expect(protocomm.calls.length).toBe(1);
    expect(txt(await client.link.readLong(client.handle('proto-ver')))).toBe('proto-ver|v');
  });

  it('answers a handler error with ATT 0x04, keeps the link, and never serves the stale response', async () => {
    const client = await open(new EchoProtocomm());
    await client.send('prov-config', enc('first'));
    expect(await attCode(client.link.write(client.handle('prov-config'), enc('FAIL')))).toBe(0x04);
    expect((await client.link.read(client.handle('prov-config'))).length).toBe(0);
    expect(txt(await client.send('prov-config', enc('again')))).toBe('prov-config|again');
  });

  it('refuses a response larger than the attribute (512 on standard endpoints)', async () => {
    const client = await open(new EchoProtocomm(), {}, 517);
    expect((await client.send('prov-scan', enc('BIG:512'))).length).toBe(512);
    expect(await attCode(client.link.writeLong(client.handle('prov-scan'), enc('BIG:513')))).toBe(0x04);
  });
});

describe('long messages', () => {
  for (const mtu of [23, 185, 517]) {
    it(`carries 512-byte standard messages both ways at MTU ${mtu}`, async () => {
      const protocomm = new EchoProtocomm();
      const client = await open(protocomm, {}, mtu);
      expect(client.link.mtu).toBe(mtu);
      const request = Uint8Array.from({ length: 512 }, (_, i) => (i * 7) & 0xff);
      request.set(enc('SUM'));
      const digest = createHash('sha256').update(request).digest('hex');
      expect(txt(await client.send('prov-session', request))).toBe(`prov-session|512|${digest}`);
      const big = await client.send('prov-session', enc('BIG:512'));
      expect(big).toEqual(Uint8Array.from({ length: 512 }, (_, i) => i & 0xff));
      expect(await attCode(client.link.writeLong(client.handle('prov-session'), new Uint8Array(513)))).toBe(0x0d);
    });
  }

  it('carries 4 KB on a custom endpoint at MTU 185 and 517', async () => {
    for (const mtu of [185, 517]) {
      const client = await open(new EchoProtocomm(), { custom: ['or-cfg'] }, mtu);
      const request = Uint8Array.from({ length: 4000 }, (_, i) => (i * 13) & 0xff);
      const response = await client.send('or-cfg', request);
      expect(txt(response.subarray(0, 7))).toBe('or-cfg|');
      expect(response.subarray(7)).toEqual(request);
      expect(await attCode(client.link.writeLong(client.handle('or-cfg'), new Uint8Array(4097)))).toBe(0x0d);
      client.close();
      await device!.close();
      device = undefined;
    }
  });

  it('runs out of prepare-queue entries for 4 KB at MTU 23 (0x09), then works normally', async () => {
    const client = await open(new EchoProtocomm(), { custom: ['or-cfg'] }, 23);
    // 64 entries x 18 bytes = 1152 bytes is the most a long write can carry at MTU 23 with NimBLE's default queue.
    expect(await attCode(client.link.writeLong(client.handle('or-cfg'), new Uint8Array(1153)))).toBe(0x09);
    const ok = Uint8Array.from({ length: 1152 }, (_, i) => i & 0xff);
    expect((await client.send('or-cfg', ok)).subarray(7)).toEqual(ok);
  });
});

describe('deferred responses (blocking scan, §7.2)', () => {
  it('holds the Write Response until protocomm replies', async () => {
    const protocomm = new EchoProtocomm();
    const client = await open(protocomm);
    let done = false;
    const write = client.link.write(client.handle('prov-scan'), enc('DEFER-scan')).then(() => (done = true));
    await until(() => protocomm.deferred !== undefined, 'deferred request');
    await new Promise((r) => setTimeout(r, 20));
    expect(done).toBe(false);
    protocomm.release(enc('scan-done'));
    await write;
    expect(txt(await client.link.readLong(client.handle('prov-scan')))).toBe('scan-done');
  });

  it('answers 0x04 when the deferred reply is an error', async () => {
    const protocomm = new EchoProtocomm();
    const client = await open(protocomm);
    const write = attCode(client.link.write(client.handle('prov-scan'), enc('DEFER')));
    await until(() => protocomm.deferred !== undefined, 'deferred request');
    protocomm.release(undefined);
    expect(await write).toBe(0x04);
  });

  it('discards a deferred reply that arrives after the link dropped', async () => {
    const protocomm = new EchoProtocomm();
    const client = await open(protocomm);
    const write = client.link.write(client.handle('prov-scan'), enc('DEFER')).catch((e: Error) => e);
    await until(() => protocomm.deferred !== undefined, 'deferred request');
    await client.link.disconnect();
    expect(await write).toBeInstanceOf(Error);
    protocomm.release(enc('late answer'));
    await client.link.connectPeripheral(185);
    expect((await client.link.read(client.handle('prov-scan'))).length).toBe(0);
    expect(txt(await client.send('prov-scan', enc('x')))).toBe('prov-scan|x');
  });
});

describe('connections', () => {
  it('opens a transport session per connection, closes it on disconnect, and re-advertises', async () => {
    const protocomm = new EchoProtocomm();
    const client = await open(protocomm);
    expect(protocomm.sessions).toEqual(['new:0']);
    expect(await client.link.scan()).toEqual([]); // not advertising while connected
    await client.send('proto-ver', enc('a'));
    await client.link.disconnect();
    expect(protocomm.sessions).toEqual(['new:0', 'close:0']);
    expect((await client.link.scan()).length).toBe(1);
    await client.link.connectPeripheral(23);
    expect(protocomm.sessions).toEqual(['new:0', 'close:0', 'new:0']);
    // The previous link's responses are gone.
    expect((await client.link.read(client.handle('proto-ver'))).length).toBe(0);
  });

  it('refuses a second central while one is connected', async () => {
    const client = await open(new EchoProtocomm());
    const second = await BleLinkClient.connect(device!.server.port);
    clients.push(second);
    await expect(second.connectPeripheral(23)).rejects.toThrow(/busy/);
    expect(txt(await client.send('proto-ver', enc('still')))).toBe('proto-ver|still');
  });

  it('treats a vanished phone (TCP closed) as a supervision timeout and re-advertises', async () => {
    const protocomm = new EchoProtocomm();
    const client = await open(protocomm);
    client.close();
    await until(() => protocomm.sessions.includes('close:0'), 'session close');
    expect(device!.peripheral.advertisement()).toBeDefined();
    expect(device!.logs.some((l) => l.includes('reason 0x8'))).toBe(true);
  });

  it('stop() closes the session, drops the link and releases the stack for good', async () => {
    const protocomm = new EchoProtocomm();
    const client = await open(protocomm);
    const reasons: number[] = [];
    client.link.onDisconnected((r) => reasons.push(r));
    device!.transport.stop();
    await until(() => reasons.length === 1, 'disconnect event');
    expect(protocomm.sessions).toEqual(['new:0', 'close:0']);
    expect(await client.link.scan()).toEqual([]);
    expect(device!.peripheral.isReleased()).toBe(true);
    expect(() => device!.peripheral.start({ services: [], deviceName: 'x', preferredMtu: 23 }, {} as never)).toThrow(/released/);
  });

  it('never logs message contents', async () => {
    const client = await open(new EchoProtocomm());
    await client.send('prov-config', enc('secretpass-in-plaintext'));
    await attCode(client.link.write(client.handle('prov-config'), enc('FAIL')));
    expect(device!.logs.join('\n')).not.toContain('secretpass');
  });
});
