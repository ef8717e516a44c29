// Public surface of the Wi-Fi provisioning manager (unified-provisioning.md §7, §8): what the boot flow and the
// transports import. The handlers are exported too so they can be tested or reused without a manager.
export { CredentialStore, CredentialsError, type WifiCredentials, type LoadResult } from './credentials';
export { EndpointTable, STANDARD_ENDPOINTS, type ProvEndpoint } from './endpoints';
export {
  ProvisioningManager,
  ProvisioningError,
  PROV_EVENT_ID,
  mapDisconnectReason,
  type ProvEvent,
  type ProvEventName,
  type ProvState,
  type ProvisioningManagerOptions,
  type ProvisioningRegistry,
  type ProvisioningTransport,
} from './manager';
export { WifiScanner, DEFAULT_SCAN_MAX_ENTRIES, type ScanEntry, type ScanParams } from './scanner';
export { createWifiConfigHandler, type StationStatus, type WifiConfigApi } from './wifi-config';
export { createWifiCtrlHandler, type WifiCtrlApi } from './wifi-ctrl';
export { createWifiScanHandler, type WifiScanApi } from './wifi-scan';
export { clampAuthMode } from './auth-mode';
