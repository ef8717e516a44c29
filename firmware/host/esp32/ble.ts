// ESP32 BLE peripheral host: firmware/host/ble.ts on the native NimBLE core (native/ble). The GATT table goes to
// C as one binary buffer (ble-table.ts); NimBLE events come back through the dispatcher below, which the binding
// calls on the XS task (modMessagePostToMachine). Writes arrive whole; a WRITE_PENDING answer is completed later
// by completeWrite (unified-provisioning.md §7.2).

import type { BleCallbacks, BlePeripheralHost, GattHandles, GattService } from '../ble';
import { ATT_ERR } from '../ble';
import { decodeGattHandles, encodeGattTable } from './ble-table';
import { isStatus } from './status';

// blec_msg_type (native/ble/ble_core.h)
const MSG_CONNECT = 1;
const MSG_DISCONNECT = 2;
const MSG_MTU = 3;
const MSG_WRITE = 4;
const MSG_READ = 5;
const ERR_RANGE = -2;

type Dispatch = (type: number, connection: number, a?: number | ArrayBuffer, b?: ArrayBuffer) => unknown;

class NativeBle extends Native('xs_nc_ble_destructor') {
  constructor(dispatch: Dispatch) {
    super();
    native('xs_nc_ble_constructor').call(this, dispatch);
  }
  start(table: Uint8Array, deviceName: string, preferredMtu: number): ArrayBuffer | number {
    return native('xs_nc_ble_start').call(this, table, deviceName, preferredMtu);
  }
  startAdvertising(adv: Uint8Array, rsp: Uint8Array, intervalMs: number): number {
    return native('xs_nc_ble_start_advertising').call(this, adv, rsp, intervalMs);
  }
  stopAdvertising(): number {
    return native('xs_nc_ble_stop_advertising').call(this);
  }
  disconnect(connection: number): number {
    return native('xs_nc_ble_disconnect').call(this, connection);
  }
  completeWrite(connection: number, status: number): void {
    native('xs_nc_ble_complete_write').call(this, connection, status);
  }
  stop(): number {
    return native('xs_nc_ble_stop').call(this);
  }
  lastStackError(): number {
    return native('xs_nc_ble_last_stack_error').call(this);
  }
}

export class Esp32BleHost implements BlePeripheralHost {
  #native: NativeBle | undefined;
  #callbacks: BleCallbacks | undefined;

  start(options: { services: GattService[]; deviceName: string; preferredMtu: number }, callbacks: BleCallbacks): GattHandles {
    if (this.#native) throw new Error('BLE peripheral already started');
    this.#callbacks = callbacks;
    this.#native = new NativeBle((type, connection, a, b) => this.#dispatch(type, connection, a, b));
    const result = this.#native.start(encodeGattTable(options.services), options.deviceName, options.preferredMtu);
    if (isStatus(result)) throw new Error(`BLE start failed (${result}, stack ${this.#native.lastStackError()})`);
    return decodeGattHandles(options.services, new Uint8Array(result));
  }

  #dispatch(type: number, connection: number, a?: number | ArrayBuffer, b?: ArrayBuffer): unknown {
    const callbacks = this.#callbacks;
    if (!callbacks) return ATT_ERR.UNLIKELY_ERROR;
    switch (type) {
      case MSG_CONNECT:
        callbacks.onConnect(connection, new Uint8Array(a as ArrayBuffer));
        return undefined;
      case MSG_DISCONNECT:
        callbacks.onDisconnect(connection, a as number);
        return undefined;
      case MSG_MTU:
        callbacks.onMtu(connection, a as number);
        return undefined;
      case MSG_WRITE:
        return callbacks.onWrite(connection, a as number, new Uint8Array(b as ArrayBuffer));
      case MSG_READ:
        // NimBLE applies the Read Blob offset itself (native/ble/ble_core.c): ask for the value from 0.
        return callbacks.onRead(connection, a as number, 0);
      default:
        return undefined;
    }
  }

  startAdvertising(advertisingData: Uint8Array, scanResponseData: Uint8Array, intervalMs: number): void {
    if (advertisingData.length > 31 || scanResponseData.length > 31) {
      throw new RangeError('advertising payloads are at most 31 bytes');
    }
    const status = this.#require().startAdvertising(advertisingData, scanResponseData, intervalMs);
    if (status === ERR_RANGE) throw new RangeError('advertising payloads are at most 31 bytes');
    if (status !== 0) throw new Error(`BLE advertising failed (${status})`);
  }

  stopAdvertising(): void {
    this.#require().stopAdvertising();
  }

  disconnect(connection: number): void {
    this.#require().disconnect(connection);
  }

  completeWrite(connection: number, status: number): void {
    this.#native?.completeWrite(connection, status);
  }

  stop(): void {
    const status = this.#native?.stop() ?? 0;
    this.#callbacks = undefined;
    if (status !== 0) throw new Error(`BLE stop failed (${status})`);
  }

  #require(): NativeBle {
    if (!this.#native) throw new Error('BLE peripheral not started');
    return this.#native;
  }
}
