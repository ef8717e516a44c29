// The ESP32 TypeScript glue (firmware/host/esp32/*) on Node: XS's Native()/native() are replaced by fakes that
// route each native('xs_…') call to a scripted JS function, so the glue's own logic is checked here: status codes
// to the seam's error classes, GCM tag failure as undefined, NVS error names, BLE/Wi-Fi/socket event dispatch,
// scan completion and socket close semantics. (The C behind the names is tested in native/tests; the names
// themselves are checked against the C bindings by manifest.test.ts.)
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CryptoHostError } from '../../firmware/host/crypto';
import { NvsError } from '../../firmware/host/nvs';
import { SocketError } from '../../firmware/host/socket';
import { WifiHostError } from '../../firmware/host/wifi';

type Fn = (this: unknown, ...args: any[]) => unknown;
let impl: Record<string, Fn> = {};
const calls: [string, unknown[]][] = [];

beforeAll(() => {
  const g = globalThis as Record<string, unknown>;
  g.Native = (_destructor: string) => class {};
  g.native = (name: string) =>
    function (this: unknown, ...args: unknown[]) {
      calls.push([name, args]);
      const f = impl[name];
      if (!f) throw new Error(`unexpected native ${name}`);
      return f.apply(this, args);
    };
  g.trace = () => {};
});

beforeEach(() => {
  impl = {};
  calls.length = 0;
});

const ab = (...bytes: number[]) => new Uint8Array(bytes).buffer;

describe('crypto glue', () => {
  it('maps statuses to CryptoHostError codes and a tag failure to undefined', async () => {
    const { Esp32CryptoHost } = await import('../../firmware/host/esp32/crypto');
    impl.xs_nc_crypto_constructor = () => undefined;
    const host = new Esp32CryptoHost();
    impl.xs_nc_crypto_sha256 = () => ab(1, 2, 3);
    expect(Array.from(host.sha256(new Uint8Array()))).toEqual([1, 2, 3]);
    impl.xs_nc_crypto_x25519 = () => -2;
    expect(() => host.x25519(new Uint8Array(32), new Uint8Array(32))).toThrow(
      expect.objectContaining({ code: 'INTERNAL' }),
    );
    expect(() => host.x25519(new Uint8Array(31), new Uint8Array(32))).toThrow(CryptoHostError);
    impl.xs_nc_crypto_gcm_open = () => -4;
    expect(host.aesGcmOpen(new Uint8Array(32), new Uint8Array(12), new Uint8Array(20))).toBeUndefined();
    impl.xs_nc_crypto_gcm_open = () => -1;
    expect(() => host.aesGcmOpen(new Uint8Array(32), new Uint8Array(16), new Uint8Array(20))).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT' }),
    );
    expect(() => host.aesGcmSeal(new Uint8Array(32), new Uint8Array(8), new Uint8Array(1))).toThrow(CryptoHostError);
    expect(() => host.modPow(new Uint8Array([2]), new Uint8Array([3]), new Uint8Array([4]))).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT' }),
    );
    expect(() => host.randomBytes(-1)).toThrow(CryptoHostError);
  });

  it('streams CTR through the host object and reports CLOSED after close()', async () => {
    const { Esp32CryptoHost } = await import('../../firmware/host/esp32/crypto');
    impl.xs_nc_crypto_constructor = () => undefined;
    let open = true;
    impl.xs_nc_aesctr_constructor = () => undefined;
    impl.xs_nc_aesctr_update = (data: Uint8Array) => (open ? ab(...data.map((b) => b ^ 0xff)) : -3);
    impl.xs_nc_aesctr_close = () => {
      open = false;
    };
    const stream = new Esp32CryptoHost().aesCtr(new Uint8Array(32), new Uint8Array(16));
    expect(Array.from(stream.update(new Uint8Array([0, 1])))).toEqual([0xff, 0xfe]);
    stream.close();
    expect(() => stream.update(new Uint8Array([0]))).toThrow(expect.objectContaining({ code: 'CLOSED' }));
  });
});

describe('NVS glue', () => {
  it('turns null results into NvsError with the code the C side names', async () => {
    const { Esp32NvsHost } = await import('../../firmware/host/esp32/nvs');
    let last = 'INTERNAL';
    impl.xs_nc_nvs_constructor = () => undefined;
    impl.xs_nc_nvs_open = () => undefined;
    impl.xs_nc_nvs_last_error = () => last;
    const ns = new Esp32NvsHost().open('prov', 'readwrite');
    impl.xs_nc_nvs_get_u8 = () => undefined;
    expect(ns.getU8('k')).toBeUndefined();
    impl.xs_nc_nvs_get_u8 = () => 7;
    expect(ns.getU8('k')).toBe(7);
    impl.xs_nc_nvs_get_string = () => null;
    last = 'TYPE_MISMATCH';
    expect(() => ns.getString('k')).toThrow(expect.objectContaining({ code: 'TYPE_MISMATCH' }));
    last = 'SOMETHING_NEW';
    expect(() => ns.getString('k')).toThrow(expect.objectContaining({ code: 'INTERNAL' }));
    impl.xs_nc_nvs_get_blob = () => ab(9, 8);
    expect(Array.from(ns.getBlob('b')!)).toEqual([9, 8]);
    expect(() => ns.setU8('k', 256)).toThrow(NvsError);
    expect(() => ns.setI32('k', 1.5)).toThrow(NvsError);
    impl.xs_nc_nvs_set_u32 = () => undefined;
    ns.setU32('k', 0xffffffff);
    expect(calls.at(-1)).toEqual(['xs_nc_nvs_set_u32', ['k', 0xffffffff]]);
    impl.xs_nc_nvs_open = () => null;
    last = 'KEY_TOO_LONG';
    expect(() => new Esp32NvsHost().open('x'.repeat(16), 'readonly')).toThrow(
      expect.objectContaining({ code: 'KEY_TOO_LONG' }),
    );
  });
});

describe('BLE glue', () => {
  it('encodes the table, decodes handles and routes NimBLE events to the callbacks', async () => {
    const { Esp32BleHost } = await import('../../firmware/host/esp32/ble');
    let dispatch: (...args: unknown[]) => unknown = () => undefined;
    impl.xs_nc_ble_constructor = (d: typeof dispatch) => {
      dispatch = d;
    };
    impl.xs_nc_ble_start = (table: Uint8Array) => {
      expect(table[0]).toBe(1);
      return ab(10, 0, 12, 0, 12, 0);
    };
    const seen: unknown[] = [];
    const host = new Esp32BleHost();
    const handles = host.start(
      {
        services: [{ uuid128: new Uint8Array(16), characteristics: [{ uuid128: new Uint8Array(16), properties: 0x0a, maxLength: 64, descriptors: [] }] }],
        deviceName: 'PROV_1',
        preferredMtu: 517,
      },
      {
        onConnect: (c, a) => seen.push(['connect', c, Array.from(a)]),
        onDisconnect: (c, r) => seen.push(['disconnect', c, r]),
        onMtu: (c, m) => seen.push(['mtu', c, m]),
        onWrite: (c, h, d) => (seen.push(['write', c, h, Array.from(d)]), -1),
        onRead: (c, h, o) => (seen.push(['read', c, h, o]), new Uint8Array([5])),
      },
    );
    expect(handles).toEqual({ service: [{ start: 10, end: 12 }], characteristics: [[{ value: 12, descriptors: [] }]] });
    dispatch(1, 0, ab(1, 2, 3, 4, 5, 6));
    dispatch(3, 0, 517);
    expect(dispatch(4, 0, 12, ab(7, 8))).toBe(-1); // WRITE_PENDING passes through to the binding
    expect(Array.from(dispatch(5, 0, 12) as Uint8Array)).toEqual([5]);
    dispatch(2, 0, 0x13);
    expect(seen).toEqual([
      ['connect', 0, [1, 2, 3, 4, 5, 6]],
      ['mtu', 0, 517],
      ['write', 0, 12, [7, 8]],
      ['read', 0, 12, 0],
      ['disconnect', 0, 0x13],
    ]);
    expect(() => host.startAdvertising(new Uint8Array(32), new Uint8Array(0), 100)).toThrow(RangeError);
    impl.xs_nc_ble_complete_write = () => undefined;
    host.completeWrite(0, 0);
    expect(calls.at(-1)).toEqual(['xs_nc_ble_complete_write', [0, 0]]);
    impl.xs_nc_ble_stop = () => 0;
    host.stop();
    expect(dispatch(4, 0, 12, ab(1))).toBe(0x0e); // after stop: UNLIKELY_ERROR, callbacks gone
  });
});

describe('Wi-Fi glue', () => {
  it('completes a scan once, with records or an error code, and refuses a second scan', async () => {
    const { Esp32WifiHost } = await import('../../firmware/host/esp32/wifi');
    let dispatch: (...args: unknown[]) => void = () => undefined;
    impl.xs_nc_wifi_constructor = (d: typeof dispatch) => {
      dispatch = d;
    };
    impl.xs_nc_wifi_start = () => 0;
    impl.xs_nc_wifi_scan = () => 0;
    const events: unknown[] = [];
    const host = new Esp32WifiHost();
    host.start({
      onConnected: () => events.push('connected'),
      onGotIp: (ip) => events.push(ip),
      onLostIp: () => events.push('lost'),
      onDisconnected: (r) => events.push(r),
    });
    const results: unknown[] = [];
    host.scan({ passive: false, dwellMsPerChannel: 120, showHidden: false }, (r, e) => results.push([r?.length, e]));
    expect(() => host.scan({ passive: false, dwellMsPerChannel: 120, showHidden: false }, () => {})).toThrow(WifiHostError);
    const record = new Uint8Array(42);
    record.set([0x41, 0x42], 0);
    dispatch(5, 0, record.buffer);
    host.scan({ passive: false, dwellMsPerChannel: 120, showHidden: false }, (r, e) => results.push([r, e]));
    dispatch(5, -2, undefined);
    expect(results).toEqual([[1, undefined], [undefined, 'TIMEOUT']]);
    impl.xs_nc_wifi_scan = () => -3;
    host.scan({ passive: true, dwellMsPerChannel: 300, showHidden: true }, (r, e) => results.push([r, e]));
    expect(results.at(-1)).toEqual([undefined, 'NOT_STARTED']);
    dispatch(1);
    dispatch(3, '192.168.1.42');
    dispatch(2, 202);
    expect(events).toEqual(['connected', '192.168.1.42', 202]);
    impl.xs_nc_wifi_connect = () => -5;
    expect(() => host.connect({ ssid: new Uint8Array(33), password: new Uint8Array() })).toThrow(RangeError);
  });
  it('starts the access point with the checked arguments and maps the native statuses', async () => {
    const { Esp32WifiHost } = await import('../../firmware/host/esp32/wifi');
    impl.xs_nc_wifi_constructor = () => undefined;
    impl.xs_nc_wifi_start = () => 0;
    const host = new Esp32WifiHost();
    host.stopAccessPoint(); // before start: nothing runs, nothing to do
    expect(calls).toEqual([]);
    expect(() => host.startAccessPoint({ ssid: new Uint8Array(3), password: new Uint8Array(), channel: 1, maxStations: 5 })).toThrow(
      expect.objectContaining({ code: 'NOT_STARTED' }),
    );
    host.start({ onConnected() {}, onGotIp() {}, onLostIp() {}, onDisconnected() {} });
    let status = 0;
    impl.xs_nc_wifi_ap_start = () => status;
    impl.xs_nc_wifi_ap_stop = () => status;
    const ssid = new TextEncoder().encode('PROV_123ABC');
    const key = new TextEncoder().encode('provkey1');
    host.startAccessPoint({ ssid, password: key, channel: 1, maxStations: 5 });
    expect(calls.at(-1)).toEqual(['xs_nc_wifi_ap_start', [ssid, key, 1, 5]]);
    const before = calls.length;
    for (const bad of [
      { ssid: new Uint8Array(0), password: key, channel: 1, maxStations: 5 },
      { ssid: new Uint8Array(33), password: key, channel: 1, maxStations: 5 },
      { ssid, password: new Uint8Array(7), channel: 1, maxStations: 5 },
      { ssid, password: new Uint8Array(65).fill(0x61), channel: 1, maxStations: 5 },
      { ssid, password: new Uint8Array(64).fill(0x67), channel: 1, maxStations: 5 }, // 64 = PSK: hex only
      { ssid, password: key, channel: 0, maxStations: 5 },
      { ssid, password: key, channel: 14, maxStations: 5 },
      { ssid, password: key, channel: 1, maxStations: 0 },
      { ssid, password: key, channel: 1, maxStations: 11 },
    ]) {
      expect(() => host.startAccessPoint(bad)).toThrow(RangeError);
    }
    expect(calls.length).toBe(before); // refused before the native layer
    host.startAccessPoint({ ssid, password: new Uint8Array(64).fill(0x61), channel: 13, maxStations: 10 });
    status = -5;
    expect(() => host.startAccessPoint({ ssid, password: key, channel: 1, maxStations: 5 })).toThrow(RangeError);
    status = -4;
    expect(() => host.startAccessPoint({ ssid, password: key, channel: 1, maxStations: 5 })).toThrow(
      expect.objectContaining({ name: 'WifiHostError', code: 'INTERNAL' }),
    );
    expect(() => host.stopAccessPoint()).toThrow(expect.objectContaining({ code: 'INTERNAL' }));
    status = 0;
    host.stopAccessPoint();
    expect(calls.at(-1)).toEqual(['xs_nc_wifi_ap_stop', []]);
  });
});

describe('socket glue', () => {
  it('delivers connect, data and exactly one close, then refuses writes', async () => {
    const { Esp32SocketHost } = await import('../../firmware/host/esp32/socket');
    let dispatch: (...args: unknown[]) => void = () => undefined;
    let open = true;
    impl.xs_nc_socket_constructor = (host: string, port: number, ca: string | undefined, name: string | undefined, _t: number, d: typeof dispatch) => {
      expect([host, port, name]).toEqual(['mqtt.example.com', 8883, 'mqtt.example.com']);
      expect(ca).toBe('-----A-----\n-----B-----\n');
      dispatch = d;
    };
    impl.xs_nc_socket_write = (data: Uint8Array) => (open ? data.length : -1);
    impl.xs_nc_socket_close = () => {
      open = false;
    };
    const events: unknown[] = [];
    const sock = new Esp32SocketHost().connect(
      { host: 'mqtt.example.com', port: 8883, timeoutMs: 5000, tls: { ca: [' -----A-----', '-----B-----\n'], serverName: 'mqtt.example.com' } },
      {
        onConnect: () => events.push('connect'),
        onData: (d) => events.push(Array.from(d)),
        onClose: (e) => events.push(e ? (e as SocketError).code : 'closed'),
      },
    );
    dispatch(1);
    dispatch(2, ab(1, 2));
    expect(sock.write(new Uint8Array(3))).toBe(3);
    dispatch(3, 'TLS_EXPIRED');
    dispatch(2, ab(9)); // nothing after close
    dispatch(3, '');
    expect(events).toEqual(['connect', [1, 2], 'TLS_EXPIRED']);
    sock.close();
    expect(() => sock.write(new Uint8Array(1))).toThrow(expect.objectContaining({ code: 'CLOSED' }));
    expect(() =>
      new Esp32SocketHost().connect({ host: '', port: 1, timeoutMs: 1 }, { onConnect() {}, onData() {}, onClose() {} }),
    ).toThrow(RangeError);
  });
});

describe('listener glue (SoftAP/HTTP)', () => {
  it('hands accepted connections to onAccept, routes data and close per connection, maps write results', async () => {
    const { Esp32SocketHost } = await import('../../firmware/host/esp32/socket');
    let dispatch: (...args: unknown[]) => void = () => undefined;
    const closedConns: number[] = [];
    let listenerClosed = false;
    impl.xs_nc_listener_constructor = (port: number, max: number, d: typeof dispatch) => {
      expect([port, max]).toEqual([80, 4]);
      dispatch = d;
    };
    impl.xs_nc_listener_port = () => 80;
    impl.xs_nc_listener_write = (conn: number, data: Uint8Array) => (conn === 1 ? data.length : conn === 2 ? -2 : -1);
    impl.xs_nc_listener_close_conn = (conn: number) => void closedConns.push(conn);
    impl.xs_nc_listener_close = () => {
      listenerClosed = true;
    };
    const events: unknown[] = [];
    const sockets = new Map<string, import('../../firmware/host/socket').Socket>();
    const listener = new Esp32SocketHost().listen(
      { port: 80, maxConnections: 4 },
      {
        onAccept(socket, remote) {
          sockets.set(remote, socket);
          events.push(['accept', remote]);
          if (remote.startsWith('10.')) throw new Error('refused by the server');
          return {
            onConnect: () => events.push(['connect', remote]),
            onData: (d) => events.push(['data', remote, Array.from(d)]),
            onClose: (e) => events.push(['close', remote, e ? (e as SocketError).code : undefined]),
          };
        },
      },
    );
    expect(listener.port).toBe(80);
    dispatch(1, 1, '192.168.4.2:50000');
    dispatch(1, 2, '192.168.4.3:50001');
    dispatch(2, 1, ab(7, 8));
    dispatch(3, 2, 'RESET');
    dispatch(2, 2, ab(9)); // after its close: dropped
    dispatch(1, 3, '10.0.0.1:1'); // onAccept throws: the connection is dropped, nothing else
    dispatch(2, 3, ab(1));
    dispatch(3, 1, '');
    dispatch(4);
    expect(events).toEqual([
      ['accept', '192.168.4.2:50000'],
      ['connect', '192.168.4.2:50000'],
      ['accept', '192.168.4.3:50001'],
      ['connect', '192.168.4.3:50001'],
      ['data', '192.168.4.2:50000', [7, 8]],
      ['close', '192.168.4.3:50001', 'RESET'],
      ['accept', '10.0.0.1:1'],
      ['close', '192.168.4.2:50000', undefined],
    ]);
    expect(closedConns).toEqual([3]);
    const first = sockets.get('192.168.4.2:50000')!;
    expect(first.write(new Uint8Array(5))).toBe(5);
    expect(() => sockets.get('192.168.4.3:50001')!.write(new Uint8Array(1))).toThrow(expect.objectContaining({ code: 'INTERNAL' }));
    expect(() => sockets.get('10.0.0.1:1')!.write(new Uint8Array(1))).toThrow(expect.objectContaining({ code: 'CLOSED' }));
    first.close();
    expect(closedConns).toEqual([3, 1]);
    listener.close();
    expect(listenerClosed).toBe(true);
  });

  it('checks arguments before the native layer and reports a failed bind as SocketError INTERNAL', async () => {
    const { Esp32SocketHost } = await import('../../firmware/host/esp32/socket');
    const cbs = { onAccept: () => ({ onConnect() {}, onData() {}, onClose() {} }) };
    const host = new Esp32SocketHost();
    expect(() => host.listen({ port: 65536, maxConnections: 1 }, cbs)).toThrow(RangeError);
    expect(() => host.listen({ port: 80, maxConnections: 0 }, cbs)).toThrow(RangeError);
    expect(() => host.listen({ port: 80, maxConnections: 9 }, cbs)).toThrow(RangeError);
    expect(calls).toEqual([]);
    impl.xs_nc_listener_constructor = () => {
      throw new Error('EADDRINUSE');
    };
    expect(() => host.listen({ port: 80, maxConnections: 1 }, cbs)).toThrow(
      expect.objectContaining({ name: 'SocketError', code: 'INTERNAL', message: 'listen on port 80 failed: address in use' }),
    );
  });
});
