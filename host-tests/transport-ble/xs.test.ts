// The BLE transport on the real XS engine (xsnap, XS 13.3) behind the host bridge, driven from Node through the
// simulator's link protocol: sec1 session and custom-endpoint echo at MTU 23/185/517, a deferred (timer-answered)
// write, reconnects; the firmware's callbacks are Promises on the Node side here.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNodeHost, type NodeHost } from '../../tools/sim/host/index';
import { startBleLinkServer, type BleLinkServer } from '../../tools/sim/ble/link-server';
import { SimBlePeripheral } from '../../tools/sim/ble/peripheral';
import { XsSession } from '../xs/harness';
import { Sec1Client } from './helpers/sec-clients';
import { SpecProvClient } from './helpers/spec-client';

describe('BLE transport on XS', () => {
  let session: XsSession;
  let host: NodeHost;
  let server: BleLinkServer;
  const peripheral = new SimBlePeripheral();
  const lines: string[] = [];

  beforeAll(async () => {
    host = createNodeHost({ ble: peripheral, log: { write: (level, tag, message) => lines.push(`${level} ${tag}: ${message}`) }, uart: 'memory' });
    session = await XsSession.start('host-tests/transport-ble/xs/entry.ts', { host, input: { pop: 'xs-pop-1234' } });
    const started = await session.runTest('start');
    expect(started.error).toBeUndefined();
    server = await startBleLinkServer(peripheral);
  });
  afterAll(async () => {
    await server?.close();
    await session?.close();
    host?.sim.shutdown();
  });

  for (const mtu of [23, 185, 517]) {
    it(`sec1 session, echo and a deferred write at MTU ${mtu}`, async () => {
      const client = await SpecProvClient.open(server.port, { name: 'PROV_XS0001', mtu });
      try {
        const version = JSON.parse(Buffer.from(await client.send('proto-ver', new TextEncoder().encode('ESP'))).toString('utf8'));
        expect(version.prov.sec_ver).toBe(1);
        const sec = new Sec1Client('xs-pop-1234');
        const resp0 = await client.send('prov-session', sec.command0());
        sec.finish(await client.send('prov-session', sec.command1(resp0)));
        for (const size of [3, 200, 512]) {
          const plain = Uint8Array.from({ length: size }, (_, i) => (i * 7) & 0xff);
          expect(sec.decrypt(await client.send('custom-data', sec.encrypt(plain)))).toEqual(Uint8Array.from(plain).reverse());
        }
        expect(sec.decrypt(await client.send('slow', sec.encrypt(new Uint8Array(300))))).toEqual(Uint8Array.of(300 & 0xff, 0x5a));
        await client.link.disconnect();
      } finally {
        client.close();
      }
    });
  }

  it('never logs the PoP and stops cleanly', async () => {
    expect(lines.some((l) => l.includes('central connected'))).toBe(true);
    // The timer-answered endpoint really went through WRITE_PENDING + completeWrite.
    expect(lines.filter((l) => l.includes('slow: response deferred')).length).toBe(3);
    expect(lines.join('\n')).not.toContain('xs-pop-1234');
    expect(peripheral.stats.firmwareExceptions).toBe(0);
    const stopped = await session.runTest('stop');
    expect(stopped.error).toBeUndefined();
    expect(peripheral.isReleased()).toBe(true);
  });
});
