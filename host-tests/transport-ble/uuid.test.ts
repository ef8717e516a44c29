// BLE naming helpers against unified-provisioning.md §9.1 (examples computed in the spec) and the advertising
// payload rules (flags + one 128-bit UUID; name + truncated manufacturer data in the scan response).
import { describe, expect, it } from 'vitest';
import { buildAdvertisingData, buildScanResponse } from '../../firmware/transport/ble-adv';
import {
  characteristicUuid128,
  DEFAULT_SERVICE_UUID,
  defaultDeviceName,
  endpointIdOf,
  formatUuid128,
  LEGACY_SERVICE_UUID,
  parseUuid128,
} from '../../firmware/transport/ble-uuid';
import { provisioningEndpoints } from '../../firmware/transport/ble';
import { parseAdStructures } from '../../tools/sim/ble/ad';

const derive = (service: string, id: number) => formatUuid128(characteristicUuid128(parseUuid128(service)!, id));

describe('service and characteristic UUIDs (§9.1)', () => {
  it('parses the default service UUID into the LSB-first bytes the spec lists', () => {
    expect(Buffer.from(parseUuid128(DEFAULT_SERVICE_UUID)!).toString('hex')).toBe('07ed9b2d0f067c879b43436b4d247517');
  });

  it('derives the default-service characteristic UUIDs', () => {
    expect(derive(DEFAULT_SERVICE_UUID, 0xff51)).toBe('1775ff51-6b43-439b-877c-060f2d9bed07');
    expect(derive(DEFAULT_SERVICE_UUID, 0xff52)).toBe('1775ff52-6b43-439b-877c-060f2d9bed07');
    expect(derive(DEFAULT_SERVICE_UUID, 0xff53)).toBe('1775ff53-6b43-439b-877c-060f2d9bed07');
    expect(derive(DEFAULT_SERVICE_UUID, 0xff50)).toBe('1775ff50-6b43-439b-877c-060f2d9bed07');
    expect(derive(DEFAULT_SERVICE_UUID, 0xff4f)).toBe('1775ff4f-6b43-439b-877c-060f2d9bed07');
    expect(derive(DEFAULT_SERVICE_UUID, 0xff54)).toBe('1775ff54-6b43-439b-877c-060f2d9bed07');
  });

  it('derives the IDF example service characteristic UUIDs', () => {
    expect(derive('021a9004-0382-4aea-bff4-6b3f1c5adfb4', 0xff51)).toBe('021aff51-0382-4aea-bff4-6b3f1c5adfb4');
  });

  it('gives the 16-bit-looking UUIDs in legacy mode', () => {
    expect(Buffer.from(parseUuid128(LEGACY_SERVICE_UUID)!).toString('hex')).toBe('fb349b5f8000008000100000ffff0000');
    expect(derive(LEGACY_SERVICE_UUID, 0xff51)).toBe('0000ff51-0000-1000-8000-00805f9b34fb');
    expect(derive(LEGACY_SERVICE_UUID, 0xff53)).toBe('0000ff53-0000-1000-8000-00805f9b34fb');
  });

  it('round-trips text and reads the endpoint id back from bytes 12..13', () => {
    const c = characteristicUuid128(parseUuid128(DEFAULT_SERVICE_UUID)!, 0xff55);
    expect(c[12]).toBe(0x55);
    expect(c[13]).toBe(0xff);
    expect(endpointIdOf(c)).toBe(0xff55);
    expect(formatUuid128(parseUuid128('021A9004-0382-4AEA-BFF4-6B3F1C5ADFB4')!)).toBe('021a9004-0382-4aea-bff4-6b3f1c5adfb4');
  });

  it('rejects malformed UUID text', () => {
    for (const bad of ['', '1775244d6b43439b877c060f2d9bed07', '1775244d-6b43-439b-877c-060f2d9bed0', '1775244d-6b43-439b-877c-060f2d9bed0g', ' 1775244d-6b43-439b-877c-060f2d9bed07']) {
      expect(parseUuid128(bad)).toBeUndefined();
    }
    expect(() => characteristicUuid128(new Uint8Array(15), 1)).toThrow(RangeError);
    expect(() => characteristicUuid128(new Uint8Array(16), 0x10000)).toThrow(RangeError);
  });

  it('orders endpoints as the reference and numbers custom endpoints from 0xFF54', () => {
    expect(provisioningEndpoints(['custom-data', 'or-cfg'])).toEqual([
      { name: 'prov-ctrl', id: 0xff4f },
      { name: 'prov-scan', id: 0xff50 },
      { name: 'prov-session', id: 0xff51 },
      { name: 'prov-config', id: 0xff52 },
      { name: 'proto-ver', id: 0xff53 },
      { name: 'custom-data', id: 0xff54 },
      { name: 'or-cfg', id: 0xff55 },
    ]);
  });
});

describe('device name and advertising payloads', () => {
  it('names the device PROV_ + last three MAC bytes in upper-case hex', () => {
    expect(defaultDeviceName(Uint8Array.from([0x24, 0x0a, 0xc4, 0x26, 0x1f, 0xcc]))).toBe('PROV_261FCC');
    expect(defaultDeviceName(Uint8Array.from([0, 0, 0, 0x33, 0x54, 0x40]), 'OR_')).toBe('OR_335440');
  });

  it('advertises flags 0x06 and exactly one complete 128-bit UUID list', () => {
    const adv = buildAdvertisingData(parseUuid128(DEFAULT_SERVICE_UUID)!);
    expect(Buffer.from(adv).toString('hex')).toBe('020106' + '1107' + '07ed9b2d0f067c879b43436b4d247517');
    const parsed = parseAdStructures(adv);
    expect(parsed.flags).toBe(6);
    expect(parsed.serviceUuids).toEqual([DEFAULT_SERVICE_UUID]);
  });

  it('puts the complete local name and manufacturer data in the scan response', () => {
    const r = buildScanResponse('PROV_261FCC', Uint8Array.from([0xe5, 0x02, 1, 2, 3]));
    expect(Buffer.from(r.data).toString('hex')).toBe('0c09' + Buffer.from('PROV_261FCC').toString('hex') + '06ffe502010203');
    expect(r.data.length).toBeLessThanOrEqual(31);
  });

  it('truncates manufacturer data so that name + 2 + mfg <= 29, and drops it when nothing fits', () => {
    const mfg = Uint8Array.from({ length: 40 }, (_, i) => i);
    const name11 = buildScanResponse('PROV_261FCC', mfg);
    expect(name11.manufacturerBytes).toBe(29 - 11 - 2);
    expect(name11.data.length).toBe(31);
    const name27 = buildScanResponse('x'.repeat(27), mfg);
    expect(name27.manufacturerBytes).toBe(0);
    expect(name27.data.length).toBe(29);
    const name29 = buildScanResponse('y'.repeat(29), mfg);
    expect(name29.manufacturerBytes).toBe(0);
    expect(parseAdStructures(name29.data).localName).toBe('y'.repeat(29));
  });

  it('refuses empty names and names over 29 bytes (UTF-8)', () => {
    expect(() => buildScanResponse('')).toThrow(RangeError);
    expect(() => buildScanResponse('z'.repeat(30))).toThrow(RangeError);
    expect(() => buildScanResponse('é'.repeat(15))).toThrow(RangeError); // 30 bytes
    expect(buildScanResponse('é'.repeat(14)).data.length).toBe(30);
  });
});
