// Advertising payloads of the BLE provisioning transport (unified-provisioning.md §9.1 "Advertisement",
// "Name and manufacturer data"). The advertising packet carries flags + the service UUID; the scan response carries
// the complete local name and the (possibly truncated) manufacturer data. Each is one legacy 31-byte AD payload.
import { utf8Encode } from '../util/bytes';
import { MAX_DEVICE_NAME_BYTES } from './ble-uuid';

/** AD types (Bluetooth Assigned Numbers, "Common Data Types"). */
export const AD_TYPE = Object.freeze({
  FLAGS: 0x01,
  COMPLETE_UUID128_LIST: 0x07,
  COMPLETE_LOCAL_NAME: 0x09,
  MANUFACTURER_SPECIFIC: 0xff,
} as const);

/** LE General Discoverable | BR/EDR not supported. */
export const AD_FLAGS_GENERAL_DISCOVERABLE_NO_BREDR = 0x06;

/** Legacy advertising payload size. */
export const MAX_LEGACY_AD_BYTES = 31;

/** The reference's bound for name + manufacturer data: name + 2 + mfg <= 29 (MAX_BLE_MANUFACTURER_DATA_LEN). */
const NAME_PLUS_MANUFACTURER_LIMIT = 29;

/** Flags 0x06 + the complete list of 128-bit service UUIDs holding exactly one UUID (21 bytes). Clients take the
 * service UUID from here: esp_prov only if exactly one UUID is listed, Android takes the first. */
export function buildAdvertisingData(serviceUuidLsbFirst: Uint8Array): Uint8Array {
  if (serviceUuidLsbFirst.length !== 16) throw new RangeError('a 128-bit UUID has 16 bytes');
  const out = new Uint8Array(3 + 2 + 16);
  out.set([2, AD_TYPE.FLAGS, AD_FLAGS_GENERAL_DISCOVERABLE_NO_BREDR], 0);
  out.set([17, AD_TYPE.COMPLETE_UUID128_LIST], 3);
  out.set(serviceUuidLsbFirst, 5);
  return out;
}

export interface ScanResponse {
  data: Uint8Array;
  /** How many manufacturer-data bytes were kept (0 when dropped or not given). */
  manufacturerBytes: number;
}

/** Complete Local Name, then Manufacturer Specific Data if any fits. The manufacturer data (company id first) is
 * truncated so that name + 2 + mfg <= 29 and dropped if nothing fits, as scheme_ble.c set_config_service does.
 * Throws RangeError for an empty name or a name over 29 UTF-8 bytes. */
export function buildScanResponse(deviceName: string, manufacturerData?: Uint8Array): ScanResponse {
  const name = utf8Encode(deviceName);
  if (name.length === 0 || name.length > MAX_DEVICE_NAME_BYTES) {
    throw new RangeError(`BLE device name must be 1..${MAX_DEVICE_NAME_BYTES} UTF-8 bytes`);
  }
  const room = NAME_PLUS_MANUFACTURER_LIMIT - (name.length + 2);
  const mfgLength = manufacturerData ? Math.max(0, Math.min(manufacturerData.length, room)) : 0;
  const out = new Uint8Array(2 + name.length + (mfgLength > 0 ? 2 + mfgLength : 0));
  out[0] = name.length + 1;
  out[1] = AD_TYPE.COMPLETE_LOCAL_NAME;
  out.set(name, 2);
  if (manufacturerData && mfgLength > 0) {
    const at = 2 + name.length;
    out[at] = mfgLength + 1;
    out[at + 1] = AD_TYPE.MANUFACTURER_SPECIFIC;
    out.set(manufacturerData.subarray(0, mfgLength), at + 2);
  }
  return { data: out, manufacturerBytes: mfgLength };
}
