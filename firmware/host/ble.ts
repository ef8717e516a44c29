// BLE peripheral host: a GATT server whose table and attribute values are owned by TypeScript.
// ESP32: NimBLE (ble_gatts_add_svcs from the table below, ble_gap_adv_*). The C side only moves ATT payloads:
// it registers the table, forwards every characteristic write (the WHOLE write, flattened with
// OS_MBUF_PKTLEN + os_mbuf_copydata, after NimBLE reassembled any prepare/execute queue; never only the first mbuf,
// see moddable-xs.md §3.1) and every read to the callbacks, and answers with what they return.
// Simulator: tools/sim/ble models ATT (MTU, prepare/execute queue, read blob offsets, error codes, latency).
//
// Contract:
// - start() registers the table once; handles are assigned by the host and returned in the same order.
// - Descriptors with a static value (e.g. 0x2901 user description) are served by the host; characteristic values
//   are not cached by the host: every Read / Read Blob calls onRead(offset) and every write calls onWrite.
// - onWrite runs synchronously inside the ATT transaction; its return is the ATT status (0 = success) sent in the
//   Write Response (or Execute Write Response). A long write reaches onWrite once, reassembled.
//   It may instead return WRITE_PENDING: the host then holds the Write Response until the firmware calls
//   completeWrite(connection, status) (ESP32: the NimBLE task waits on a semaphore, as IDF's blocking Wi-Fi scan
//   blocks its transport task; unified-provisioning.md §7.2). A link drop while pending discards the completion.
// - onRead returns the value from `offset` on; the host sends at most MTU-1 bytes of it. Returning a number is an
//   ATT error code. Offset past the end is answered by the host with ATT_ERR_INVALID_OFFSET (0x07).
// - At most one central at a time: while one is connected the host does not advertise and refuses others.
// - stop() terminates any link, stops advertising, deinitialises the stack and releases controller memory
//   (ESP32: nimble_port_deinit + esp_bt_mem_release(ESP_BT_MODE_BLE)); the peripheral cannot be restarted
//   until reboot after release.

export const ATT_ERR = Object.freeze({
  INVALID_HANDLE: 0x01,
  READ_NOT_PERMITTED: 0x02,
  WRITE_NOT_PERMITTED: 0x03,
  INVALID_PDU: 0x04,
  INSUFFICIENT_AUTHENTICATION: 0x05,
  REQUEST_NOT_SUPPORTED: 0x06,
  INVALID_OFFSET: 0x07,
  PREPARE_QUEUE_FULL: 0x09,
  ATTRIBUTE_NOT_FOUND: 0x0a,
  ATTRIBUTE_NOT_LONG: 0x0b,
  INVALID_ATTRIBUTE_VALUE_LENGTH: 0x0d,
  UNLIKELY_ERROR: 0x0e,
} as const);

/** Characteristic property bits (Core spec Vol 3 Part G §3.3.1.1). */
export const GATT_PROP = Object.freeze({ READ: 0x02, WRITE_NO_RESPONSE: 0x04, WRITE: 0x08, NOTIFY: 0x10 } as const);

/** Returned by onWrite to defer the Write Response until completeWrite(). */
export const WRITE_PENDING = -1;

export interface GattDescriptor {
  /** 16-bit UUID, e.g. 0x2901. */
  uuid16: number;
  /** Static, read-only value served by the host. */
  value: Uint8Array;
}

export interface GattCharacteristic {
  /** 128-bit UUID, 16 bytes, LSB first (the order in which it appears on the air). */
  uuid128: Uint8Array;
  properties: number;
  /** Longest value accepted by a write (reassembled); longer writes are answered with 0x0D by the host. */
  maxLength: number;
  descriptors: GattDescriptor[];
}

export interface GattService {
  uuid128: Uint8Array;
  characteristics: GattCharacteristic[];
}

/** Handles assigned by the host: one value handle per characteristic, one handle per descriptor, in table order. */
export interface GattHandles {
  service: { start: number; end: number }[];
  characteristics: { value: number; descriptors: number[] }[][];
}

export interface BleCallbacks {
  onConnect(connection: number, peerAddress: Uint8Array): void;
  onDisconnect(connection: number, reason: number): void;
  onMtu(connection: number, mtu: number): void;
  onWrite(connection: number, valueHandle: number, data: Uint8Array): number;
  onRead(connection: number, valueHandle: number, offset: number): Uint8Array | number;
}

export interface BlePeripheralHost {
  /** Initialises the stack and registers the GATT table. Throws if called twice. */
  start(options: { services: GattService[]; deviceName: string; preferredMtu: number }, callbacks: BleCallbacks): GattHandles;
  /** Legacy advertising: each payload is raw AD structures, at most 31 bytes (throws RangeError otherwise). */
  startAdvertising(advertisingData: Uint8Array, scanResponseData: Uint8Array, intervalMs: number): void;
  stopAdvertising(): void;
  disconnect(connection: number): void;
  /** Sends the Write Response held by an onWrite that returned WRITE_PENDING. Ignored if the link is gone. */
  completeWrite(connection: number, status: number): void;
  /** Deinit + release controller memory; see contract above. */
  stop(): void;
}
