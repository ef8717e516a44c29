// A Node Host test double for the bridge tests: every method records its call and returns a fixed, recognisable
// value; callbacks are captured so the test can play the platform (fire timers, deliver socket data, BLE writes).
// Special arguments make a method throw the seam's typed errors (see `THROWS`).
import { CryptoHostError, type AesCtrStream } from '../../firmware/host/crypto';
import type { BleCallbacks, GattHandles } from '../../firmware/host/ble';
import type { ButtonEvent } from '../../firmware/host/button';
import type { Host } from '../../firmware/host/index';
import { NvsError, type NvsNamespace } from '../../firmware/host/nvs';
import { SocketError, type ListenerCallbacks, type Socket, type SocketCallbacks } from '../../firmware/host/socket';
import { WifiHostError, type WifiCallbacks, type WifiScanErrorCode, type WifiScanRecord } from '../../firmware/host/wifi';

export type Call = [string, ...unknown[]];

export interface Captured {
  ble?: BleCallbacks;
  wifi?: WifiCallbacks;
  scanDone?: (records: WifiScanRecord[] | undefined, error?: WifiScanErrorCode) => void;
  connect?: SocketCallbacks;
  listener?: ListenerCallbacks;
  button?: (event: ButtonEvent) => void;
  uart?: (data: Uint8Array) => void;
  timers: Map<number, () => void>;
  /** Bytes the firmware wrote to sockets, by socket name. */
  written: Map<string, Uint8Array[]>;
}

export const GATT_HANDLES: GattHandles = { service: [{ start: 1, end: 9 }], characteristics: [[{ value: 3, descriptors: [4] }]] };

export class FakeSocket implements Socket {
  closed = false;
  constructor(readonly name: string, private readonly captured: Captured, private readonly calls: Call[]) {}
  write(data: Uint8Array): number {
    this.calls.push([`socket.write:${this.name}`, data]);
    if (this.closed) throw new SocketError('CLOSED', 'fake socket closed');
    const list = this.captured.written.get(this.name) ?? [];
    list.push(new Uint8Array(data));
    this.captured.written.set(this.name, list);
    return 1000 + data.length;
  }
  close(): void {
    this.calls.push([`socket.close:${this.name}`]);
    this.closed = true;
  }
}

export function createRecordingHost(): { host: Host; calls: Call[]; captured: Captured } {
  const calls: Call[] = [];
  const captured: Captured = { timers: new Map(), written: new Map() };
  const rec = (name: string, ...args: unknown[]) => calls.push([name, ...args]);
  let nextTimer = 100;
  let scanning = false;

  const aes = (tag: number): AesCtrStream => {
    let open = true;
    return {
      update(data) {
        rec('aes.update', tag, data);
        if (!open) throw new CryptoHostError('CLOSED', 'closed');
        return data.map((b) => b ^ tag);
      },
      close() {
        rec('aes.close', tag);
        open = false;
      },
    };
  };

  const namespace = (name: string): NvsNamespace => {
    const store = new Map<string, unknown>();
    const get = (method: string) => (key: string) => (rec(`nvs.${method}`, name, key), store.get(key) as never);
    const set = (method: string) => (key: string, value: unknown) => {
      rec(`nvs.${method}`, name, key, value);
      store.set(key, value);
    };
    return {
      getU8: get('getU8'), setU8: set('setU8'), getU32: get('getU32'), setU32: set('setU32'), getI32: get('getI32'),
      setI32: set('setI32'), getString: get('getString'), setString: set('setString'), getBlob: get('getBlob'),
      setBlob: set('setBlob'),
      erase: (key) => void (rec('nvs.erase', name, key), store.delete(key)),
      eraseAll: () => void (rec('nvs.eraseAll', name), store.clear()),
      commit: () => void rec('nvs.commit', name),
      close: () => void rec('nvs.close', name),
    };
  };

  const host: Host = {
    crypto: {
      randomBytes: (n) => {
        rec('crypto.randomBytes', n);
        if (n < 0) throw new CryptoHostError('INVALID_ARGUMENT', 'negative length');
        return new Uint8Array(n).fill(0xaa);
      },
      sha256: (d) => (rec('crypto.sha256', d), new Uint8Array(32).fill(1)),
      sha512: (d) => (rec('crypto.sha512', d), new Uint8Array(64).fill(2)),
      hmacSha256: (k, d) => (rec('crypto.hmacSha256', k, d), new Uint8Array(32).fill(3)),
      x25519: (p, q) => (rec('crypto.x25519', p, q), new Uint8Array(32).fill(4)),
      aesCtr: (k, c) => (rec('crypto.aesCtr', k, c), aes(k[0])),
      aesGcmSeal: (k, iv, p, aad) => (rec('crypto.aesGcmSeal', k, iv, p, aad), new Uint8Array([...p, 0xee])),
      aesGcmOpen: (k, iv, c, aad) => (rec('crypto.aesGcmOpen', k, iv, c, aad), c.length > 1 ? c.subarray(0, c.length - 1) : undefined),
      // A Node Buffer on purpose: the codec must send its bytes, not Buffer.toJSON's shape.
      modPow: (b, e, m) => (rec('crypto.modPow', b, e, m), Buffer.from([7, 7])),
    },
    nvs: {
      open: (name, mode) => {
        rec('nvs.open', name, mode);
        if (name === 'full') throw new NvsError('NOT_ENOUGH_SPACE', 'fake partition is full');
        return namespace(name);
      },
    },
    ble: {
      start: (options, callbacks) => {
        rec('ble.start', options);
        captured.ble = callbacks;
        return GATT_HANDLES;
      },
      startAdvertising: (adv, scan, interval) => {
        rec('ble.startAdvertising', adv, scan, interval);
        if (adv.length > 31) throw new RangeError('advertising data longer than 31 bytes');
      },
      stopAdvertising: () => void rec('ble.stopAdvertising'),
      disconnect: (c) => void rec('ble.disconnect', c),
      completeWrite: (c, s) => void rec('ble.completeWrite', c, s),
      stop: () => void rec('ble.stop'),
    },
    wifi: {
      start: (callbacks) => {
        rec('wifi.start');
        captured.wifi = callbacks;
      },
      setMode: (mode) => void rec('wifi.setMode', mode),
      connect: (config) => void rec('wifi.connect', config),
      disconnect: () => void rec('wifi.disconnect'),
      scan: (options, done) => {
        rec('wifi.scan', options);
        if (scanning) throw new WifiHostError('BUSY', 'scan already running');
        scanning = true;
        captured.scanDone = (records, error) => {
          scanning = false;
          done(records, error);
        };
      },
      stationInfo: () => (rec('wifi.stationInfo'), undefined),
      mac: () => (rec('wifi.mac'), new Uint8Array([2, 0, 0, 0, 0, 1])),
    },
    socket: {
      connect: (options, callbacks) => {
        rec('socket.connect', options);
        if (options.host === 'nxdomain.invalid') throw new SocketError('DNS', 'name did not resolve');
        captured.connect = callbacks;
        return new FakeSocket('client', captured, calls);
      },
      listen: (options, callbacks) => {
        rec('socket.listen', options);
        captured.listener = callbacks;
        return { port: 8080, close: () => void rec('listener.close') };
      },
    },
    timers: {
      setTimeout: (cb, ms) => {
        rec('timers.setTimeout', ms);
        captured.timers.set(nextTimer, cb);
        return nextTimer++;
      },
      setInterval: (cb, ms) => {
        rec('timers.setInterval', ms);
        captured.timers.set(nextTimer, cb);
        return nextTimer++;
      },
      clear: (id) => {
        rec('timers.clear', id);
        captured.timers.delete(id);
      },
    },
    clock: { monotonicMs: () => (rec('clock.monotonicMs'), 1234.5), wallMs: () => (rec('clock.wallMs'), undefined) },
    log: { write: (level, tag, message) => void rec('log.write', level, tag, message) },
    device: {
      mac: () => (rec('device.mac'), new Uint8Array([2, 0x53, 0x49, 0x4d, 0, 1])),
      chipModel: () => (rec('device.chipModel'), 'sim'),
      restart: () => void rec('device.restart'),
      freeHeapBytes: () => (rec('device.freeHeapBytes'), 99_999),
    },
    button: { onEvent: (cb) => ((captured.button = cb), void rec('button.onEvent')) },
    uart: {
      open: (cb) => ((captured.uart = cb), void rec('uart.open')),
      write: (d) => void rec('uart.write', d),
      close: () => void rec('uart.close'),
    },
  };
  return { host, calls, captured };
}
