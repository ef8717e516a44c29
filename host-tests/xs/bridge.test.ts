// Bridge tests (tools/sim/xs-bridge.ts + firmware/host/xsnap): firmware on the real XS engine against a recording
// Node host. Every host method reaches the Node host with the exact arguments and its result comes back byte-exact;
// typed errors keep class and code; events produced while the worker is blocked are queued and delivered in order;
// callbacks that return values (BLE onWrite/onRead) are Promises on the Node side; onAccept returns synchronously.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { SocketError } from '../../firmware/host/socket';
import { XsSession } from './harness';
import { createRecordingHost, FakeSocket, GATT_HANDLES } from './recording-host';

const b = (...bytes: number[]) => new Uint8Array(bytes);

describe('XS bridge', () => {
  const { host, calls, captured } = createRecordingHost();
  let session: XsSession;

  beforeAll(async () => {
    session = await XsSession.start('host-tests/xs/entries/bridge.ts', {
      host,
      extraOps: {
        // Plays a Node timer firing while the worker is blocked inside issueCommand.
        'test.fireTimers': () => {
          for (const callback of [...captured.timers.values()]) callback();
        },
      },
    });
  });
  afterAll(async () => {
    await session?.close();
  });

  async function run(name: string) {
    const result = await session.runTest(name);
    expect(result.error).toBeUndefined();
    expect(result.ok).toBe(true);
    return result.values[0];
  }

  test('every host method reaches the Node host and its result comes back', async () => {
    const out = (await run('every host method')) as Record<string, unknown>;
    expect(out).toEqual({
      randomBytes: b(0xaa, 0xaa, 0xaa),
      sha256: new Uint8Array(32).fill(1),
      sha512: new Uint8Array(64).fill(2),
      hmac: new Uint8Array(32).fill(3),
      x25519: new Uint8Array(32).fill(4),
      ctr: b(0xff, 0x0f),
      seal: b(3, 4, 0xee),
      openOk: b(3, 4),
      openBad: undefined,
      modPow: b(7, 7),
      nvs: [1, 2, -3, 'ünï', b(0, 255), undefined],
      gatt: GATT_HANDLES,
      stationInfo: undefined,
      wifiMac: b(2, 0, 0, 0, 0, 1),
      written: 1003,
      port: 8080,
      timerIds: [100, 101],
      clock: [1234.5, undefined],
      device: [b(2, 0x53, 0x49, 0x4d, 0, 1), 'sim', 99_999],
    });
    expect(calls).toEqual([
      ['crypto.randomBytes', 3],
      ['crypto.sha256', b(1, 2)],
      ['crypto.sha512', b(3)],
      ['crypto.hmacSha256', b(4), b(5)],
      ['crypto.x25519', b(6), b(7)],
      ['crypto.aesCtr', b(0x0f, 1), b(9)],
      ['aes.update', 0x0f, b(0xf0, 0x00)],
      ['aes.close', 0x0f],
      ['crypto.aesGcmSeal', b(1), b(2), b(3, 4), undefined],
      ['crypto.aesGcmOpen', b(1), b(2), b(3, 4, 0xee), b(9)],
      ['crypto.aesGcmOpen', b(1), b(2), b(3), undefined],
      ['crypto.modPow', b(2), b(3), b(5)],
      ['nvs.open', 'ns', 'readwrite'],
      ['nvs.setU8', 'ns', 'a', 1],
      ['nvs.setU32', 'ns', 'b', 2],
      ['nvs.setI32', 'ns', 'c', -3],
      ['nvs.setString', 'ns', 'd', 'ünï'],
      ['nvs.setBlob', 'ns', 'e', b(0, 255)],
      ['nvs.getU8', 'ns', 'a'],
      ['nvs.getU32', 'ns', 'b'],
      ['nvs.getI32', 'ns', 'c'],
      ['nvs.getString', 'ns', 'd'],
      ['nvs.getBlob', 'ns', 'e'],
      ['nvs.getU8', 'ns', 'zz'],
      ['nvs.erase', 'ns', 'a'],
      ['nvs.eraseAll', 'ns'],
      ['nvs.commit', 'ns'],
      ['nvs.close', 'ns'],
      [
        'ble.start',
        {
          services: [{ uuid128: b(1, 2), characteristics: [{ uuid128: b(3), properties: 0x0a, maxLength: 256, descriptors: [{ uuid16: 0x2901, value: b(0x41) }] }] }],
          deviceName: 'PROV_XS',
          preferredMtu: 512,
        },
      ],
      ['ble.startAdvertising', b(2, 1, 6), b(), 100],
      ['ble.stopAdvertising'],
      ['ble.disconnect', 1],
      ['ble.completeWrite', 1, 0],
      ['ble.stop'],
      ['wifi.start'],
      ['wifi.setMode', 'apsta'],
      ['wifi.connect', { ssid: b(0x48, 0x69), password: b(0x70, 0x77), channel: 6 }],
      ['wifi.disconnect'],
      ['wifi.scan', { passive: false, dwellMsPerChannel: 120, showHidden: true }],
      ['wifi.stationInfo'],
      ['wifi.mac'],
      ['socket.connect', { host: 'broker.local', port: 8883, tls: { ca: ['PEM'], serverName: 'broker.local' }, timeoutMs: 5000 }],
      ['socket.write:client', b(1, 2, 3)],
      ['socket.listen', { port: 0, maxConnections: 1 }],
      ['timers.setTimeout', 10],
      ['timers.setInterval', 20],
      ['timers.clear', 100],
      ['clock.monotonicMs'],
      ['clock.wallMs'],
      ['log.write', 'warn', 'tag', 'message ✓'],
      ['device.mac'],
      ['device.chipModel'],
      ['device.freeHeapBytes'],
      ['device.restart'],
      ['button.onEvent'],
      ['uart.open'],
      ['uart.write', b(0x0d, 0x0a)],
      ['uart.close'],
      ['uart.open'],
    ]);
  });

  test('callbacks into the firmware: values come back as Promises, onAccept synchronously, in order', async () => {
    const ble = captured.ble!;
    await ble.onConnect(1, b(0xc0, 1, 2, 3, 4, 5));
    ble.onMtu(1, 185);
    // On XS these are Promises: Node BLE simulators must await them (documented in xs-bridge.ts).
    expect(await ble.onWrite(1, 3, b(1, 2, 3))).toBe(3);
    expect(await ble.onWrite(1, 99, b(1))).toBe(-1);
    expect(await ble.onRead(1, 3, 1)).toEqual(b(11, 12));
    expect(await ble.onRead(1, 99, 0)).toBe(0x0a);
    ble.onDisconnect(1, 0x13);

    const wifi = captured.wifi!;
    wifi.onConnected();
    wifi.onGotIp('192.168.4.2');
    wifi.onLostIp();
    wifi.onDisconnected(201);
    captured.scanDone!([{ ssid: b(0x48, 0x69), bssid: b(1, 2, 3, 4, 5, 6), channel: 6, rssi: -40, auth: 3 }]);

    const client = captured.connect!;
    client.onConnect();
    client.onData(b(9, 8));
    client.onClose(new SocketError('RESET', 'connection reset by peer'));

    const accepted = new FakeSocket('accepted', captured, calls);
    const callbacks = captured.listener!.onAccept(accepted, '10.0.0.2:5555');
    expect(typeof callbacks.onData).toBe('function'); // synchronous, no await needed
    callbacks.onConnect();
    callbacks.onData(b(1, 2));
    await callbacks.onClose();

    captured.button!('long');
    captured.uart!(b(0x61));
    await session.bridge.idle();
    expect(captured.written.get('accepted')).toEqual([b(2, 3)]);

    await run('after onClose, writing to the socket throws CLOSED; listener closes');
    expect(calls.at(-1)).toEqual(['listener.close']);

    expect(await run('events')).toEqual([
      ['ble.onConnect', 1, b(0xc0, 1, 2, 3, 4, 5)],
      ['ble.onMtu', 1, 185],
      ['ble.onWrite', 1, 3, b(1, 2, 3)],
      ['ble.onWrite', 1, 99, b(1)],
      ['ble.onDisconnect', 1, 0x13],
      ['wifi.onConnected'],
      ['wifi.onGotIp', '192.168.4.2'],
      ['wifi.onLostIp'],
      ['wifi.onDisconnected', 201],
      ['wifi.scanDone', [{ ssid: b(0x48, 0x69), bssid: b(1, 2, 3, 4, 5, 6), channel: 6, rssi: -40, auth: 3 }], undefined],
      ['client.onConnect'],
      ['client.onData', b(9, 8)],
      ['client.onClose', 'RESET'],
      ['listener.onAccept', '10.0.0.2:5555'],
      ['accepted.onConnect'],
      ['accepted.onData', b(1, 2)],
      ['accepted.onClose', undefined],
      ['button', 'long'],
      ['uart', b(0x61)],
    ]);
  });

  test('an exception in a firmware callback rejects its Promise and is collected', async () => {
    await expect(captured.wifi!.onGotIp('0.0.0.0')).rejects.toThrow('firmware rejects 0.0.0.0');
    expect(session.bridge.callbackErrors.map((e) => e.message)).toEqual(['firmware rejects 0.0.0.0']);
    expect(() => session.checkUncaught()).toThrow(/uncaught errors in firmware on XS/);
    session.bridge.callbackErrors.length = 0;
  });

  test('expiries produced while the worker is blocked are queued; a cleared one is dropped', async () => {
    captured.timers.clear(); // forget the timers of the first test
    expect(await run('expiries produced while the worker is blocked run after the exchange; a cleared one is dropped')).toEqual([
      'after fire',
      'A',
    ]);
    await session.bridge.idle();
    await run('cleared timer never ran');
  });

  test('host errors are re-thrown in the worker with class and code', async () => {
    await run('host errors are re-thrown with class and code');
  });

  test('the run ends with the completion marker and no uncaught errors', async () => {
    await session.finish();
  });
});
