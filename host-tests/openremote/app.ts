// The OpenRemote console app as the device sees it, written from openremote.md §1.4–1.5 and §2.3 (not from the
// firmware): BLE discovery of endpoints by their 0x2901 names, proto-ver, a sec2 session for username "UNUSED" and
// password = PoP, Wi-Fi provisioning, then PROVISION_DEVICE on `or-cfg` with ids "0", "1", ... per connection,
// every reply checked the way ORConfigChannel.swift/.kt check it, back-to-back status polls until CONNECTED or
// 60 s, then ExitProvisioning.
import { orconfig, RespGetStatus, WiFiConfigPayload } from '../../firmware/generated/proto.js';
import { GattClient } from '../../tools/sim/ble/gatt-client';
import type { SimBlePeripheral, SimCentralLink } from '../../tools/sim/ble/peripheral';
import { Sec2Client } from '../protocomm/client';

export class ORConfigChannelError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ORConfigChannelError';
  }
}

/** How time passes for the phone: `now` in ms, `pace` after each BLE round trip (virtual: advance the clock). */
export interface PhoneTime {
  now(): number;
  pace(): void | Promise<void>;
}

type Kind = 'deviceInfo' | 'backendConnectionStatus' | 'openRemoteConfig' | 'exitProvisioning';

export interface ProvisionOutcome {
  connected: boolean;
  errorCode?: number;
  errorMessage?: string;
  /** Every status value the polls returned, in order. */
  statuses: number[];
  /** The OpenRemoteConfig the app sent (for assertions). */
  sent: orconfig.Request.OpenRemoteConfig.$Properties;
  deviceId: string;
  modelName: string;
}

export interface BackendApi {
  /** POST /api/{realm}/rest/device (§3.2): returns assetId and (Android) properties. */
  provision(body: { modelName: string; deviceId: string; password: string }): Promise<{ assetId: string; properties?: Record<string, string> }>;
}

const STATUS_NAMES = ['DISCONNECTED', 'CONNECTING', 'CONNECTED', 'FAILED'];

export class OpenRemoteApp {
  /** Requests sent on or-cfg with their ids, in order. */
  readonly sentIds: string[] = [];
  private messageId = 0; // ORConfigChannel is created per connection; messageId starts at 0 (§1.4)
  private readonly handles = new Map<string, number>();
  private sec: Sec2Client | undefined;

  private constructor(
    readonly link: SimCentralLink,
    private readonly gatt: GattClient,
    private readonly time: PhoneTime,
  ) {}

  static async connect(peripheral: SimBlePeripheral, pop: string, time: PhoneTime): Promise<OpenRemoteApp> {
    const link = await peripheral.connect();
    const gatt = new GattClient((pdu) => link.request(pdu), () => link.mtu);
    await gatt.exchangeMtu(185);
    const app = new OpenRemoteApp(link, gatt, time);
    for (const service of await gatt.discoverAll()) {
      for (const c of service.characteristics) if (c.userDescription) app.handles.set(c.userDescription, c.valueHandle);
    }
    if (!app.handles.has('or-cfg')) throw new Error('or-cfg not found by its 0x2901 descriptor: error 300');
    const version = JSON.parse(new TextDecoder().decode(await app.transact('proto-ver', new TextEncoder().encode('ESP'))));
    if (version.prov?.sec_ver !== 2 || !Array.isArray(version.prov?.cap)) throw new Error('unexpected proto-ver');
    const sec = new Sec2Client('UNUSED', pop); // the web-app API has no username: "UNUSED" (§2.3)
    const resp0 = await app.transact('prov-session', sec.command0());
    const resp1 = await app.transact('prov-session', sec.command1(resp0));
    if (!sec.verify(resp1)) throw new Error('sec2 session failed: error 400');
    app.sec = sec;
    return app;
  }

  handle(endpoint: string): number {
    const h = this.handles.get(endpoint);
    if (h === undefined) throw new Error(`no endpoint ${endpoint}`);
    return h;
  }

  /** Write, then read back (the Espressif libraries' BLE exchange). */
  async transact(endpoint: string, data: Uint8Array): Promise<Uint8Array> {
    const h = this.handle(endpoint);
    if (data.length <= this.link.mtu - 3) await this.gatt.write(h, data);
    else await this.gatt.writeLong(h, data);
    const response = await this.gatt.readLong(h);
    await this.time.pace();
    return response;
  }

  async secure(endpoint: string, plain: Uint8Array): Promise<Uint8Array> {
    const sec = this.sec as Sec2Client;
    const response = await this.transact(endpoint, sec.encrypt(plain));
    const out = sec.decrypt(response);
    if (!out) throw new Error(`${endpoint}: response does not decrypt`);
    return out;
  }

  async readProtoVersion(): Promise<Record<string, { ver: string; cap: string[] }>> {
    return JSON.parse(new TextDecoder().decode(await this.transact('proto-ver', new TextEncoder().encode('ESP'))));
  }

  /** SEND_WIFI_CONFIGURATION (§2.5): set, apply, poll GetStatus until connected. */
  async provisionWifi(ssid: string, passphrase: string): Promise<void> {
    const enc = new TextEncoder();
    const set = WiFiConfigPayload.decode(await this.secure('prov-config', WiFiConfigPayload.encode({ msg: 2, cmdSetConfig: { ssid: enc.encode(ssid), passphrase: enc.encode(passphrase) } }).finish()));
    if ((set.respSetConfig?.status ?? 0) !== 0) throw new Error('SetConfig failed');
    const apply = WiFiConfigPayload.decode(await this.secure('prov-config', WiFiConfigPayload.encode({ msg: 4, cmdApplyConfig: {} }).finish()));
    if ((apply.respApplyConfig?.status ?? 0) !== 0) throw new Error('ApplyConfig failed');
    const start = this.time.now();
    for (;;) {
      const s = WiFiConfigPayload.decode(await this.secure('prov-config', WiFiConfigPayload.encode({ msg: 0, cmdGetStatus: {} }).finish())).respGetStatus as RespGetStatus.$Properties;
      if ((s.staState ?? 0) === 0) return; // Connected
      if (s.staState === 3) throw new Error('Wi-Fi failed');
      if (this.time.now() - start > 60_000) throw new Error('Wi-Fi timeout');
    }
  }

  /** One or-cfg exchange with the app's checks (§1.4). Throws ORConfigChannelError like the apps do. */
  async orCfg<K extends Kind>(kind: K, body: object = {}): Promise<orconfig.Response> {
    const id = String(this.messageId++);
    this.sentIds.push(id);
    const request = orconfig.Request.encode({ id, [kind]: body } as orconfig.Request.$Properties).finish();
    const raw = await this.secure('or-cfg', request);
    if (raw.length === 0 && kind !== 'exitProvisioning') throw new ORConfigChannelError('no data');
    const response = orconfig.Response.decode(raw); // Android: parseFrom without try/catch (§2.9)
    if (response.id !== id) throw new ORConfigChannelError(`message out of order: ${response.id} != ${id}`);
    if (response.result == null) throw new ORConfigChannelError('result missing');
    if ((response.result.result ?? 0) !== 0) throw new ORConfigChannelError(`result ${response.result.result}`);
    if (kind !== 'exitProvisioning' && response[kind] == null) throw new ORConfigChannelError(`wrong body for ${kind}`);
    return response;
  }

  /** PROVISION_DEVICE (§1.5). `platform` picks the realm/properties behaviour; `stopOnFailed` models the unmerged
   * iOS branch that aborts at FAILED (§7 item 5). */
  async provisionDevice(options: {
    platform: 'ios' | 'android';
    apiHost: string;
    backend: BackendApi;
    realm?: string;
    stopOnFailed?: boolean;
    password?: string;
  }): Promise<ProvisionOutcome> {
    const info = (await this.orCfg('deviceInfo')).deviceInfo as orconfig.Response.DeviceInfo;
    const deviceId = info.deviceId ?? '';
    const modelName = info.modelName ?? '';
    const password = options.password ?? randomPassword();
    const { assetId, properties } = await options.backend.provision({ modelName, deviceId, password });
    const userName = deviceId.toLowerCase();
    const sent: orconfig.Request.OpenRemoteConfig.$Properties = {
      mqttBrokerUrl: `mqtts://${options.apiHost}:8883`,
      user: userName,
      mqttPassword: password,
      realm: options.platform === 'ios' ? 'master' : options.realm ?? 'master',
      assetId,
    };
    if (options.platform === 'android' && properties) sent.properties = properties;
    const config = (await this.orCfg('openRemoteConfig', sent)).openRemoteConfig as orconfig.Response.OpenRemoteConfig;
    if ((config.status ?? 0) !== 0) throw new ORConfigChannelError('operation failed');
    const statuses: number[] = [];
    const start = this.time.now();
    for (;;) {
      if (this.time.now() - start > 60_000) {
        return { connected: false, errorCode: 600, errorMessage: 'Timeout waiting for backend to get connected', statuses, sent, deviceId, modelName };
      }
      const r = (await this.orCfg('backendConnectionStatus')).backendConnectionStatus as orconfig.Response.BackendConnectionStatus;
      const status = r.status ?? 0;
      if (!(status in STATUS_NAMES)) throw new ORConfigChannelError('Unrecognized status');
      statuses.push(status);
      if (status === 2) return { connected: true, statuses, sent, deviceId, modelName };
      if (status === 3 && options.stopOnFailed) return { connected: false, errorCode: 301, errorMessage: 'Backend connection failed', statuses, sent, deviceId, modelName };
    }
  }

  /** A later OpenRemoteConfig in the same connection (the recovery path), then the same polling. */
  async sendConfigAndPoll(sent: orconfig.Request.OpenRemoteConfig.$Properties, stopOnFailed = false): Promise<{ connected: boolean; statuses: number[]; errorCode?: number }> {
    await this.orCfg('openRemoteConfig', sent);
    const statuses: number[] = [];
    const start = this.time.now();
    for (;;) {
      if (this.time.now() - start > 60_000) return { connected: false, errorCode: 600, statuses };
      const status = ((await this.orCfg('backendConnectionStatus')).backendConnectionStatus?.status ?? 0) as number;
      statuses.push(status);
      if (status === 2) return { connected: true, statuses };
      if (status === 3 && stopOnFailed) return { connected: false, errorCode: 301, statuses };
    }
  }

  async exitProvisioning(): Promise<void> {
    await this.orCfg('exitProvisioning');
  }
}

/** 16 chars from [A-Za-z0-9], as both apps generate it (§1.5 step 3). */
export function randomPassword(): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  let out = '';
  for (let i = 0; i < 16; i++) out += alphabet[Math.floor(Math.random() * alphabet.length)];
  return out;
}
