// Test rig for the provisioning manager: a virtual clock, the simulated NVS and Wi-Fi world, a capturing log and
// a minimal endpoint registry that calls handlers directly (plaintext; protocomm itself is tested elsewhere).
import { CredentialStore } from '../../firmware/provisioning/credentials';
import { ProvisioningManager, type ProvEvent, type ProvisioningManagerOptions } from '../../firmware/provisioning/manager';
import type { EndpointHandler, EndpointRegistry } from '../../firmware/protocomm/types';
import { fromHex, toHex } from '../../firmware/util/bytes';
import { Logger, SecretRegistry } from '../../firmware/util/log';
import { VirtualClock } from '../../tools/sim/host/clock';
import { CaptureLog } from '../../tools/sim/host/log';
import { SimNvs } from '../../tools/sim/host/nvs';
import { SimWifiStation } from '../../tools/sim/wifi/station';
import { parseWorld, type WifiWorld } from '../../tools/sim/wifi/world';

export class MapRegistry implements EndpointRegistry {
  readonly handlers = new Map<string, EndpointHandler>();
  cleanups = 0;
  addEndpoint(name: string, handler: EndpointHandler): void {
    this.handlers.set(name, handler);
  }
  removeEndpoint(name: string): void {
    this.handlers.delete(name);
  }
  cleanup(): void {
    this.cleanups++;
  }
}

export interface Answer {
  done: boolean;
  response: Uint8Array | undefined;
  /** Virtual time at which the reply came. */
  at: number;
}

export function h(hex: string): Uint8Array {
  const b = fromHex(hex.replace(/\s+/g, ''));
  if (!b) throw new Error(`bad hex ${hex}`);
  return b;
}

export const VECTOR_WORLD = {
  aps: [
    { ssid: 'HomeNet', password: 'secretpass', auth: 'WPA2_PSK', rssi: -45, channel: 1, bssid: '78:8a:20:84:19:96', ip: '192.168.1.42' },
    { ssid: 'Office-WPA3', password: 'office-sae-pass', auth: 'WPA3_PSK', rssi: -60, channel: 11, bssid: '7c:8a:20:84:19:98' },
    { ssid: 'CafeOpen', auth: 'OPEN', rssi: -70, channel: 6, bssid: '7a:8a:20:84:19:97' },
  ],
};

export interface Rig {
  clock: VirtualClock;
  nvs: SimNvs;
  wifi: SimWifiStation;
  capture: CaptureLog;
  log: Logger;
  store: CredentialStore;
  registry: MapRegistry;
  manager: ProvisioningManager;
  events: ProvEvent[];
  /** Sends plaintext to an endpoint; the answer object fills in when the handler replies. */
  send(endpoint: string, hex: string | Uint8Array): Answer;
  /** send() and require a synchronous answer; returns its hex ('' = no response). */
  call(endpoint: string, hex: string | Uint8Array): string | undefined;
  /** Advances virtual time until `predicate` holds (max 120 s). */
  until(predicate: () => boolean, maxMs?: number): number;
}

export function makeRig(
  options: { world?: unknown; nvs?: SimNvs; manager?: Partial<ProvisioningManagerOptions>; start?: boolean } = {},
): Rig {
  const clock = new VirtualClock();
  const nvs = options.nvs ?? new SimNvs();
  const world: WifiWorld = parseWorld(options.world ?? VECTOR_WORLD);
  const wifi = new SimWifiStation({ world, timers: clock });
  const capture = new CaptureLog(clock);
  const secrets = new SecretRegistry();
  const log = new Logger(capture, 'prov', secrets, 'debug');
  const store = new CredentialStore({ nvs, log: log.child('cred') });
  const registry = new MapRegistry();
  const events: ProvEvent[] = [];
  const manager = new ProvisioningManager({
    wifi,
    timers: clock,
    log,
    credentials: store,
    registry,
    onEvent: (e) => events.push(e),
    secrets,
    ...options.manager,
  });
  if (options.start !== false) manager.start();
  const send = (endpoint: string, data: string | Uint8Array): Answer => {
    const handler = registry.handlers.get(endpoint);
    if (!handler) throw new Error(`no endpoint ${endpoint}`);
    const answer: Answer = { done: false, response: undefined, at: -1 };
    handler(1, typeof data === 'string' ? h(data) : data, (response) => {
      if (answer.done) throw new Error('replied twice');
      answer.done = true;
      answer.response = response;
      answer.at = clock.monotonicMs();
    });
    return answer;
  };
  return {
    clock,
    nvs,
    wifi,
    capture,
    log,
    store,
    registry,
    manager,
    events,
    send,
    call(endpoint, data) {
      const a = send(endpoint, data);
      if (!a.done) throw new Error(`${endpoint}: no synchronous reply`);
      return a.response === undefined ? undefined : toHex(a.response);
    },
    until(predicate, maxMs = 120_000) {
      return clock.runUntil(predicate, maxMs);
    },
  };
}

export const enc = new TextEncoder();
