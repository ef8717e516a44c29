// The simulated peripheral's attribute database: the handle-ordered attribute list NimBLE builds from
// ble_gatts_add_svcs, with the GAP (0x1800) and GATT (0x1801) services NimBLE always registers first
// (ble_svc_gap_init / ble_svc_gatt_init), then the firmware's services (firmware/host/ble.ts GattService).
import type { GattHandles, GattService } from '../../../firmware/host/ble';
import { GATT_UUID, u16, uuid16Bytes } from './att';

export type AttributeKind = 'service' | 'characteristic' | 'value' | 'descriptor';

export interface Attribute {
  handle: number;
  /** Attribute type: 2 or 16 bytes, LSB first. */
  type: Uint8Array;
  kind: AttributeKind;
  readable: boolean;
  writable: boolean;
  /** Static value served by the host (declarations, 0x2901 names, GAP characteristics). */
  value?: Uint8Array;
  /** Service declarations: last handle of the group. */
  groupEnd?: number;
  /** Firmware characteristic values: served through the firmware's onRead/onWrite callbacks. */
  firmware?: { maxLength: number };
  /** A Client Characteristic Configuration descriptor (value kept per connection, 2 bytes). */
  cccd?: boolean;
}

const PROP = { READ: 0x02, WRITE_NO_RESPONSE: 0x04, WRITE: 0x08, INDICATE: 0x20 };

export interface GattDatabase {
  attributes: Attribute[];
  byHandle: Map<number, Attribute>;
  firmwareHandles: GattHandles;
}

export function buildGattDatabase(services: GattService[], deviceName: string): GattDatabase {
  const attributes: Attribute[] = [];
  const add = (a: Omit<Attribute, 'handle'>): Attribute => {
    const attr = { ...a, handle: attributes.length + 1 };
    attributes.push(attr);
    return attr;
  };
  const service = (uuid: Uint8Array) => add({ type: uuid16Bytes(GATT_UUID.PRIMARY_SERVICE), kind: 'service', readable: true, writable: false, value: uuid });
  const declaration = (properties: number, uuid: Uint8Array) => {
    // The value handle is the declaration's handle + 1 (NimBLE layout).
    const valueHandle = attributes.length + 2;
    return add({ type: uuid16Bytes(GATT_UUID.CHARACTERISTIC), kind: 'characteristic', readable: true, writable: false, value: Uint8Array.from([properties, ...u16(valueHandle), ...uuid]) });
  };

  // GAP service: Device Name and Appearance, read-only static values.
  const gap = service(uuid16Bytes(GATT_UUID.GAP_SERVICE));
  declaration(PROP.READ, uuid16Bytes(GATT_UUID.DEVICE_NAME));
  add({ type: uuid16Bytes(GATT_UUID.DEVICE_NAME), kind: 'value', readable: true, writable: false, value: new TextEncoder().encode(deviceName) });
  declaration(PROP.READ, uuid16Bytes(GATT_UUID.APPEARANCE));
  add({ type: uuid16Bytes(GATT_UUID.APPEARANCE), kind: 'value', readable: true, writable: false, value: new Uint8Array(2) });
  gap.groupEnd = attributes.length;
  // GATT service: Service Changed (indicate only, not readable) + its CCCD.
  const gatt = service(uuid16Bytes(GATT_UUID.GATT_SERVICE));
  declaration(PROP.INDICATE, uuid16Bytes(GATT_UUID.SERVICE_CHANGED));
  add({ type: uuid16Bytes(GATT_UUID.SERVICE_CHANGED), kind: 'value', readable: false, writable: false, value: new Uint8Array(4) });
  add({ type: uuid16Bytes(GATT_UUID.CCCD), kind: 'descriptor', readable: true, writable: true, cccd: true });
  gatt.groupEnd = attributes.length;

  const firmwareHandles: GattHandles = { service: [], characteristics: [] };
  for (const s of services) {
    if (s.uuid128.length !== 16) throw new RangeError('service UUID must be 16 bytes');
    const decl = service(s.uuid128.slice());
    const chars: { value: number; descriptors: number[] }[] = [];
    for (const c of s.characteristics) {
      if (c.uuid128.length !== 16) throw new RangeError('characteristic UUID must be 16 bytes');
      if (!Number.isInteger(c.maxLength) || c.maxLength < 0 || c.maxLength > 0xffff) throw new RangeError('maxLength must be 0..65535');
      declaration(c.properties, c.uuid128);
      const value = add({
        type: c.uuid128.slice(),
        kind: 'value',
        readable: (c.properties & PROP.READ) !== 0,
        writable: (c.properties & (PROP.WRITE | PROP.WRITE_NO_RESPONSE)) !== 0,
        firmware: { maxLength: c.maxLength },
      });
      const descriptors = c.descriptors.map((d) => {
        // Static descriptors are read-only (0x2901 user description): a write gets 0x03.
        return add({ type: uuid16Bytes(d.uuid16), kind: 'descriptor', readable: true, writable: false, value: d.value.slice() }).handle;
      });
      chars.push({ value: value.handle, descriptors });
    }
    decl.groupEnd = attributes.length;
    firmwareHandles.service.push({ start: decl.handle, end: decl.groupEnd });
    firmwareHandles.characteristics.push(chars);
  }
  if (attributes.length > 0xffff) throw new RangeError('GATT table exceeds the 16-bit handle space');
  return { attributes, byHandle: new Map(attributes.map((a) => [a.handle, a])), firmwareHandles };
}
