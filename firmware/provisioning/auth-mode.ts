// Maps raw wifi_auth_mode_t values onto the 0..7 WifiAuthMode enum clients understand (unified-provisioning.md
// §7.1): IDF passes values >= 8 through and esp_prov then crashes indexing its 8-entry table (§11.5).
// The mapping answers the question a client asks: "which password prompt does this network need?".

/** Raw ESP-IDF wifi_auth_mode_t values above the protocol's range (esp_wifi_types_generic.h, IDF v5.5). */
export const RAW_AUTH = {
  WAPI_PSK: 8,
  OWE: 9,
  WPA3_ENT_192: 10,
  WPA3_EXT_PSK: 11,
  WPA3_EXT_PSK_MIXED_MODE: 12,
  DPP: 13,
  WPA3_ENTERPRISE: 14,
  WPA2_WPA3_ENTERPRISE: 15,
  WPA_ENTERPRISE: 16,
} as const;

const OPEN = 0;
const WPA2_PSK = 3;
const WPA2_ENTERPRISE = 5;
const WPA3_PSK = 6;

export function clampAuthMode(raw: number): number {
  if (Number.isInteger(raw) && raw >= 0 && raw <= 7) return raw;
  switch (raw) {
    case RAW_AUTH.OWE:
      return OPEN; // opportunistic encryption: no passphrase to ask for
    case RAW_AUTH.WAPI_PSK:
      return WPA2_PSK; // a pre-shared passphrase, like WPA2-PSK
    case RAW_AUTH.WPA3_EXT_PSK:
    case RAW_AUTH.WPA3_EXT_PSK_MIXED_MODE:
    case RAW_AUTH.DPP:
      return WPA3_PSK; // IDF documents EXT_PSK as "same result as WPA3_PSK"; DPP networks are SAE-based
    case RAW_AUTH.WPA3_ENT_192:
    case RAW_AUTH.WPA3_ENTERPRISE:
    case RAW_AUTH.WPA2_WPA3_ENTERPRISE:
    case RAW_AUTH.WPA_ENTERPRISE:
      return WPA2_ENTERPRISE; // the only enterprise value the protocol has
    default:
      // Unknown future modes: claim "secured with a passphrase" rather than Open, so an app still asks for one.
      return WPA2_PSK;
  }
}
