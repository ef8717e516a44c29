// OpenRemote in the boot flow (openremote.md §0, §1.3, §2.10): the MQTT backend link that outlives provisioning,
// the or-cfg channel for a provisioning run, and the stored config for the next boot. The application (attributes)
// receives the link's MQTT client through `onClient` and incoming values through `onMessage`.
import type { Host } from '../host/index';
import type { IncomingMessage, MqttClient } from '../mqtt/client';
import {
  clearOpenRemoteConfig,
  deviceIdFromMac,
  loadOpenRemoteConfig,
  MqttBackendLink,
  OrConfigChannel,
  type OpenRemoteConfig,
} from '../openremote/index';
import type { AppInfoSink } from '../openremote/config-channel';
import type { Logger, SecretRegistry } from '../util/log';
import type { OpenRemoteBootConfig } from './config';

export interface OpenRemoteServiceOptions {
  host: Host;
  config: OpenRemoteBootConfig;
  log: Logger;
  secrets: SecretRegistry;
  onClient?: (client: MqttClient | undefined, config: OpenRemoteConfig | undefined) => void;
  onMessage?: (message: IncomingMessage) => void;
}

export class OpenRemoteService {
  readonly link: MqttBackendLink;
  readonly deviceId: string;

  constructor(private readonly options: OpenRemoteServiceOptions) {
    const { host, log, secrets } = options;
    this.deviceId = deviceIdFromMac(host.device.mac());
    this.link = new MqttBackendLink({
      deps: { socket: host.socket, timers: host.timers, clock: host.clock, crypto: host.crypto, logger: log.child('mqtt') },
      ca: options.config.caCerts,
      secrets,
      onClient: options.onClient,
      onMessage: options.onMessage,
    });
    this.link.onChange((state) => log.info(`backend link ${state.status} (${state.reason})`));
  }

  /** The config saved by a previous or-cfg OpenRemoteConfig; undefined when absent or unusable. */
  storedConfig(): OpenRemoteConfig | undefined {
    return loadOpenRemoteConfig(this.options.host.nvs, {
      log: this.options.log,
      secrets: this.options.secrets,
      allowPlaintextMqtt: this.options.config.allowPlaintextMqtt,
    });
  }

  /** Starts the link with the stored config; false when there is none. */
  startStored(): boolean {
    const stored = this.storedConfig();
    if (!stored) return false;
    this.link.start(stored);
    return true;
  }

  /** The or-cfg endpoint handler for one provisioning run. */
  channel(options: { onExit: () => void; appInfo: AppInfoSink }): OrConfigChannel {
    const { host, config, log, secrets } = this.options;
    return new OrConfigChannel({
      nvs: host.nvs,
      timers: host.timers,
      log: log.child('or-cfg'),
      secrets,
      deviceId: this.deviceId,
      modelName: config.modelName,
      link: this.link,
      rules: { allowPlaintextMqtt: config.allowPlaintextMqtt },
      onExit: options.onExit,
      appInfo: options.appInfo,
      firmwareVersion: config.firmwareVersion,
    });
  }

  /** Factory reset of the OpenRemote part. */
  clear(): void {
    this.link.stop();
    clearOpenRemoteConfig(this.options.host.nvs);
  }
}
