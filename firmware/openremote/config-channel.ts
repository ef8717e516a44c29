// The `or-cfg` protocomm endpoint handler: OpenRemote's ORConfigChannelProtocol on the device (openremote.md §1,
// §0 items 4–6 and 9, §2.7, §2.9). Every request gets a well-formed Response that echoes `id`, carries `result`
// (present even for SUCCESS = 0: an empty sub-message) and the body matching the request, because both apps reject
// anything else and Android crashes on a malformed reply (§1.4, §2.9).
//
// Undecodable bytes: answered with REQUEST_UNKNOWN (and the `id` if one can be salvaged from the wire, else "")
// rather than "no response". §2.9: Android parses the reply without a try/catch and a failed DeviceInfo escapes
// its coroutine; no response at all becomes a BLE error or a hang. A well-formed REQUEST_UNKNOWN turns into the
// app's ordinary ORConfigChannelError → code 301, which is the clean outcome. Only an encoder failure (which
// cannot happen for our own messages) would give "no response".
import { orconfig } from '../generated/proto.js';
import type { NvsHost } from '../host/nvs';
import type { TimerHost, TimerId } from '../host/timers';
import type { EndpointHandler } from '../protocomm/types';
import { utf8Decode } from '../util/bytes';
import type { Logger, SecretRegistry } from '../util/log';
import type { BackendLink, BackendLinkState } from './backend-link';
import { checkOpenRemoteConfig, type ConfigRules, type OpenRemoteConfig } from './config';
import { saveOpenRemoteConfig } from './config-store';
import { checkModelName } from './device-info';
import { BACKEND_STATUS } from './mqtt-api';

export const OR_CFG_ENDPOINT = 'or-cfg';

/** Response.ResponseResult.Result (§1.2). */
export const OR_RESULT = Object.freeze({ SUCCESS: 0, REQUEST_UNKNOWN: 1, INTERNAL_ERROR: 2, ARGUMENT_ERROR: 3 } as const);
/** Response.OpenRemoteConfig.Status (§1.2). */
export const OR_CONFIG_STATUS = Object.freeze({ SUCCESS: 0, FAIL: 1 } as const);
/** The proto-ver application label (unified-provisioning.md §6.2) that carries the link status and reason. */
export const OR_APP_LABEL = 'openremote';

type ResultCode = (typeof OR_RESULT)[keyof typeof OR_RESULT];

export interface AppInfoSink {
  /** firmware/protocomm/version.ts ProtoVersion.setAppInfo (ProtocommCore.versionInfo). */
  setAppInfo(label: string, version: string, capabilities: readonly string[]): void;
}

export interface ConfigChannelOptions {
  nvs: NvsHost;
  timers: TimerHost;
  log: Logger;
  /** The logger's registry: the MQTT password is added before anything about the config is logged. */
  secrets: SecretRegistry;
  /** device-info.ts deviceIdFromMac(host.device.mac()). */
  deviceId: string;
  /** From build configuration (device-info.ts checkModelName). */
  modelName: string;
  link: BackendLink;
  rules?: ConfigRules;
  /** Called a timer tick after the ExitProvisioning reply left: the boot flow passes () => manager.stop(), whose
   * cleanup delay lets the reply reach the phone before the BLE stack is released (§2.7, unified-provisioning §8.6). */
  onExit?: () => void;
  /** Called after a config was persisted (before the link restarts). */
  onConfigSaved?: (config: OpenRemoteConfig) => void;
  /** Where the "openremote" label goes (proto-ver). */
  appInfo?: AppInfoSink;
  /** The label's "ver"; default "1". */
  firmwareVersion?: string;
}

type RequestBody = 'deviceInfo' | 'backendConnectionStatus' | 'openRemoteConfig' | 'exitProvisioning';

export class OrConfigChannel {
  /** Register this with manager.registerEndpoint(OR_CFG_ENDPOINT, channel.handler). */
  readonly handler: EndpointHandler;

  private readonly opts: ConfigChannelOptions;
  private pendingStart: TimerId | undefined;
  private exitScheduled = false;
  private lastReported: string | undefined;

  constructor(options: ConfigChannelOptions) {
    checkModelName(options.modelName); // build configuration errors surface at boot, not in the app
    if (typeof options.deviceId !== 'string' || options.deviceId.length === 0) throw new RangeError('deviceId is required');
    this.opts = options;
    this.handler = (_sessionId, request, reply) => {
      let response: Uint8Array | undefined;
      try {
        response = this.handle(request);
      } catch (e) {
        // handle() does not throw by construction; if it ever did, the transport's "no response" is all we have.
        this.opts.log.error(`or-cfg: unexpected failure: ${e instanceof Error ? e.message : String(e)}`);
        response = undefined;
      }
      reply(response);
    };
    options.link.onChange?.((state) => this.publishState(state));
    this.publishState(this.linkState());
  }

  /** Plaintext request in, plaintext Response out (synchronous; side effects are scheduled on timers). */
  handle(request: Uint8Array): Uint8Array | undefined {
    let decoded: orconfig.Request;
    try {
      decoded = orconfig.Request.decode(request);
    } catch (e) {
      const id = salvageId(request) ?? '';
      this.opts.log.warn(`or-cfg: undecodable request (${request.length} bytes): ${e instanceof Error ? e.message : String(e)}`);
      return encodeResponse(id, OR_RESULT.REQUEST_UNKNOWN);
    }
    const id = typeof decoded.id === 'string' ? decoded.id : '';
    const body = bodyOf(decoded);
    switch (body) {
      case 'deviceInfo':
        this.opts.log.info(`or-cfg ${id}: DeviceInfo -> ${this.opts.deviceId} / ${this.opts.modelName}`);
        return encodeResponse(id, OR_RESULT.SUCCESS, { deviceInfo: { deviceId: this.opts.deviceId, modelName: this.opts.modelName } });
      case 'backendConnectionStatus': {
        const state = this.linkState();
        this.publishState(state);
        return encodeResponse(id, OR_RESULT.SUCCESS, { backendConnectionStatus: { status: BACKEND_STATUS[state.status] } });
      }
      case 'openRemoteConfig':
        return this.onConfig(id, decoded.openRemoteConfig as orconfig.Request.OpenRemoteConfig);
      case 'exitProvisioning':
        return this.onExit(id);
      default:
        this.opts.log.warn(`or-cfg ${id}: request without a known body`);
        return encodeResponse(id, OR_RESULT.REQUEST_UNKNOWN);
    }
  }

  /** The status the next poll would get (CONNECTING while a link (re)start is scheduled). */
  linkState(): BackendLinkState {
    if (this.pendingStart !== undefined) return { status: 'CONNECTING', reason: 'starting' };
    return this.opts.link.state();
  }

  private onConfig(id: string, raw: orconfig.Request.OpenRemoteConfig): Uint8Array | undefined {
    // Registered first: whatever is logged from here on (even a validation message) cannot show the secret.
    if (typeof raw.mqttPassword === 'string') this.opts.secrets.add(raw.mqttPassword);
    const checked = checkOpenRemoteConfig(raw, this.opts.rules);
    if (!checked.ok) {
      this.opts.log.warn(`or-cfg ${id}: OpenRemoteConfig rejected: ${checked.field}: ${checked.error}`);
      return encodeResponse(id, OR_RESULT.ARGUMENT_ERROR, { openRemoteConfig: { status: OR_CONFIG_STATUS.FAIL } });
    }
    const config = checked.config;
    try {
      saveOpenRemoteConfig(this.opts.nvs, config);
    } catch (e) {
      this.opts.log.error(`or-cfg ${id}: ${e instanceof Error ? e.message : String(e)}`);
      return encodeResponse(id, OR_RESULT.INTERNAL_ERROR, { openRemoteConfig: { status: OR_CONFIG_STATUS.FAIL } });
    }
    const props = Object.keys(config.properties).length;
    this.opts.log.info(
      `or-cfg ${id}: OpenRemote config saved: ${config.mqttBrokerUrl} realm=${config.realm} user=${config.user} asset=${config.assetId}` +
        (props ? ` properties=${props}` : ''),
    );
    try {
      this.opts.onConfigSaved?.(config);
    } catch (e) {
      this.opts.log.error(`or-cfg: onConfigSaved threw: ${e instanceof Error ? e.message : String(e)}`);
    }
    // SUCCESS goes out now (§1.5 [I]: answer after persisting, not after connecting); the link (re)starts a tick
    // later, replacing any earlier config of this session so a corrected config recovers a failed link.
    if (this.pendingStart !== undefined) this.opts.timers.clear(this.pendingStart);
    this.pendingStart = this.opts.timers.setTimeout(() => {
      this.pendingStart = undefined;
      try {
        this.opts.link.stop();
        this.opts.link.start(config);
      } catch (e) {
        this.opts.log.error(`or-cfg: backend link failed to start: ${e instanceof Error ? e.message : String(e)}`);
      }
      this.publishState(this.opts.link.state());
    }, 0);
    this.publishState(this.linkState());
    return encodeResponse(id, OR_RESULT.SUCCESS, { openRemoteConfig: { status: OR_CONFIG_STATUS.SUCCESS } });
  }

  private onExit(id: string): Uint8Array | undefined {
    this.opts.log.info(`or-cfg ${id}: ExitProvisioning${this.exitScheduled ? ' (again)' : ''}`);
    if (!this.exitScheduled && this.opts.onExit) {
      this.exitScheduled = true;
      const onExit = this.opts.onExit;
      // The reply is handed to protocomm before this timer fires; stopping then waits the cleanup delay.
      this.opts.timers.setTimeout(() => {
        try {
          onExit();
        } catch (e) {
          this.opts.log.error(`or-cfg: stopping provisioning failed: ${e instanceof Error ? e.message : String(e)}`);
        }
      }, 0);
    }
    return encodeResponse(id, OR_RESULT.SUCCESS, { exitProvisioning: {} });
  }

  /** Logs status changes once (polls come back to back, §1.5) and mirrors them into the proto-ver label. */
  private publishState(state: BackendLinkState): void {
    const text = `${state.status.toLowerCase()}:${state.reason}`;
    if (text === this.lastReported) return;
    this.lastReported = text;
    const line = `backend link ${state.status} (${state.reason})`;
    if (state.status === 'FAILED') this.opts.log.warn(line);
    else this.opts.log.info(line);
    try {
      this.opts.appInfo?.setAppInfo(OR_APP_LABEL, this.opts.firmwareVersion ?? '1', [
        'or-cfg',
        `status:${state.status.toLowerCase()}`,
        `link:${state.reason}`,
      ]);
    } catch (e) {
      this.opts.log.warn(`proto-ver label not updated: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
}

function bodyOf(request: orconfig.Request): RequestBody | undefined {
  // protobufjs keeps only the last oneof member seen on the wire (proto3 semantics).
  if (request.deviceInfo != null) return 'deviceInfo';
  if (request.backendConnectionStatus != null) return 'backendConnectionStatus';
  if (request.openRemoteConfig != null) return 'openRemoteConfig';
  if (request.exitProvisioning != null) return 'exitProvisioning';
  return undefined;
}

type ResponseBody =
  | { deviceInfo: { deviceId: string; modelName: string } }
  | { backendConnectionStatus: { status: number } }
  | { openRemoteConfig: { status: number } }
  | { exitProvisioning: Record<string, never> };

/** `result` is always set as an object, so protobufjs emits `12 xx` even for SUCCESS (`12 00`); a body with a zero
 * enum is emitted as an empty sub-message (`3a 00` = backend_connection_status DISCONNECTED). */
export function encodeResponse(id: string, result: ResultCode, body?: ResponseBody): Uint8Array | undefined {
  try {
    const message: Record<string, unknown> = { id, result: result === OR_RESULT.SUCCESS ? {} : { result } };
    if (body) Object.assign(message, body);
    return orconfig.Response.encode(message as orconfig.Response.$Properties).finish();
  } catch {
    return undefined;
  }
}

/** Best effort: the last top-level field 1 (id, length-delimited) of a message protobufjs refused, so even a
 * malformed request is answered with its id. Walks the wire format with bounds checks; never throws. */
export function salvageId(data: Uint8Array): string | undefined {
  let at = 0;
  let id: string | undefined;
  const varint = (): number | undefined => {
    let value = 0;
    for (let shift = 0; shift < 35; shift += 7) {
      if (at >= data.length) return undefined;
      const b = data[at++];
      value += (b & 0x7f) * 2 ** shift;
      if ((b & 0x80) === 0) return value;
    }
    return undefined; // longer varints are not tags or lengths we can use
  };
  while (at < data.length) {
    const tag = varint();
    if (tag === undefined) break;
    const field = Math.floor(tag / 8);
    const wire = tag % 8;
    if (field === 0) break;
    if (wire === 0) {
      if (varint() === undefined) break;
    } else if (wire === 1) at += 8;
    else if (wire === 5) at += 4;
    else if (wire === 2) {
      const length = varint();
      if (length === undefined || at + length > data.length) break;
      if (field === 1 && length <= 64) id = utf8Decode(data.subarray(at, at + length));
      at += length;
    } else break;
  }
  return id;
}
