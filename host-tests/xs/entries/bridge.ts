// XS entry for the bridge tests (bridge.test.ts): the firmware side of every host method, typed errors, callbacks
// that return values, events queued while the worker is busy. The Node side is recording-host.ts.
import { CryptoHostError } from '../../../firmware/host/crypto';
import { WRITE_PENDING } from '../../../firmware/host/ble';
import { NvsError } from '../../../firmware/host/nvs';
import { SocketError, type Listener, type Socket } from '../../../firmware/host/socket';
import { WifiHostError, type WifiScanRecord } from '../../../firmware/host/wifi';
import { assert, assertEqual, assertThrows, channel, emit, test, xsHost } from '../runtime';

const b = (...bytes: number[]) => new Uint8Array(bytes);
/** What the firmware saw, in order; read by the 'events' test. */
const events: unknown[] = [];
let client: Socket | undefined;
let listener: Listener | undefined;

test('every host method', () => {
  const h = xsHost();
  const out: Record<string, unknown> = {};
  out.randomBytes = h.crypto.randomBytes(3);
  out.sha256 = h.crypto.sha256(b(1, 2));
  out.sha512 = h.crypto.sha512(b(3));
  out.hmac = h.crypto.hmacSha256(b(4), b(5));
  out.x25519 = h.crypto.x25519(b(6), b(7));
  const ctr = h.crypto.aesCtr(b(0x0f, 1), b(9));
  out.ctr = ctr.update(b(0xf0, 0x00));
  ctr.close();
  out.seal = h.crypto.aesGcmSeal(b(1), b(2), b(3, 4), undefined);
  out.openOk = h.crypto.aesGcmOpen(b(1), b(2), b(3, 4, 0xee), b(9));
  out.openBad = h.crypto.aesGcmOpen(b(1), b(2), b(3), undefined);
  out.modPow = h.crypto.modPow(b(2), b(3), b(5));

  const ns = h.nvs.open('ns', 'readwrite');
  ns.setU8('a', 1);
  ns.setU32('b', 2);
  ns.setI32('c', -3);
  ns.setString('d', 'ünï');
  ns.setBlob('e', b(0, 255));
  out.nvs = [ns.getU8('a'), ns.getU32('b'), ns.getI32('c'), ns.getString('d'), ns.getBlob('e'), ns.getU8('zz')];
  ns.erase('a');
  ns.eraseAll();
  ns.commit();
  ns.close();

  out.gatt = h.ble.start(
    {
      services: [{ uuid128: b(1, 2), characteristics: [{ uuid128: b(3), properties: 0x0a, maxLength: 256, descriptors: [{ uuid16: 0x2901, value: b(0x41) }] }] }],
      deviceName: 'PROV_XS',
      preferredMtu: 512,
    },
    {
      onConnect: (c, peer) => void events.push(['ble.onConnect', c, peer]),
      onDisconnect: (c, reason) => void events.push(['ble.onDisconnect', c, reason]),
      onMtu: (c, mtu) => void events.push(['ble.onMtu', c, mtu]),
      onWrite: (c, handle, data) => {
        events.push(['ble.onWrite', c, handle, data]);
        return handle === 99 ? WRITE_PENDING : data.length;
      },
      onRead: (_c, handle, offset) => (handle === 99 ? 0x0a : b(10, 11, 12).subarray(offset)),
    },
  );
  h.ble.startAdvertising(b(2, 1, 6), b(), 100);
  h.ble.stopAdvertising();
  h.ble.disconnect(1);
  h.ble.completeWrite(1, 0);
  h.ble.stop();

  h.wifi.start({
    onConnected: () => void events.push(['wifi.onConnected']),
    onGotIp: (ip) => {
      if (ip === '0.0.0.0') throw new Error('firmware rejects 0.0.0.0');
      events.push(['wifi.onGotIp', ip]);
    },
    onLostIp: () => void events.push(['wifi.onLostIp']),
    onDisconnected: (reason) => void events.push(['wifi.onDisconnected', reason]),
  });
  h.wifi.setMode('apsta');
  h.wifi.connect({ ssid: b(0x48, 0x69), password: b(0x70, 0x77), channel: 6 });
  h.wifi.disconnect();
  h.wifi.scan({ passive: false, dwellMsPerChannel: 120, showHidden: true }, (records, error) =>
    events.push(['wifi.scanDone', records, error]),
  );
  out.stationInfo = h.wifi.stationInfo();
  out.wifiMac = h.wifi.mac();

  client = h.socket.connect({ host: 'broker.local', port: 8883, tls: { ca: ['PEM'], serverName: 'broker.local' }, timeoutMs: 5000 }, {
    onConnect: () => void events.push(['client.onConnect']),
    onData: (data) => void events.push(['client.onData', data]),
    onClose: (error) => void events.push(['client.onClose', error instanceof SocketError ? error.code : error]),
  });
  out.written = client.write(b(1, 2, 3));
  listener = h.socket.listen({ port: 0, maxConnections: 1 }, {
    onAccept(socket: Socket, remote: string) {
      events.push(['listener.onAccept', remote]);
      return {
        onConnect: () => void events.push(['accepted.onConnect']),
        onData: (data) => {
          events.push(['accepted.onData', data]);
          socket.write(data.map((x) => x + 1)); // echo + 1, through the accepted socket's handle
        },
        onClose: (error) => void events.push(['accepted.onClose', error]),
      };
    },
  });
  out.port = listener.port;

  const t = h.timers.setTimeout(() => void events.push(['timer']), 10);
  const i = h.timers.setInterval(() => void events.push(['interval']), 20);
  h.timers.clear(t);
  out.timerIds = [t, i];
  out.clock = [h.clock.monotonicMs(), h.clock.wallMs()];
  h.log.write('warn', 'tag', 'message ✓');
  out.device = [h.device.mac(), h.device.chipModel(), h.device.freeHeapBytes()];
  h.device.restart();
  h.button.onEvent((event) => void events.push(['button', event]));
  h.uart.open((data) => void events.push(['uart', data]));
  h.uart.write(b(0x0d, 0x0a));
  h.uart.close();
  h.uart.open((data) => void events.push(['uart', data]));
  emit(out);
});

test('host errors are re-thrown with class and code', () => {
  const h = xsHost();
  const nvs = assertThrows(() => h.nvs.open('full', 'readwrite'), 'nvs');
  assert(nvs instanceof NvsError && nvs.code === 'NOT_ENOUGH_SPACE', `NvsError NOT_ENOUGH_SPACE, got ${nvs.name}`);
  const dns = assertThrows(() => h.socket.connect({ host: 'nxdomain.invalid', port: 1, timeoutMs: 1 }, { onConnect() {}, onData() {}, onClose() {} }), 'socket');
  assert(dns instanceof SocketError && dns.code === 'DNS', `SocketError DNS, got ${dns.name}`);
  h.wifi.scan({ passive: true, dwellMsPerChannel: 1, showHidden: false }, () => {});
  const busy = assertThrows(() => h.wifi.scan({ passive: true, dwellMsPerChannel: 1, showHidden: false }, () => {}), 'scan while scanning');
  assert(busy instanceof WifiHostError && busy.code === 'BUSY', `WifiHostError BUSY, got ${busy.name}`);
  const crypto = assertThrows(() => h.crypto.randomBytes(-1), 'randomBytes');
  assert(crypto instanceof CryptoHostError && crypto.code === 'INVALID_ARGUMENT', `CryptoHostError, got ${crypto.name}`);
  assertEqual(crypto.message, 'negative length', 'message preserved');
  const range = assertThrows(() => h.ble.startAdvertising(new Uint8Array(32), new Uint8Array(0), 100), 'adv');
  assert(range instanceof RangeError, `RangeError, got ${range.name}`);
});

let clearedRan = false;
test('expiries produced while the worker is blocked run after the exchange; a cleared one is dropped', async () => {
  const h = xsHost();
  const order: string[] = [];
  let resolveA!: () => void;
  const a = new Promise<void>((resolve) => (resolveA = resolve));
  h.timers.setTimeout(() => {
    order.push('A');
    resolveA();
  }, 1);
  const cleared = h.timers.setTimeout(() => {
    clearedRan = true;
  }, 2);
  // The Node side fires every pending fake timer synchronously inside this request (the worker is blocked).
  channel.request('test.fireTimers', []);
  order.push('after fire');
  assertEqual(h.clock.monotonicMs(), 1234.5, 'requests still get their own replies');
  h.timers.clear(cleared); // its expiry is already queued in the parent
  await a;
  emit(order);
});

test('cleared timer never ran', () => {
  assertEqual(clearedRan, false, 'cleared timer callback ran');
});

test('after onClose, writing to the socket throws CLOSED; listener closes', () => {
  const closed = assertThrows(() => client!.write(b(1)), 'write after onClose');
  assert(closed instanceof SocketError && closed.code === 'CLOSED', `SocketError CLOSED, got ${closed.name}: ${closed.message}`);
  listener!.close();
});

test('events', () => {
  emit(events.splice(0));
});

export type { WifiScanRecord };
