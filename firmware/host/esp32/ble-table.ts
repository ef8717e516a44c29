// Binary GATT table exchanged with the native BLE binding (format: native/ble/ble_table.h) and the decoder of
// the handle list the binding returns. Pure functions, unit-tested on Node (host-tests/native/ble-table.test.ts)
// and parsed by the C side's tested parser (native/tests/test_ble.c).

import type { GattHandles, GattService } from '../ble';

export function encodeGattTable(services: GattService[]): Uint8Array {
  const out: number[] = [];
  const u8 = (v: number, what: string) => {
    if (!Number.isInteger(v) || v < 0 || v > 0xff) throw new RangeError(`GATT table: ${what} out of range`);
    out.push(v);
  };
  const u16 = (v: number, what: string) => {
    if (!Number.isInteger(v) || v < 0 || v > 0xffff) throw new RangeError(`GATT table: ${what} out of range`);
    out.push(v & 0xff, v >> 8);
  };
  const uuid = (u: Uint8Array) => {
    if (u.length !== 16) throw new RangeError('GATT table: 128-bit UUIDs are 16 bytes');
    for (const b of u) out.push(b);
  };
  u8(services.length, 'service count');
  for (const service of services) {
    uuid(service.uuid128);
    u8(service.characteristics.length, 'characteristic count');
    for (const c of service.characteristics) {
      uuid(c.uuid128);
      u8(c.properties, 'properties');
      u16(c.maxLength, 'maxLength');
      u8(c.descriptors.length, 'descriptor count');
      for (const d of c.descriptors) {
        u16(d.uuid16, 'descriptor UUID');
        u16(d.value.length, 'descriptor length');
        for (const b of d.value) out.push(b);
      }
    }
  }
  return new Uint8Array(out);
}

/** Handles as returned by the binding: per service start,end; then per characteristic value + descriptors. */
export function decodeGattHandles(services: GattService[], raw: Uint8Array): GattHandles {
  let i = 0;
  const next = (): number => {
    if (i + 2 > raw.length) throw new RangeError('GATT handles: truncated');
    const v = raw[i]! | (raw[i + 1]! << 8);
    i += 2;
    return v;
  };
  const service = services.map(() => ({ start: next(), end: next() }));
  const characteristics = services.map((s) =>
    s.characteristics.map((c) => ({ value: next(), descriptors: c.descriptors.map(() => next()) })),
  );
  if (i !== raw.length) throw new RangeError('GATT handles: trailing bytes');
  return { service, characteristics };
}
