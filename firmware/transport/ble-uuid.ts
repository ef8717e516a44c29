// BLE naming helpers for the provisioning service: 128-bit UUID text <-> on-air bytes, per-endpoint characteristic
// UUIDs and the default device name (unified-provisioning.md §9.1 "Service UUID", "Characteristic UUIDs",
// "Name convention"). Pure functions, shared with host tools (provisioning client, simulator tests).

/** ESP-IDF's default provisioning service UUID (wifi_prov_mgr / network_provisioning). */
export const DEFAULT_SERVICE_UUID = '1775244d-6b43-439b-877c-060f2d9bed07';

/** Base UUID of IDF <= v4.0 ("legacy 16-bit mode"): its characteristics look like 16-bit UUIDs 0xFF5x. */
export const LEGACY_SERVICE_UUID = '0000ffff-0000-1000-8000-00805f9b34fb';

/** The prefix the IDF example and the phone apps use for device names (§9.1 "Name convention"). */
export const DEFAULT_NAME_PREFIX = 'PROV_';

/** Longest device name the reference accepts (MAX_BLE_DEVNAME_LEN, §9.1 "Name and manufacturer data"). */
export const MAX_DEVICE_NAME_BYTES = 29;

const UUID_PATTERN = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
const HEX = '0123456789abcdef';

/** Parses canonical UUID text into the 16 bytes in on-air order (least significant byte first).
 * Returns undefined for anything but the 36-character 8-4-4-4-12 form. */
export function parseUuid128(text: string): Uint8Array | undefined {
  if (!UUID_PATTERN.test(text)) return undefined;
  const digits = text.replace(/-/g, '').toLowerCase();
  const out = new Uint8Array(16);
  // Canonical text is most significant byte first; the air (and NimBLE's ble_uuid128_t) is the reverse.
  for (let i = 0; i < 16; i++) out[15 - i] = parseInt(digits.slice(2 * i, 2 * i + 2), 16);
  return out;
}

/** Formats 16 on-air (LSB-first) bytes as canonical lowercase UUID text. */
export function formatUuid128(lsbFirst: Uint8Array): string {
  if (lsbFirst.length !== 16) throw new RangeError('a 128-bit UUID has 16 bytes');
  let hex = '';
  for (let i = 15; i >= 0; i--) hex += HEX[lsbFirst[i] >> 4] + HEX[lsbFirst[i] & 15];
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** An endpoint's characteristic UUID: the service UUID (LSB-first) with bytes 12..13 replaced by the endpoint's
 * 16-bit id, little-endian. In canonical text that replaces the 4 hex digits after the first two (§9.1). */
export function characteristicUuid128(serviceLsbFirst: Uint8Array, endpointId: number): Uint8Array {
  if (serviceLsbFirst.length !== 16) throw new RangeError('a 128-bit UUID has 16 bytes');
  if (!Number.isInteger(endpointId) || endpointId < 0 || endpointId > 0xffff) throw new RangeError('endpoint id is 16-bit');
  const out = serviceLsbFirst.slice();
  out[12] = endpointId & 0xff;
  out[13] = endpointId >> 8;
  return out;
}

/** The endpoint id a characteristic UUID carries (bytes 12..13, little-endian): how the reference matches a write
 * to an endpoint (§9.1: "The device matches an incoming write to an endpoint by bytes 12–13 only"). */
export function endpointIdOf(characteristicLsbFirst: Uint8Array): number {
  return characteristicLsbFirst[12] | (characteristicLsbFirst[13] << 8);
}

/** `PROV_` + the last three MAC bytes in upper-case hex, e.g. PROV_261FCC (IDF example get_device_service_name). */
export function defaultDeviceName(mac: Uint8Array, prefix: string = DEFAULT_NAME_PREFIX): string {
  if (mac.length !== 6) throw new RangeError('a MAC address has 6 bytes');
  let suffix = '';
  for (let i = 3; i < 6; i++) suffix += (HEX[mac[i] >> 4] + HEX[mac[i] & 15]).toUpperCase();
  return prefix + suffix;
}
