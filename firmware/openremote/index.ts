// Public surface of the OpenRemote device side: the or-cfg channel (openremote.md §1), its stored config (§5) and
// the backend link (§1.5, §4). The boot flow imports from here; see README.md for the wiring.
export { checkOpenRemoteConfig, brokerUrlError, CONFIG_LIMITS, type OpenRemoteConfig, type ConfigRules, type ConfigCheck } from './config';
export {
  loadOpenRemoteConfig,
  readOpenRemoteConfig,
  saveOpenRemoteConfig,
  clearOpenRemoteConfig,
  OpenRemoteConfigStoreError,
  OR_CONFIG_NAMESPACE,
  OR_CONFIG_KEY,
  type OpenRemoteConfigLoad,
  type LoadOptions,
} from './config-store';
export { OrConfigChannel, OR_CFG_ENDPOINT, OR_RESULT, OR_CONFIG_STATUS, OR_APP_LABEL, type ConfigChannelOptions, type AppInfoSink } from './config-channel';
export type { BackendLink, BackendLinkState, BackendStatus } from './backend-link';
export { MqttBackendLink, DEFAULT_MQTT_LINK_POLICY, reasonToken, type MqttBackendLinkOptions, type MqttLinkPolicy } from './mqtt-link';
export { deviceIdFromMac, checkModelName } from './device-info';
