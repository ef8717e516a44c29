// or-cfg scenarios that run unchanged on Node and on the real XS engine (host-tests/xs/harness.ts runCasesOnBoth):
// the channel answering the app's sequence (bytes as hex), the stored record, a deterministic mutation fuzz, and
// MqttBackendLink on an in-bundle scripted socket (fixed CONNACK/SUBACK bytes). NVS is the host's (bridged to the
// Node SimNvs on XS); time is a step clock local to the engine. No Node APIs here; results are plain data.
import { orconfig } from '../../firmware/generated/proto.js';
import type { ClockHost } from '../../firmware/host/clock';
import type { Host } from '../../firmware/host/index';
import type { Socket, SocketCallbacks, SocketHost } from '../../firmware/host/socket';
import type { TimerHost, TimerId } from '../../firmware/host/timers';
import { OrConfigChannel } from '../../firmware/openremote/config-channel';
import { clearOpenRemoteConfig, encodeOpenRemoteConfig, readOpenRemoteConfig } from '../../firmware/openremote/config-store';
import { deviceIdFromMac } from '../../firmware/openremote/device-info';
import { MqttBackendLink } from '../../firmware/openremote/mqtt-link';
import { ProtoVersion } from '../../firmware/protocomm/version';
import { fromHex, toHex } from '../../firmware/util/bytes';
import { Logger, SecretRegistry } from '../../firmware/util/log';
import { ScriptedLink } from './fake-link';

class StepClock implements TimerHost, ClockHost {
  now = 0;
  private next = 1;
  private queue: { id: number; due: number; fn: () => void }[] = [];
  monotonicMs(): number {
    return this.now;
  }
  wallMs(): number | undefined {
    return undefined;
  }
  setTimeout(fn: () => void, ms: number): TimerId {
    const id = this.next++;
    this.queue.push({ id, due: this.now + Math.max(0, ms), fn });
    return id;
  }
  setInterval(): TimerId {
    throw new Error('not used');
  }
  clear(id: TimerId): void {
    this.queue = this.queue.filter((t) => t.id !== id);
  }
  advance(ms: number): void {
    const end = this.now + ms;
    for (;;) {
      let best = -1;
      for (let i = 0; i < this.queue.length; i++) if (this.queue[i].due <= end && (best < 0 || this.queue[i].due < this.queue[best].due)) best = i;
      if (best < 0) break;
      const t = this.queue.splice(best, 1)[0];
      this.now = t.due;
      t.fn();
    }
    this.now = end;
  }
}

const GOOD = { mqttBrokerUrl: 'mqtts://or.example.com:8883', user: 'a4cf12b3c4d5', mqttPassword: 'Xy7pQ2rS9tU4vW1z', realm: 'master', assetId: '6tXbmMvQLd2e7UrY5xLviR' };
const silent = () => new Logger({ write() {} }, 'or-cfg', new SecretRegistry());

function channelRig(host: Host) {
  const clock = new StepClock();
  const version = new ProtoVersion({ securityVersion: 2, securityPatchVersion: 1 });
  const link = new ScriptedLink(clock, (c) =>
    c.mqttPassword === GOOD.mqttPassword
      ? [{ atMs: 1000, status: 'CONNECTED', reason: 'online' }]
      : [{ atMs: 500, status: 'FAILED', reason: 'auth_refused' }],
  );
  const exits: number[] = [];
  const channel = new OrConfigChannel({
    nvs: host.nvs,
    timers: clock,
    log: silent(),
    secrets: new SecretRegistry(),
    deviceId: deviceIdFromMac(Uint8Array.of(0xa4, 0xcf, 0x12, 0xb3, 0xc4, 0xd5)),
    modelName: 'or-demo',
    link,
    onExit: () => exits.push(clock.now),
    appInfo: version,
    firmwareVersion: '0.1.0',
  });
  const call = (request: Uint8Array): string => {
    let out = 'no reply';
    channel.handler(1, request, (r) => (out = r === undefined ? 'none' : toHex(r)));
    return out;
  };
  return { clock, version, link, exits, channel, call };
}

const req = (body: orconfig.Request.$Properties) => orconfig.Request.encode(body).finish();

export const orCfgCases: Record<string, (host: Host) => unknown> = {
  'channel: the app sequence, a wrong password, recovery, exit': (host) => {
    clearOpenRemoteConfig(host.nvs);
    const { clock, version, exits, call } = channelRig(host);
    const out: string[] = [];
    out.push(call(req({ id: '0', deviceInfo: {} })));
    out.push(call(req({ id: '1', openRemoteConfig: { ...GOOD, user: 'has space' } })));
    out.push(call(req({ id: '2', openRemoteConfig: { ...GOOD, mqttPassword: 'WrongPassword999' } })));
    out.push(call(req({ id: '3', backendConnectionStatus: {} })));
    clock.advance(600);
    out.push(call(req({ id: '4', backendConnectionStatus: {} })));
    out.push(call(req({ id: '5', openRemoteConfig: { ...GOOD, properties: { site: 'plant-7' } } })));
    clock.advance(1);
    out.push(call(req({ id: '6', backendConnectionStatus: {} })));
    clock.advance(1000);
    out.push(call(req({ id: '7', backendConnectionStatus: {} })));
    out.push(call(req({ id: '8' })));
    out.push(call(fromHex('0a0139320500') as Uint8Array));
    out.push(call(req({ id: '9', exitProvisioning: {} })));
    clock.advance(1);
    const stored = readOpenRemoteConfig(host.nvs);
    return { out, exits, label: version.toJson(), stored: stored.ok ? stored.config : stored.reason };
  },

  'store: record bytes': () => toHex(encodeOpenRemoteConfig({ ...GOOD, properties: { site: 'plant-7' } })),

  'channel: deterministic mutation fuzz (3000 inputs)': (host) => {
    clearOpenRemoteConfig(host.nvs);
    const { call } = channelRig(host);
    const seeds = [req({ id: '12', deviceInfo: {} }), req({ id: '13', openRemoteConfig: GOOD }), req({ id: '14', backendConnectionStatus: {} })];
    let x = 12345;
    const rnd = (n: number) => {
      x = (x * 1103515245 + 12345) >>> 0;
      return (x >>> 8) % n;
    };
    const tally: Record<string, number> = {};
    let digest = 0;
    for (let i = 0; i < 3000; i++) {
      const b = Array.from(seeds[rnd(seeds.length)]);
      for (let r = 0; r < 1 + rnd(3); r++) {
        const at = rnd(b.length + 1);
        if (rnd(2)) b.splice(at, rnd(3));
        else b.splice(at, 0, rnd(256));
      }
      const hex = call(Uint8Array.from(b));
      const key = hex === 'none' || hex === 'no reply' ? hex : (orconfig.Response.decode(fromHex(hex) as Uint8Array).result?.result ?? 0).toString();
      tally[key] = (tally[key] ?? 0) + 1;
      for (let j = 0; j < hex.length; j++) digest = (digest * 31 + hex.charCodeAt(j)) >>> 0;
    }
    return { tally, digest };
  },

  'mqtt link: CONNACK then SUBACK on a scripted socket, statuses in order': (host) => {
    const clock = new StepClock();
    const statuses: string[] = [];
    const socket: SocketHost = {
      connect(_options, cb: SocketCallbacks): Socket {
        let open = true;
        clock.setTimeout(() => open && cb.onConnect(), 50);
        return {
          write(data) {
            const type = data[0] >> 4;
            if (type === 1) clock.setTimeout(() => open && cb.onData(Uint8Array.of(0x20, 0x02, 0x00, 0x00)), 300); // CONNACK 0
            if (type === 8) {
              // SUBSCRIBE: packet id follows the remaining-length varint.
              let at = 1;
              while (data[at] & 0x80) at++;
              const hi = data[at + 1];
              const lo = data[at + 2];
              clock.setTimeout(() => open && cb.onData(Uint8Array.of(0x90, 0x03, hi, lo, 0x00)), 20); // SUBACK QoS 0
            }
            return 0;
          },
          close() {
            open = false;
          },
        };
      },
      listen() {
        throw new Error('not used');
      },
    };
    const link = new MqttBackendLink({
      deps: { socket, timers: clock, clock, crypto: { randomBytes: (n: number) => new Uint8Array(n) }, logger: silent() },
      ca: ['scripted'],
      secrets: new SecretRegistry(),
    });
    link.onChange((s) => statuses.push(`${clock.now} ${s.status} ${s.reason}`));
    link.start({ ...GOOD, properties: {} });
    clock.advance(1000);
    link.stop();
    void host;
    return statuses;
  },
};
