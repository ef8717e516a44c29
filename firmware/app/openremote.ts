// OpenRemote in the boot flow (openremote.md §0, §1.3, §2.10): the MQTT backend link that outlives provisioning,
// the or-cfg channel for a provisioning run, and the stored config for the next boot. The application (attributes)
// gets an OpenRemoteMqtt over the link's current client: values written in OpenRemote reach its model, and it
// publishes through it while the link is CONNECTED.
import type { Host } from '../host/index';
import type { MqttClient } from '../mqtt/client';
import { OpenRemoteMqtt, type AttributeValue } from '../openremote/mqtt-api';
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
import { bindOpenRemote, type AttributePublisher } from './attributes';
import type { OpenRemoteBootConfig } from './config';

/** What the boot flow asks of a product's application (firmware/app/demo.ts is the simulator's): its attribute
 * model receives values written in OpenRemote, and it publishes through the publisher it gets while the link is
 * CONNECTED (after CONNACK and SUBACK, so echoes and writes are caught from the first publish). */
export interface CloudApplication {
  readonly model: { handleValue(attribute: string, value: AttributeValue): void };
  start(): void;
  stop(): void;
  connect(publisher: AttributePublisher): void;
  disconnect(): void;
}

export interface OpenRemoteServiceOptions {
  host: Host;
  config: OpenRemoteBootConfig;
  log: Logger;
  secrets: SecretRegistry;
  application?: CloudApplication;
}

export class OpenRemoteService {
  readonly link: MqttBackendLink;
  readonly deviceId: string;

  private values: OpenRemoteMqtt | undefined;
  private appConnected = false;

  constructor(private readonly options: OpenRemoteServiceOptions) {
    const { host, log, secrets } = options;
    this.deviceId = deviceIdFromMac(host.device.mac());
    this.link = new MqttBackendLink({
      deps: { socket: host.socket, timers: host.timers, clock: host.clock, crypto: host.crypto, logger: log.child('mqtt') },
      ca: options.config.caCerts,
      secrets,
      onClient: (client, config) => this.onClient(client, config),
      onMessage: (message) => this.values?.handleMessage(message),
    });
    this.link.onChange((state) => {
      log.info(`backend link ${state.status} (${state.reason})`);
      this.connectApplication(state.status === 'CONNECTED');
    });
  }

  /** A new MQTT client per config (or none after stop): the application's value source follows it. */
  private onClient(client: MqttClient | undefined, config: OpenRemoteConfig | undefined): void {
    this.connectApplication(false);
    this.values = client && config
      ? new OpenRemoteMqtt(client, { realm: config.realm, clientId: config.user, assetId: config.assetId }, this.options.host.clock)
      : undefined;
    if (this.values && this.options.application) bindOpenRemote(this.options.application.model, this.values);
  }

  private connectApplication(online: boolean): void {
    const app = this.options.application;
    if (!app || online === this.appConnected) return;
    if (online && this.values) {
      app.connect(this.values);
      this.appConnected = true;
    } else if (!online) {
      app.disconnect();
      this.appConnected = false;
    }
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
