// Decoder of the Wi-Fi scan / station records the native binding returns (layout in native/wifi/wifi_xs.c:
// ssid[33] NUL padded | bssid[6] | channel u8 | rssi i8 | auth u8). Pure, unit-tested on Node
// (host-tests/native/ble-table.test.ts).

import type { WifiScanRecord } from '../wifi';

export const SCAN_RECORD_BYTES = 42;

/** Decodes the binding's 42-byte scan records (layout in native/wifi/wifi_xs.c). */
export function decodeScanRecords(raw: Uint8Array): WifiScanRecord[] {
  if (raw.length % SCAN_RECORD_BYTES !== 0) throw new RangeError('scan records: bad length');
  const records: WifiScanRecord[] = [];
  for (let off = 0; off < raw.length; off += SCAN_RECORD_BYTES) {
    records.push(decodeRecord(raw.subarray(off, off + SCAN_RECORD_BYTES)));
  }
  return records;
}

export function decodeRecord(r: Uint8Array): WifiScanRecord {
  let ssidLength = 0;
  while (ssidLength < 32 && r[ssidLength] !== 0) ssidLength++;
  return {
    ssid: r.slice(0, ssidLength),
    bssid: r.slice(33, 39),
    channel: r[39]!,
    rssi: (r[40]! << 24) >> 24, // int8
    auth: r[41]!,
  };
}

