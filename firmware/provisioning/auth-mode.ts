// Maps raw wifi_auth_mode_t values onto the 0..7 WifiAuthMode enum clients understand (unified-provisioning.md
// §7.1): IDF passes values >= 8 through and esp_prov then crashes indexing its 8-entry table (§11.5).
// The mapping answers the question a client asks: "which password prompt does this network need?".

/** ESP-IDF wifi_auth_mode_t (esp_wifi_types_generic.h, IDF v5.5); 0..7 are also the protocol's WifiAuthMode values,
 * 8 and up are raw values the protocol does not have. The simulator's Wi-Fi world reads its names from here. */
export const WIFI_AUTH_MODE = Object.freeze({
  OPEN: 0,
  WEP: 1,
  WPA_PSK: 2,
  WPA2_PSK: 3,
  WPA_WPA2_PSK: 4,
  WPA2_ENTERPRISE: 5,
  WPA3_PSK: 6,
  WPA2_WPA3_PSK: 7,
  WAPI_PSK: 8,
  OWE: 9,
  WPA3_ENT_192: 10,
  WPA3_EXT_PSK: 11,
  WPA3_EXT_PSK_MIXED_MODE: 12,
  DPP: 13,
  WPA3_ENTERPRISE: 14,
  WPA2_WPA3_ENTERPRISE: 15,
  WPA_ENTERPRISE: 16,
} as const);

const { OPEN, WPA2_PSK, WPA2_ENTERPRISE, WPA3_PSK } = WIFI_AUTH_MODE;

export function clampAuthMode(raw: number): number {
  if (Number.isInteger(raw) && raw >= 0 && raw <= 7) return raw;
  switch (raw) {
    case WIFI_AUTH_MODE.OWE:
      return OPEN; // opportunistic encryption: no passphrase to ask for
    case WIFI_AUTH_MODE.WAPI_PSK:
      return WPA2_PSK; // a pre-shared passphrase, like WPA2-PSK
    case WIFI_AUTH_MODE.WPA3_EXT_PSK:
    case WIFI_AUTH_MODE.WPA3_EXT_PSK_MIXED_MODE:
    case WIFI_AUTH_MODE.DPP:
      return WPA3_PSK; // IDF documents EXT_PSK as "same result as WPA3_PSK"; DPP networks are SAE-based
    case WIFI_AUTH_MODE.WPA3_ENT_192:
    case WIFI_AUTH_MODE.WPA3_ENTERPRISE:
    case WIFI_AUTH_MODE.WPA2_WPA3_ENTERPRISE:
    case WIFI_AUTH_MODE.WPA_ENTERPRISE:
      return WPA2_ENTERPRISE; // the only enterprise value the protocol has
    default:
      // Unknown future modes: claim "secured with a passphrase" rather than Open, so an app still asks for one.
      return WPA2_PSK;
  }
}
