// The binary GATT table and handle list exchanged with the native BLE binding (firmware/host/esp32/ble-table.ts;
// format native/ble/ble_table.h, whose C parser is tested in native/tests/test_ble.c with the same layout).
import { describe, expect, it } from 'vitest';
import { GATT_PROP, type GattService } from '../../firmware/host/ble';
import { decodeGattHandles, encodeGattTable } from '../../firmware/host/esp32/ble-table';
import { decodeScanRecords, SCAN_RECORD_BYTES } from '../../firmware/host/esp32/wifi-records';

const uuid = (last: number) => Uint8Array.from({ length: 16 }, (_, i) => (i === 15 ? last : i));
const services: GattService[] = [
  {
    uuid128: uuid(0x10),
    characteristics: [
      {
        uuid128: uuid(0x11),
        properties: GATT_PROP.READ | GATT_PROP.WRITE,
        maxLength: 512,
        descriptors: [{ uuid16: 0x2901, value: new TextEncoder().encode('abc') }],
      },
      { uuid128: uuid(0x12), properties: GATT_PROP.NOTIFY, maxLength: 20, descriptors: [] },
    ],
  },
];

describe('GATT table encoding', () => {
  it('lays out services, characteristics and descriptors as ble_table.h specifies', () => {
    const t = encodeGattTable(services);
    const expected = [
      1, ...uuid(0x10), 2,
      ...uuid(0x11), 0x0a, 0x00, 0x02, 1, 0x01, 0x29, 3, 0, 0x61, 0x62, 0x63,
      ...uuid(0x12), 0x10, 20, 0, 0,
    ];
    expect(Array.from(t)).toEqual(expected);
  });

  it('refuses values the format cannot carry', () => {
    expect(() => encodeGattTable([{ ...services[0]!, uuid128: new Uint8Array(2) }])).toThrow(RangeError);
    const big = { ...services[0]!.characteristics[0]!, maxLength: 70000 };
    expect(() => encodeGattTable([{ uuid128: uuid(1), characteristics: [big] }])).toThrow(RangeError);
  });

  it('decodes the handle list in table order and rejects a wrong length', () => {
    const raw = new Uint8Array([10, 0, 16, 0, 12, 0, 13, 0, 15, 0]);
    expect(decodeGattHandles(services, raw)).toEqual({
      service: [{ start: 10, end: 16 }],
      characteristics: [[{ value: 12, descriptors: [13] }, { value: 15, descriptors: [] }]],
    });
    expect(() => decodeGattHandles(services, raw.subarray(0, 8))).toThrow(RangeError);
    expect(() => decodeGattHandles(services, new Uint8Array([...raw, 0, 0]))).toThrow(RangeError);
  });
});

describe('Wi-Fi scan records from the native binding', () => {
  it('decodes SSID (NUL padded), BSSID, channel, signed RSSI and auth mode', () => {
    const r = new Uint8Array(SCAN_RECORD_BYTES * 2);
    r.set(new TextEncoder().encode('HomeNet'), 0);
    r.set([1, 2, 3, 4, 5, 6], 33);
    r[39] = 6;
    r[40] = 0xd3; // -45
    r[41] = 3;
    r.fill(0x41, SCAN_RECORD_BYTES, SCAN_RECORD_BYTES + 32); // 32-byte SSID, no terminator inside the field
    const [a, b] = decodeScanRecords(r);
    expect(new TextDecoder().decode(a!.ssid)).toBe('HomeNet');
    expect(Array.from(a!.bssid)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(a!.channel).toBe(6);
    expect(a!.rssi).toBe(-45);
    expect(a!.auth).toBe(3);
    expect(b!.ssid.length).toBe(32);
    expect(() => decodeScanRecords(new Uint8Array(41))).toThrow(RangeError);
  });
});
