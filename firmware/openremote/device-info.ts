// DeviceInfo for or-cfg (openremote.md §1.2 Response.DeviceInfo, §1.5 steps 2–5, §3.2–3.3).
// device_id: the 6-byte base (Wi-Fi station) MAC as 12 UPPER-case hex digits, no separators, e.g. "A4CF12B3C4D5".
// It is stable across reboots and re-flashing (eFuse), unique per chip, and already valid as an OpenRemote user
// name after the app lower-cases it (§1.5 step 5: user = device_id.lowercased(), which becomes the MQTT client id
// and topic token 2, §4.3) — hex digits need no escaping anywhere. The backend receives the upper-case form as
// `deviceId` in POST /rest/device and lower-cases it for the service user (§3.3).
import { toHex } from '../util/bytes';

export function deviceIdFromMac(mac: Uint8Array): string {
  if (mac.length !== 6) throw new RangeError('the base MAC must be 6 bytes');
  return toHex(mac).toUpperCase();
}

/** model_name: the product's model from build configuration; the backend picks the asset type from it (§3.1). */
export function checkModelName(modelName: string): string {
  if (typeof modelName !== 'string' || modelName.length === 0 || modelName.length > 64) {
    throw new RangeError('modelName must be 1..64 characters (build configuration)');
  }
  return modelName;
}
